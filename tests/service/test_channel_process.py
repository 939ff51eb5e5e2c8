"""The recording written by a helper process: the same bytes as written in the control loop's own
process, a valid file when the loop's process is killed, and a dead writer that neither blocks
the loop nor goes unnoticed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from mcap.reader import make_reader

from cellctl.config.cell_loader import demo_cell_path, load_cell
from cellctl.hw import ArmMode, ArmState
from cellctl.service.channel_process import ChannelsProcess, RecordingError
from cellctl.service.recording import Recorder
from cellctl.supervisor.geometry import CellGeometry

pytestmark = pytest.mark.process

CELL = load_cell(demo_cell_path())


class _Arm:
    def __init__(self, dof: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.dof = dof
        self.t = 0.0

    def read(self) -> ArmState:
        q = self.rng.uniform(-1.0, 1.0, self.dof)
        return ArmState(self.t, q, q * 0.5, ArmMode.IDLE, efforts=q * 2.0)

    def commanded(self) -> tuple[np.ndarray, np.ndarray]:
        q = self.rng.uniform(-1.0, 1.0, self.dof)
        return q, -q


class _System:
    """The demo cell's arms with seeded random states, on a clock the test moves."""

    def __init__(self, seed: int) -> None:
        geometry = CellGeometry(CELL)
        self.arms = {name: _Arm(len(geometry.arms[name].spec.joints), seed + k) for k, name in enumerate(CELL.arms)}
        self.t = 0.0

    def now(self) -> float:
        return self.t


def _drive(channels, system: _System, cycles: int) -> None:
    for k in range(cycles):
        system.t = 0.01 * (k + 1)
        channels.sample()
        if k == cycles // 2:
            channels.on_record("fault", {"cell_time": system.t, "unit": "PH-1", "source": "screwer", "code": 303,
                                         "name": "ESTOP", "message": "emergency stop", "action": "reset"})


def _messages(path: Path) -> list[tuple[str, int, bytes]]:
    with path.open("rb") as f:
        return [(channel.topic, message.log_time, message.data)
                for _, channel, message in make_reader(f).iter_messages(log_time_order=False)]


def test_the_writer_process_writes_the_bytes_the_loop_would_have_written(tmp_path: Path) -> None:
    inline = Recorder(tmp_path / "inline.mcap", _System(7), CellGeometry(CELL))  # type: ignore[arg-type]
    _drive(inline, inline.system, 120)  # type: ignore[arg-type]
    inline.close()
    system = _System(7)
    remote = ChannelsProcess(system, CELL, tmp_path / "remote.mcap", None)  # type: ignore[arg-type]
    _drive(remote, system, 120)
    remote.close()
    ours, theirs = _messages(tmp_path / "remote.mcap"), _messages(tmp_path / "inline.mcap")
    assert len(ours) > 60 * 5 and ours == theirs
    assert remote.child_cpu_s is not None and remote.child_cpu_s > 0.0


def test_a_killed_loop_leaves_a_valid_file_with_what_was_sent(tmp_path: Path) -> None:
    path = tmp_path / "killed.mcap"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_channel_process import CELL, _System, _drive
        from cellctl.service.channel_process import ChannelsProcess
        system = _System(3)
        channels = ChannelsProcess(system, CELL, {str(path)!r}, None)
        _drive(channels, system, 100)
        time.sleep(0.2)
        channels.sample()  # a cycle with no sample due: hands the aged batch over
        print(channels._process.pid, flush=True)
        time.sleep(60)
    """)
    # from tmp_path: a source tree in the working directory would shadow the installed package
    loop = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        writer = int(loop.stdout.readline())  # type: ignore[union-attr]
        time.sleep(0.5)  # the last samples reach the writer
        loop.send_signal(signal.SIGKILL)
        loop.wait(10)
        deadline = time.monotonic() + 20.0
        while _alive(writer) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(writer), "the writer outlived its loop by 20 s"
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.wait(10)
        loop.stdout.close()  # type: ignore[union-attr]
    joint_states = [m for m in _messages(path) if m[0] == "/cell/loader/joint_states"]
    assert len(joint_states) == 50  # 100 cycles of 10 ms at 50 Hz: all of them, in a finished file
    assert [m[1] for m in joint_states] == [20_000_000 * k + 10_000_000 for k in range(50)]


def test_a_dead_writer_does_not_block_the_loop_and_close_says_the_recording_is_incomplete(tmp_path: Path) -> None:
    system = _System(5)
    channels = ChannelsProcess(system, CELL, tmp_path / "dead.mcap", None)  # type: ignore[arg-type]
    _drive(channels, system, 20)
    os.kill(channels._process.pid, signal.SIGKILL)  # type: ignore[arg-type]
    channels._process.join(10)
    start = time.monotonic()
    _drive(channels, system, 2000)
    assert time.monotonic() - start < 10.0
    assert channels._lost  # noticed, and nothing more is queued
    with pytest.raises(RecordingError, match=r"recording '.*dead.mcap' is incomplete: the recorder process ended"):
        channels.close()


def test_a_taken_foxglove_port_is_refused_before_the_run(tmp_path: Path) -> None:
    import socket  # foxglove-sdk is a test dependency

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RecordingError, match=f"cannot start the Foxglove server on 127.0.0.1:{port}"):
            ChannelsProcess(_System(1), CELL, None, port)  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ours: reaped by nobody in this process) counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_incomplete_recording_is_a_warning_and_the_run_goes_on(tmp_path: Path, caplog) -> None:
    from types import SimpleNamespace

    from cellctl.service.recording import recording

    system = _System(9)
    supervisor = SimpleNamespace(system=system, cell=CELL, ctx=object())
    journal = SimpleNamespace(listeners=[])
    journal.add_listener = journal.listeners.append
    with caplog.at_level("WARNING", logger="cellctl.recording"):
        with recording(tmp_path / "run.mcap", supervisor, journal) as sample:  # type: ignore[arg-type]
            assert sample is not None and journal.listeners
            channels = sample.__self__  # type: ignore[attr-defined]
            os.kill(channels._process.pid, signal.SIGKILL)
            channels._process.join(10)
            for k in range(300):  # the loop goes on, at full speed
                system.t = 0.01 * (k + 1)
                sample()
    assert not journal.listeners
    assert [r.getMessage() for r in caplog.records] == [
        f"recording {str(tmp_path / 'run.mcap')!r} is incomplete: the recorder process ended (exit code -9) "
        "before it could finish"]
