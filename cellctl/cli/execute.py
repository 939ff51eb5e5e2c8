"""Running units on a backend with the supervisor: shared by ``cellctl run`` and ``cellctl demo``."""

from __future__ import annotations

import json
import select
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from cellctl.cli.backends import make_backend
from cellctl.cli.progress import Progress
from cellctl.cli.terminal import paint, table
from cellctl.config import CellDescription
from cellctl.hw import HardwareError, HardwareSystem
from cellctl.journal import Journal, JournalError
from cellctl.recipe import Recipe
from cellctl.rt import Context, State
from cellctl.supervisor import CellState, CellStatus, RunSummary, Supervisor
from cellctl.cli.loading import UsageError

EXIT_OK, EXIT_NOK, EXIT_USAGE, EXIT_FAULT = 0, 1, 2, 3


@dataclass
class RunOptions:
    backend: str = "sim"
    units: int = 1
    db: Path = Path("cellctl-journal.db")
    resume: bool = False
    gui: bool = False
    realtime: bool = False
    json: bool = False
    seed: int = 0
    inject: dict[str, str] | None = None
    image: Path | None = None
    quiet: bool = False


class _Interrupts:
    """Ctrl-C pauses (a controlled stop on the path); a second Ctrl-C aborts the unit.
    While paused on a terminal, Enter resumes."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor, self.count = supervisor, 0
        self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            print("\npausing (controlled stop) — Enter resumes, Ctrl-C again aborts", file=sys.stderr)
            self.supervisor.pause()
        else:
            print("\naborting the unit", file=sys.stderr)
            self.supervisor.abort()

    def poll(self) -> None:
        """Resume on Enter while paused (terminals only)."""
        if self.supervisor.state is not CellState.PAUSED or not sys.stdin.isatty():
            return
        if select.select([sys.stdin], [], [], 0.0)[0]:
            sys.stdin.readline()
            self.count = 0
            print("resuming", file=sys.stderr)
            self.supervisor.resume()

    def restore(self) -> None:
        signal.signal(signal.SIGINT, self._previous)


def build_supervisor(recipe: Recipe, cell: CellDescription, options: RunOptions,
                     open_journal: Callable[[Path], Journal] = Journal) -> tuple[HardwareSystem, Journal, Supervisor]:
    """The backend, the journal and the supervisor for ``options`` (shared by ``run`` and ``serve``)."""
    state_file = options.db.with_suffix(options.db.suffix + ".sim.json") if options.backend == "sim" else None
    if options.backend == "sim" and not options.resume and state_file is not None and state_file.exists():
        state_file.unlink()  # a fresh run starts from a fresh world; --resume continues the saved one
    system, next_kit = make_backend(options.backend, cell, seed=options.seed, gui=options.gui,
                                    realtime=options.realtime, failures=options.inject or {}, state_file=state_file)
    try:
        journal = open_journal(options.db)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None
    return system, journal, Supervisor(Context(), system, cell, recipe, journal, next_kit=next_kit)


def execute(recipe: Recipe, cell: CellDescription, options: RunOptions) -> int:
    """Build units and report; returns the exit code."""
    system, journal, supervisor = build_supervisor(recipe, cell, options)
    progress = Progress(sys.stderr, quiet=options.quiet)
    supervisor.create_subscription(CellStatus, "~/status", progress)
    interrupts = _Interrupts(supervisor)
    try:
        if supervisor.configure() is not State.INACTIVE or supervisor.activate() is not State.ACTIVE:
            print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: the {options.backend} backend did not "
                  "come up; check the connection and the controller, then try again", file=sys.stderr)
            return EXIT_FAULT
        summary = supervisor.run(options.units, resume=options.resume, on_cycle=interrupts.poll)
        if options.image is not None and hasattr(system, "save_image"):
            system.save_image(options.image)
    except HardwareError as exc:
        print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: {exc}", file=sys.stderr)
        return EXIT_FAULT
    finally:
        interrupts.restore()
        supervisor.shutdown()
        units = journal.units()
        journal.close()
    _report(summary, units[-len(summary.serials):] if summary.serials else [], options)
    return _exit_code(summary)


def _exit_code(summary: RunSummary) -> int:
    if summary.hardware_fault:
        return EXIT_FAULT
    if summary.units_nok or summary.units_aborted or summary.state is not CellState.IDLE:
        return EXIT_NOK
    return EXIT_OK


def _report(summary: RunSummary, units: list, options: RunOptions) -> None:
    rows = []
    for unit in units:
        duration = (unit.sim_ended or 0.0) - (unit.sim_started or 0.0)
        colour = {"OK": "green", "NOK": "red"}.get(unit.result, "yellow")
        rows.append([unit.serial, paint(unit.result, colour), f"{duration:.2f}", unit.reason or ""])
    if rows:
        print(table(rows, ["unit", "result", "cycle s", "reason"]))
    factor = summary.sim_time_s / summary.wall_time_s if summary.wall_time_s > 0 else 0.0
    print(f"{summary.units_ok} OK, {summary.units_nok} NOK, {summary.units_aborted} aborted; "
          f"mean cycle {summary.cycle_time_s:.2f} s; {summary.sim_time_s:.1f} s of cell time in "
          f"{summary.wall_time_s:.1f} s ({factor:.1f}x real time); journal: {options.db}")
    if summary.state is not CellState.IDLE and summary.message:
        print(f"cell {summary.state.value}: {summary.message}", file=sys.stderr)
    if options.json:
        record = {"units_ok": summary.units_ok, "units_nok": summary.units_nok,
                  "units_aborted": summary.units_aborted, "cycle_time_s": summary.cycle_time_s,
                  "wall_time_s": summary.wall_time_s, "state": summary.state.value, "db": str(options.db),
                  "serials": summary.serials}
        if options.backend == "sim":
            record.update(sim_time_s=summary.sim_time_s, realtime_factor=factor)
        print(json.dumps(record))
