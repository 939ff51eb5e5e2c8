"""A ``cellctl serve`` process for tests: on its own loopback port and domain, stopped by its test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cellctl.config import demo_cell_path
from cellctl.service.access import read_token
from cellctl.service.client import CellClient

DEMO_RECIPE = Path(__file__).resolve().parents[2] / "cellctl" / "config" / "demo" / "recipe.yaml"
READY_TIMEOUT = 120.0  # s for serve to load the cell and come up (a busy shared machine)

from _cli import CELLCTL, Result, cli_env  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str, period: float = 0.05) -> object:
    """Poll ``predicate`` until truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(period)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Served:
    """A running serve process and what a client needs to reach it."""

    process: subprocess.Popen
    endpoint: str
    domain: int
    token_file: Path
    db: Path
    log: Path

    def options(self, token_file: Path | None = None) -> list[str]:
        return ["--connect", self.endpoint, "--domain", str(self.domain), "--token-file",
                str(token_file or self.token_file)]

    def client(self, token: bool = True) -> CellClient:
        return CellClient([self.endpoint], self.domain, read_token(self.token_file) if token else None)

    def cli(self, *args: str, token_file: Path | None = None, timeout: float = 60.0) -> Result:
        argv = [*args, *self.options(token_file)]
        done = subprocess.run([*CELLCTL, *argv], capture_output=True, text=True, timeout=timeout, env=cli_env())
        return Result(argv, done.returncode, done.stdout, done.stderr)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then wait (killing it only if it does not end in time); returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"serve did not stop within {timeout} s of SIGTERM:\n{self.log.read_text()}")
        return self.process.returncode


def start_serve(tmp_path: Path, *extra: str, port: int | None = None, log: str = "serve.log") -> Served:
    """Serve the demo cell with its journal and token in ``tmp_path`` (on ``port``, or a free one)."""
    port = port or free_port()
    served = Served(None, f"tcp/127.0.0.1:{port}", 1 + port % 200, tmp_path / "cell.token",  # type: ignore[arg-type]
                    tmp_path / "journal.db", tmp_path / log)
    argv = [*CELLCTL, "serve", "--cell", str(demo_cell_path()), "--recipe", str(DEMO_RECIPE), "--db", str(served.db),
            "--listen", served.endpoint, "--domain", str(served.domain), "--token-file", str(served.token_file),
            *extra]
    with served.log.open("w") as log:
        served.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=cli_env())
    try:
        wait_for(lambda: "ready" in served.log.read_text() or served.process.poll() is not None, READY_TIMEOUT,
                 "serve to come up")
        assert served.process.poll() is None, f"serve exited {served.process.returncode}:\n{served.log.read_text()}"
    except BaseException:
        served.process.kill()
        served.process.wait(10)
        raise
    return served


@dataclass
class JointWatch:
    """The joint states of every arm as they arrive: (source time, positions) per arm, on the wall
    clock of the sender's attachment (a sample that arrives late still counts when it was taken)."""

    samples: dict[str, list[tuple[float, np.ndarray]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def callback(self, arm: str) -> Callable[[dict, int | None], None]:
        def on_sample(message: dict, sent: int | None) -> None:
            taken = sent / 1e9 if sent is not None else time.time()
            with self.lock:
                self.samples.setdefault(arm, []).append((taken, np.array(message["position"])))
        return on_sample

    def since(self, start: float) -> dict[str, np.ndarray]:
        with self.lock:
            return {arm: np.array([p for t, p in s if t >= start]) for arm, s in self.samples.items()}

    def moving(self, window: float = 0.3, tolerance: float = 1e-5) -> bool:
        """Some arm's joints changed within the last ``window`` seconds."""
        recent = self.since(time.time() - window)
        return any(len(p) > 1 and np.ptp(p, axis=0).max() > tolerance for p in recent.values())

    def travel_since(self, start: float) -> float:
        """The largest joint change of any arm in the samples taken since ``start`` (``time.time()``)."""
        return max(float(np.ptp(p, axis=0).max()) for p in self.since(start).values() if len(p))

    def travel_report(self, start: float) -> str:
        """What moved since ``start``: per arm, the joint that travelled most, and its first 40
        samples from 0.1 s before ``start`` (seconds after ``start``, position), for a failure's message."""
        lines = []
        with self.lock:
            samples = {arm: [(t, p) for t, p in s if t >= start - 0.1] for arm, s in self.samples.items()}
        for arm, taken in samples.items():
            after = np.array([p for t, p in taken if t >= start])
            if not len(after):
                continue
            joint = int(np.argmax(np.ptp(after, axis=0)))
            series = ", ".join(f"{t - start:+.3f} s {p[joint]:.4f}" for t, p in taken[:40])
            lines.append(f"{arm} joint {joint}: {float(np.ptp(after[:, joint])):.4f} rad over {len(after)} samples; "
                         f"{series}")
        return "\n".join(lines)

    def still_for(self, seconds: float) -> float:
        """Watch ``seconds``; returns the largest joint change of any arm in that time."""
        start = time.time()
        time.sleep(seconds)
        recent = self.since(start)
        assert all(len(p) >= 10 for p in recent.values()), "joint states stopped arriving"
        return max(float(np.ptp(p, axis=0).max()) for p in recent.values())


def origin_events(db: Path) -> list[tuple[str, str]]:
    """(kind, detail) of every journal event."""
    from cellctl.journal import Journal
    journal = Journal.read_only(db)
    try:
        return [(kind, detail or "") for _id, _unit, _at, kind, detail in journal.events()]
    finally:
        journal.close()


def pid_origin(pid: int | None = None) -> str:
    return f":{os.getpid() if pid is None else pid}"
