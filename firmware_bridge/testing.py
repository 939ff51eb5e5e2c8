"""Helpers for tests, HIL runs and benchmarks: run the emulator as a child process, bounded.

:class:`EmulatorProcess` starts ``python -m firmware_bridge.emulator`` with the given arguments,
waits (bounded) for its ready line and always stops it: SIGTERM, then SIGKILL after a grace time.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

__all__ = ["EmulatorProcess", "read_journal"]


if TYPE_CHECKING:
    from firmware_bridge.backend import SerialSystem


class EmulatorProcess:
    """A controller emulator in its own process (context manager).

    Attributes after start: ``info`` (the ready line's key=value pairs), ``url`` (the symlink or
    pty path, else the ``socket://`` URL).
    """

    def __init__(self, *args: str, ready_timeout: float = 10.0, command: list[str] | None = None,
                 log: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> None:
        """``command`` replaces ``python -m firmware_bridge.emulator`` (e.g. ``cellctl emulator``);
        ``log`` sends stderr to a file, so a chatty emulator never blocks on a full pipe."""
        self.args = list(args)
        self.ready_timeout = ready_timeout
        self.command = command or [sys.executable, "-m", "firmware_bridge.emulator"]
        self.log = log
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, str] = {}

    @property
    def url(self) -> str:
        """Where a host connects: the symlink, else the pty path, else the TCP URL."""
        if "link" in self.info:
            return self.info["link"]
        if "pty" in self.info:
            return self.info["pty"]
        return f"socket://{self.info['tcp']}"

    @property
    def tcp_url(self) -> str:
        """The ``socket://`` URL (requires ``--tcp``)."""
        return f"socket://{self.info['tcp']}"

    def start(self) -> "EmulatorProcess":
        """Start the process and wait for its ready line; raises RuntimeError (after cleanup) on failure."""
        env = dict(self.env if self.env is not None else os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        if self.log is not None:
            with open(self.log, "wb") as err:
                self.process = subprocess.Popen([*self.command, *self.args], stdout=subprocess.PIPE, stderr=err,
                                                stdin=subprocess.DEVNULL, env=env)
        else:
            self.process = subprocess.Popen([*self.command, *self.args], stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        try:
            line = self._read_ready_line()
        except BaseException:
            self.stop()
            raise
        self.info = dict(part.split("=", 1) for part in line.split() if "=" in part)
        return self

    def _read_ready_line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + self.ready_timeout
        buffer = b""
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                raise RuntimeError(f"emulator {' '.join(self.args)} did not become ready within "
                                   f"{self.ready_timeout} s (exit {self.process.poll()}): {self._stderr()[-2000:]}")
            readable, _, _ = select.select([fd], [], [], left)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                buffer += chunk
        return buffer.split(b"\n", 1)[0].decode()

    def _stderr(self) -> str:
        """What the emulator said on stderr so far (for error messages)."""
        assert self.process is not None
        if self.log is not None:
            with open(self.log, "rb") as err:
                return err.read().decode(errors="replace").strip()
        if self.process.poll() is not None and self.process.stderr is not None:
            return self.process.stderr.read().decode(errors="replace").strip()
        return ""

    def stop(self, grace: float = 3.0) -> int | None:
        """Terminate (then kill) the process; return its exit status. Idempotent."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        return process.returncode

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def read_journal(path: str) -> list[dict]:
    """Read an emulator journal (JSON lines); a torn last line is ignored."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return records


@contextmanager
def serial_systems(seed: int) -> Iterator[Callable[..., SerialSystem]]:
    """A factory of SerialSystems (seeded for reproducible ids) that are all shut down on exit."""
    from firmware_bridge.backend import SerialSystem

    systems: list[SerialSystem] = []

    def make(url: str, **kwargs: object) -> SerialSystem:
        system = SerialSystem(url, seed=seed, **kwargs)  # type: ignore[arg-type]
        systems.append(system)
        return system

    try:
        yield make
    finally:
        for system in systems:
            system.shutdown()
