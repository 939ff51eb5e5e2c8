"""Worker processes and the coordinator that hands them units.

Each worker is a spawned process with its own headless PyBullet world per unit; it takes one
unit index at a time over its own pipe and answers with the unit's outcome. The coordinator
alone writes the ledger. When a worker dies (a crash, an out-of-memory kill, SIGKILL), the unit
it held goes back to the front of the queue and a new worker takes its place; a unit whose
workers died :data:`MAX_TRIES` times is recorded as ``ERROR`` so a sweep always ends.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import sys
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from cellctl.sweep.ledger import Ledger, UnitOutcome

__all__ = ["MAX_TRIES", "SweepJob", "run_pool", "quiet_stdout"]

MAX_TRIES = 3
"""Dispatches of one unit whose worker died before its unit counts as ERROR."""


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to stderr for a while (PyBullet's import banner is a C-level printf)."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _die_with_parent() -> None:
    """On Linux, have the kernel SIGKILL this worker when the coordinator dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # without it an orphan finishes its unit, then finds the pipe closed and exits


@dataclass(frozen=True)
class SweepJob:
    """What every worker needs to build any unit of the sweep (picklable)."""

    recipe: Path
    cell: Path
    rates: Mapping[str, float]
    seed: int


def _worker_main(conn: Connection, job: SweepJob) -> None:
    """A worker's life: load once, then build the units it is sent until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    _die_with_parent()
    os.dup2(2, 1)  # PyBullet prints to fd 1 (C level); the coordinator's stdout is for the report only
    from cellctl.config import load_cell
    from cellctl.recipe import load_recipe
    from cellctl.sweep.unit import run_unit

    cell = load_cell(job.cell)
    recipe = load_recipe(job.recipe)
    while True:
        try:
            unit = conn.recv()
        except EOFError:  # the coordinator is gone
            return
        if unit is None:
            return
        try:
            outcome = run_unit(recipe, cell, job.rates, job.seed, unit)
        except Exception as exc:  # one unit's error is its result, not the sweep's end
            outcome = UnitOutcome(unit, -1, "ERROR", f"{type(exc).__name__}: {exc}", ("error",), 0, None, 0.0)
        conn.send(outcome)


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    unit: int | None = None

    @property
    def pid(self) -> int:
        return int(self.process.pid or 0)


@dataclass
class _Pool:
    job: SweepJob
    ledger: Ledger
    size: int
    on_result: Callable[[UnitOutcome], None]
    pending: deque[int] = field(default_factory=deque)
    workers: list[_Worker] = field(default_factory=list)
    tries: dict[int, int] = field(default_factory=dict)

    def spawn(self) -> None:
        ctx = mp.get_context("spawn")  # a clean interpreter: no inherited PyBullet or sockets
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child, self.job), daemon=True, name="cellctl-sweep-worker")
        process.start()
        child.close()
        self.workers.append(_Worker(process, parent))

    def dispatch(self) -> None:
        busy = sum(w.unit is not None for w in self.workers)
        while len(self.workers) < self.size and len(self.workers) < busy + len(self.pending):
            self.spawn()
        for worker in self.workers:
            if worker.unit is None and self.pending:
                worker.unit = self.pending.popleft()
                self.tries[worker.unit] = self.tries.get(worker.unit, 0) + 1
                self.ledger.dispatched(worker.unit, worker.pid)
                worker.conn.send(worker.unit)

    def collect(self, timeout: float) -> None:
        waitables: list = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        ready = set(wait(waitables, timeout))
        for worker in list(self.workers):
            if worker.conn in ready and self._receive(worker):
                continue
            if worker.process.sentinel in ready or worker.conn in ready:
                self._lost(worker)

    def _receive(self, worker: _Worker) -> bool:
        """Take a finished unit from ``worker``; False when the pipe is broken (the worker died)."""
        try:
            outcome: UnitOutcome = worker.conn.recv()
        except (EOFError, OSError):
            return False
        if self.ledger.record(outcome, worker.pid):
            self.on_result(outcome)
        worker.unit = None
        return True

    def _lost(self, worker: _Worker) -> None:
        worker.process.join(timeout=5.0)
        worker.conn.close()
        self.workers.remove(worker)
        unit = worker.unit
        if unit is None:
            return
        self.ledger.worker_lost(unit, worker.pid)
        if self.tries[unit] >= MAX_TRIES:
            outcome = UnitOutcome(unit, -1, "ERROR", f"its worker died {MAX_TRIES} times (exit code "
                                  f"{worker.process.exitcode})", ("worker died",), 0, None, 0.0)
            if self.ledger.record(outcome, worker.pid):
                self.on_result(outcome)
        else:
            self.pending.appendleft(unit)  # re-run elsewhere, first

    def stop(self) -> None:
        """Idle workers are told to leave; busy ones (an interrupted sweep) are killed: the ledger has
        nothing of their units, which ``--resume`` builds again."""
        for worker in self.workers:
            try:
                if worker.unit is None:
                    worker.conn.send(None)
                else:
                    worker.process.kill()
            except OSError:
                pass
        deadline = time.monotonic() + 5.0
        for worker in self.workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5.0)
            worker.conn.close()
        self.workers.clear()


def run_pool(job: SweepJob, units: Iterable[int], workers: int, ledger: Ledger,
             on_result: Callable[[UnitOutcome], None] = lambda outcome: None) -> None:
    """Build ``units`` (indices) on ``workers`` processes, recording each outcome in ``ledger`` once.

    Returns when every unit is recorded; on KeyboardInterrupt the workers are stopped (units in
    progress are lost and re-run by ``--resume``) and the interrupt is raised again.
    """
    pool = _Pool(job, ledger, max(1, workers), on_result, deque(units))
    try:
        while pool.pending or any(w.unit is not None for w in pool.workers):
            pool.dispatch()
            pool.collect(timeout=1.0)
    finally:
        pool.stop()
