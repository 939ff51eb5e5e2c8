"""The cell's channels encoded and written by a helper process, not by the control loop.

A recording (and the Foxglove live view) costs the encoding of every message into CDR, the MCAP
writer's bookkeeping and compression, and the forward kinematics of every tool: about 90 µs of
CPU per sample on the demo cell, which on the control loop's own thread was +7 % of the demo's
time. :class:`ChannelsProcess` leaves the control loop only what must be read there (each arm's
state and commanded state, every ``1/rate`` s of cell time, and the journal's records) and hands
it through a queue to a process of its own, which runs the same
:class:`~cellctl.service.channels.CellChannels` (same channels, same bytes) on a mirror of the arms.
On a machine with a free core the recording then costs the loop a few microseconds a sample.

Rules the two sides keep:

* The loop never waits for the writer: a sample is put on an unbounded queue (pickled and sent
  by the queue's own thread). A writer that died is noticed within ``CHECK_EVERY`` samples; from
  then on nothing more is sent (no memory grows) and :meth:`ChannelsProcess.close` raises, saying
  the recording is incomplete. The cell goes on: a recording never stops motion.
* Samples go in batches of ``BATCH``, or older than ``BATCH_AGE`` s of wall time (checked every
  control cycle): the live view lags by at most that.
* The writer finishes its file when the loop's process disappears without closing (SIGKILL):
  what was handed over is written and the MCAP file is valid (a batch not yet handed over, at
  most ``BATCH_AGE`` s, is lost with the process).
* Start-up: with ``--foxglove`` the loop waits (≤ ``START_TIMEOUT`` s) until the server listens
  (a taken port is an error before the run starts); an MCAP-only recording does not wait (its
  folder and file were checked first), so the run starts at once and the first samples queue.
"""

from __future__ import annotations

import multiprocessing
import queue
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cellctl.service.channels import RATE, SampleClock

if TYPE_CHECKING:
    from cellctl.config import CellDescription
    from cellctl.hw import HardwareSystem

START_TIMEOUT = 60.0
"""Seconds the loop waits for a Foxglove server in the writer to listen (the writer imports first)."""
CLOSE_TIMEOUT = 60.0
"""Seconds :meth:`ChannelsProcess.close` waits for the writer to finish its file."""
CHECK_EVERY = 100
"""Samples between two checks that the writer is alive (about 2 s of cell time at 50 Hz)."""
BATCH = 10
"""Samples handed over together: one hand-over (a thread wake-up, a pickle, a pipe write) costs
about 100 µs of the loop's process, so the loop sends batches. Records join the batch in order."""
BATCH_AGE = 0.1
"""Wall seconds after which a batch goes anyway, however small (the live view's lag bound)."""


class RecordingError(OSError):
    """The recording could not be started or finished; the message names the file and the cause."""


