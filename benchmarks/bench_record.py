"""What ``--record FILE.mcap`` and ``--foxglove`` cost: the demo run without, with ``--record``,
and with ``--record --foxglove`` (a Foxglove client subscribed to every channel), in one run.
The messages are encoded and written by a writer process (cellctl.service.channel_process); the
control loop's side reads the arms and queues the sample.

Runs ``cellctl demo --units N --json`` in this process, the sides in turn, ``--pairs`` times
each (so a burst of load on the shared machine spoils one pass, not one side). For each run it
prints the wall time, the CPU time of this process and the real-time factor (cell seconds per
wall second); for the runs that record or serve also the time spent inside the cell's channels
(sampling the arms, encoding once, writing to the MCAP file and handing to the Foxglove server;
measured by wrapping their methods), as a share of that run's wall time and (thread CPU time) of
the process's CPU time: the figure least disturbed by other load; and the writer process's own CPU
time (on another core when there is a free one). With ``--foxglove`` a client
in its own process (the test client, ``tests/service/_foxglove.py``) subscribes to every channel
and reads every frame, as the Foxglove app would; its own CPU time is printed apart (it is not
the cell's). Then the best of each side, the overheads, and the recording's size. Run:

    python benchmarks/bench_record.py [--units 1] [--pairs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcap.reader import make_reader  # noqa: E402

from cellctl.cli.main import main as cellctl  # noqa: E402
from cellctl.service.channel_process import ChannelsProcess  # noqa: E402

INSIDE = [0.0, 0.0]  # wall and CPU seconds inside the loop's side of the cell's channels
WRITER: list[float] = []  # the writer process's CPU seconds
CLIENTS: list[subprocess.Popen] = []
SIDES = {"without": [], "record": ["--record"], "record+foxglove": ["--record", "--foxglove=0"]}

CLIENT = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT / 'tests' / 'service')!r})
from websockets.exceptions import ConnectionClosed
from _foxglove import FoxgloveClient
frames = size = 0
with FoxgloveClient(int(sys.argv[1])) as client:
    client.handshake({{"/tf"}})
    client.subscribe(*client.channels)
    try:
        while True:
            frame = client.ws.recv(timeout=600)
            frames += 1
            size += len(frame)
    except (ConnectionClosed, TimeoutError):
        pass
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"frames": frames, "bytes": size, "cpu_s": usage.ru_utime + usage.ru_stime}}))
"""


def _timed(method: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return method(*args, **kwargs)
        finally:
            INSIDE[0] += time.perf_counter() - wall
            INSIDE[1] += time.thread_time() - cpu
    return wrapper


_started = ChannelsProcess.__init__
_closed = ChannelsProcess.close


def _with_client(self: ChannelsProcess, *args, **kwargs) -> None:
    """Start the writer (and its server), then a client in its own process that subscribes to every channel."""
    _started(self, *args, **kwargs)
    if self.foxglove_port is not None:
        CLIENTS.append(subprocess.Popen([sys.executable, "-c", CLIENT, str(self.foxglove_port)],
                                        stdout=subprocess.PIPE, text=True))


def _noting_writer(self: ChannelsProcess) -> None:
    _closed(self)
    WRITER.append(self.child_cpu_s or 0.0)


ChannelsProcess.__init__ = _timed(_with_client)  # type: ignore[method-assign]
ChannelsProcess.close = _timed(_noting_writer)  # type: ignore[method-assign]
for _name in ("sample", "on_record"):
    setattr(ChannelsProcess, _name, _timed(getattr(ChannelsProcess, _name)))


def run_demo(folder: Path, units: int, side: str) -> dict:
    for stale in folder.iterdir():
        if stale.name.startswith("bench.db") and stale.is_file():
            stale.unlink()
    argv = ["demo", "--units", str(units), "--json", "--quiet", "--db", str(folder / "bench.db"),
            "--image", str(folder / "bench.png")]
    argv += _options(folder, side)
    INSIDE[:] = [0.0, 0.0]
    WRITER.clear()
    out = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cellctl(argv)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert code == 0, summary
    summary.update(process_wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu, inside_s=INSIDE[0],
                   inside_cpu_s=INSIDE[1], writer_cpu_s=sum(WRITER))
    while CLIENTS:
        client = CLIENTS.pop()
        summary["client"] = json.loads(client.communicate(timeout=60)[0])
    return summary


def _options(folder: Path, side: str) -> list[str]:
    options = []
    for option in SIDES[side]:
        options += ["--record", str(folder / "bench.mcap")] if option == "--record" else [option]
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results: dict[str, list[dict]] = {side: [] for side in SIDES}
        for index in range(args.pairs):
            for side in SIDES:
                s = run_demo(folder, args.units, side)
                results[side].append(s)
                inside = (f", channels {s['inside_s']:5.2f} s wall = {100 * s['inside_s'] / s['wall_time_s']:.1f} %"
                          f" of the run, {s['inside_cpu_s']:5.2f} s CPU = {100 * s['inside_cpu_s'] / s['cpu_s']:.1f} %"
                          f" of the process's; writer process {s['writer_cpu_s']:5.2f} s CPU"
                          if side != "without" else "")
                client = (f"; client got {s['client']['frames']} frames, {s['client']['bytes'] / 1e6:.2f} MB, used "
                          f"{s['client']['cpu_s']:.2f} s CPU" if "client" in s else "")
                print(f"pass {index + 1} {side:>16}: run {s['wall_time_s']:6.2f} s wall, "
                      f"process {s['cpu_s']:6.2f} s CPU, {s['realtime_factor']:.2f}x real time{inside}{client}",
                      flush=True)
        record = folder / "bench.mcap"
        with record.open("rb") as stream:
            summary = make_reader(stream).get_summary()
        messages = summary.statistics.message_count if summary and summary.statistics else 0
        size = record.stat().st_size
    best = {side: max(r["realtime_factor"] for r in runs) for side, runs in results.items()}
    cpu = {side: min(r["cpu_s"] for r in runs) for side, runs in results.items()}
    for side in list(SIDES)[1:]:
        share = [r["inside_s"] / r["wall_time_s"] for r in results[side]]
        cpu_share = [r["inside_cpu_s"] / r["cpu_s"] for r in results[side]]
        print(f"{side}: best real-time factor {best[side]:.2f}x against {best['without']:.2f}x without "
              f"({100 * (best['without'] / best[side] - 1):+.1f} % time); least CPU time {cpu[side]:.2f} s against "
              f"{cpu['without']:.2f} s ({100 * (cpu[side] / cpu['without'] - 1):+.1f} %); inside the channels "
              f"{100 * min(share):.1f} .. {100 * max(share):.1f} % of each run's wall time, "
              f"{100 * min(cpu_share):.1f} .. {100 * max(cpu_share):.1f} % of its CPU time")
    print(f"recording: {size / 1e6:.2f} MB, {messages} messages, {size / max(1, messages):.0f} bytes per message")


if __name__ == "__main__":
    main()