class ChannelsProcess:
    """The control loop's side: reads the arms when a sample is due and hands it to the writer.

    ``path``: the MCAP file (None: none); ``foxglove``: the live view's port (None: none, 0: a free
    one). The interface is that of :class:`~cellctl.service.channels.CellChannels`: ``sample()``
    every control cycle, ``on_record`` as a journal listener, ``close()`` once.

    Raises:
        RecordingError: the Foxglove server cannot start (port taken, foxglove-sdk missing).
    """

    def __init__(self, system: HardwareSystem, cell: CellDescription, path: Path | None, foxglove: int | None,
                 rate: float = RATE) -> None:
        self.system, self.path = system, path
        self.clock = SampleClock(rate)
        self.child_cpu_s: float | None = None
        """The writer's CPU time (user + system), seconds, once it has finished."""
        self.foxglove_port: int | None = None
        self._closed = self._lost = False
        self._samples = 0
        self._batch: list[tuple[Any, ...]] = []
        self._batch_started = 0.0
        context = multiprocessing.get_context("spawn")  # the parent holds a physics engine: no fork
        self._queue = context.Queue()
        self._replies = context.Queue()
        arms = {name: arm.commanded() is not None for name, arm in system.arms.items()}
        # daemon: a process that exits without close() is not held up by its writer at exit
        self._process = context.Process(target=_write, name="cellctl-recorder", daemon=True,
                                        args=(self._queue, self._replies, cell, arms, path, foxglove, rate))
        self._process.start()
        if foxglove is not None:
            kind, detail = self._reply(START_TIMEOUT, "start")
            if kind != "ready":
                self._end()
                raise RecordingError(detail)
            self.foxglove_port = detail

    # ------------------------------------------------------------------ the loop's side
    def sample(self, force: bool = False) -> None:
        """Hand the arms' state to the writer if ``1/rate`` s of cell time have passed."""
        if self._batch and time.monotonic() - self._batch_started >= BATCH_AGE:
            self._flush()  # on every cycle, so that a quiet cell's last samples reach the live view
        now = self.system.now()
        if self._lost or self._closed or not self.clock.due(now, force):
            return
        arms = {}
        for name, arm in self.system.arms.items():
            state = arm.read()
            arms[name] = (state.positions, state.velocities, state.efforts, arm.commanded())
        self._add(("sample", now, arms))
        self._samples += 1
        if self._samples % CHECK_EVERY == 0 and not self._process.is_alive():
            self._lost = True

    def on_record(self, kind: str, fields: dict[str, Any]) -> None:
        """A journal listener: the record goes to the writer in order with the samples."""
        if not (self._lost or self._closed):
            self._add(("record", kind, fields))

    def close(self) -> None:
        """Send the last state, let the writer finish (bounded), and raise if the recording is incomplete."""
        if self._closed:
            return
        if not self._lost:
            self.sample(force=True)
            self._add(("close",))
            self._flush()
        self._closed = True
        kind, detail = self._reply(CLOSE_TIMEOUT, "finish")
        self._lost = self._lost or kind != "done"
        self._end()
        if kind == "done":
            self.child_cpu_s = detail
            return
        what = f"recording {str(self.path)!r}" if self.path is not None else "the Foxglove live view"
        raise RecordingError(f"{what} is incomplete: {detail}")

    def _end(self) -> None:
        """Wait for the writer to exit (bounded; then it is terminated) and release the queues."""
        self._process.join(5.0)
        for stop in (self._process.terminate, self._process.kill):
            if self._process.is_alive():
                stop()
                self._process.join(5.0)
        for channel in (self._queue, self._replies):
            channel.close()
            if self._lost:  # nobody reads what is still buffered: drop it rather than wait
                channel.cancel_join_thread()
            channel.join_thread()
        self._process.close()

    def _add(self, message: tuple[Any, ...]) -> None:
        """Queue ``message`` in the batch; hand the batch over when it is full or old enough."""
        now = time.monotonic()
        if not self._batch:
            self._batch_started = now
        self._batch.append(message)
        if len(self._batch) >= BATCH or now - self._batch_started >= BATCH_AGE:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []

    def _reply(self, timeout: float, what: str) -> tuple[str, Any]:
        """The writer's next reply; ("error", why) when it ended without one, or did not answer within ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                kind, detail = self._replies.get(timeout=0.2)
                return kind, detail
            except queue.Empty:
                if not self._process.is_alive():
                    return "error", (f"the recorder process ended (exit code {self._process.exitcode}) "
                                     f"before it could {what}")
                if time.monotonic() > deadline:
                    return "error", f"the recorder process did not {what} within {timeout:.0f} s"


# ---------------------------------------------------------------------- the writer's side
@dataclass
class _ArmState:
    positions: np.ndarray
    velocities: np.ndarray
    efforts: np.ndarray | None


class _MirrorArm:
    """An arm as the writer sees it: the last state the loop sent."""

    def __init__(self, commanded: bool) -> None:
        empty = np.zeros(0)
        self.state = _ArmState(empty, empty, None)
        self._commanded: tuple[np.ndarray, np.ndarray] | None = (empty, empty) if commanded else None

    def read(self) -> _ArmState:
        return self.state

    def commanded(self) -> tuple[np.ndarray, np.ndarray] | None:
        return self._commanded

    def update(self, positions: np.ndarray, velocities: np.ndarray, efforts: np.ndarray | None,
               commanded: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.state = _ArmState(positions, velocities, efforts)
        if self._commanded is not None and commanded is not None:
            self._commanded = commanded


class _MirrorSystem:
    """The cell's clock and arms as the writer sees them (what :class:`CellChannels` reads)."""

    def __init__(self, arms: dict[str, bool]) -> None:
        self.arms = {name: _MirrorArm(commanded) for name, commanded in arms.items()}
        self.time = 0.0

    def now(self) -> float:
        return self.time


def _write(requests: Any, replies: Any, cell: CellDescription, arms: dict[str, bool], path: Path | None,
           foxglove: int | None, rate: float) -> None:
    """The writer process: the cell's channels on the mirror, fed from ``requests`` until "close"."""
    from cellctl.service.channels import CellChannels, Sink, close_all
    from cellctl.supervisor.geometry import CellGeometry

    mirror = _MirrorSystem(arms)
    sinks: list[Sink] = []
    try:
        if foxglove is not None:
            from cellctl.service.foxglove import FoxgloveSink
            sinks.append(FoxgloveSink(foxglove))
        if path is not None:
            from cellctl.service.recording import McapSink
            sinks.append(McapSink(path))
        channels = CellChannels(mirror, CellGeometry(cell), sinks, rate)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - the loop's side raises it with the message
        close_all(sinks)
        replies.put(("error", str(exc)))
        return
    if foxglove is not None:  # only the live view's start is waited for
        replies.put(("ready", getattr(sinks[0], "port", None)))
    parent = multiprocessing.parent_process()
    try:
        while True:
            try:
                batch = requests.get(timeout=1.0)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    break  # the loop's process is gone: finish the file with what came
                continue
            if not _play(batch, mirror, channels):
                break
        channels.close()
    except Exception as exc:  # noqa: BLE001 - reported to the loop's side, which raises it
        replies.put(("error", f"{type(exc).__name__}: {exc}"))
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    replies.put(("done", usage.ru_utime + usage.ru_stime))


def _play(batch: list[tuple[Any, ...]], mirror: _MirrorSystem, channels: Any) -> bool:
    """Write a batch's samples and records in order; False once it held "close"."""
    for message in batch:
        if message[0] == "sample":
            _, mirror.time, states = message
            for name, (positions, velocities, efforts, commanded) in states.items():
                mirror.arms[name].update(positions, velocities, efforts, commanded)
            channels.sample(force=True)
        elif message[0] == "record":
            channels.on_record(message[1], message[2])
        else:
            return False
    return True
