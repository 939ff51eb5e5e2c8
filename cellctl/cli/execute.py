"""Running units on a backend with the supervisor: shared by ``cellctl run`` and ``cellctl demo``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cellctl.cli.backends import make_backend
from cellctl.cli.progress import Progress
from cellctl.cli.terminal import paint, table
from cellctl.config import CellDescription
from cellctl.cli.signals import RunSignals
from cellctl.hw import HardwareError, HardwareSystem
from cellctl.journal import Journal, JournalError
from cellctl.journal.lifecycle import needing_clearout, open_units
from cellctl.recipe import Recipe
from cellctl.rt import Context, State
from cellctl.service.feed import ObservedJournal
from cellctl.service.recording import recording
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
    drift: dict[str, float] | None = None
    image: Path | None = None
    quiet: bool = False
    record: Path | None = None
    foxglove: int | None = None


def refuse_if_unfinished(journal: Journal, cell: CellDescription, options: RunOptions, *, serve: bool = False) -> None:
    """A run (``serve``: a service) without ``--resume`` never starts while a unit is open or
    left parts in the cell.

    Raises:
        UsageError: what is unfinished and the commands that continue or clear it.
    """
    if serve:
        resume = f"cellctl serve --cell CELL --recipe RECIPE --backend {options.backend} --db {options.db} --resume"
    else:
        resume = f"cellctl run RECIPE --cell CELL --backend {options.backend} --db {options.db} --resume"
    for state in open_units(journal):
        held = ", ".join(f"{arm} holds {part}" for arm, part in state.held().items()) or "no arm holds a part"
        raise UsageError([f"unit {state.unit.serial} is still open in {options.db} (not finished: {held}); "
                          f"continue it with '{resume}', or list open units with "
                          f"'cellctl units --open --db {options.db}'"])
    left = needing_clearout(journal, cell)
    if left is not None:
        raise UsageError([f"unit {left.unit.serial} ended {left.unit.result} and left "
                          f"{', '.join(left.left_in_cell(cell))} in the cell; clear it out with "
                          f"'cellctl recover RECIPE --cell CELL --backend {options.backend} --db {options.db}' "
                          f"(or '{resume}', which clears it out first)"])


def refuse_if_journal_unfinished(cell: CellDescription, options: RunOptions, *, serve: bool = False) -> None:
    """:func:`refuse_if_unfinished` on the journal at ``options.db``, if there is one, opened
    read-only: a refused run or service writes nothing.

    Raises:
        UsageError: the journal cannot be read, or a unit is unfinished.
    """
    if not options.db.exists():
        return
    try:
        existing = Journal.read_only(options.db)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None
    try:
        refuse_if_unfinished(existing, cell, options, serve=serve)
    finally:
        existing.close()


@contextmanager
def cell_session(recipe: Recipe, cell: CellDescription, options: RunOptions, *,
                 refuse_unfinished: bool = False) -> Iterator[tuple[Supervisor, HardwareSystem, Journal]]:
    """A configured and activated supervisor on the chosen backend, shut down on exit.

    Raises:
        UsageError: the journal cannot be used, or (``refuse_unfinished``) a unit is unfinished.
        HardwareError: the backend did not come up.
    """
    if refuse_unfinished:
        refuse_if_journal_unfinished(cell, options)
    observed = options.record is not None or options.foxglove is not None  # recorded or shown live
    system, journal, supervisor = build_supervisor(recipe, cell, options, ObservedJournal if observed else Journal)
    try:
        try:
            if supervisor.configure() is not State.INACTIVE or supervisor.activate() is not State.ACTIVE:
                raise HardwareError(f"the {options.backend} backend did not come up; check the connection and "
                                    "the controller, then try again")
            yield supervisor, system, journal
        finally:
            supervisor.shutdown()
    finally:
        journal.close()


def build_supervisor(recipe: Recipe, cell: CellDescription, options: RunOptions,
                     open_journal: Callable[[Path], Journal] = Journal) -> tuple[HardwareSystem, Journal, Supervisor]:
    """The backend, the journal and the supervisor for ``options`` (shared by ``run`` and ``serve``).

    Raises:
        UsageError: the journal cannot be used.
    """
    state_file = options.db.with_suffix(options.db.suffix + ".sim.json") if options.backend == "sim" else None
    if options.backend == "sim" and not options.resume and state_file is not None and state_file.exists():
        state_file.unlink()  # a fresh run starts from a fresh world; --resume continues the saved one
    system, next_kit = make_backend(options.backend, cell, seed=options.seed, gui=options.gui,
                                    realtime=options.realtime, failures=options.inject or {}, state_file=state_file,
                                    drift=options.drift)
    try:
        journal = open_journal(options.db)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None
    return system, journal, Supervisor(Context(), system, cell, recipe, journal, next_kit=next_kit)


def execute(recipe: Recipe, cell: CellDescription, options: RunOptions) -> int:
    """Build units and report; returns the exit code."""
    try:
        with cell_session(recipe, cell, options, refuse_unfinished=not options.resume) as (supervisor, system,
                                                                                           journal):
            progress = Progress(sys.stderr, quiet=options.quiet)
            supervisor.create_subscription(CellStatus, "~/status", progress)
            signals = RunSignals(supervisor)
            try:
                with recording(options.record, supervisor, journal,  # type: ignore[arg-type]
                               foxglove=options.foxglove) as sample:
                    on_cycle = signals.poll if sample is None else lambda: (signals.poll(), sample())
                    summary = supervisor.run(options.units, resume=options.resume, on_cycle=on_cycle)
            finally:
                signals.restore()
            if options.image is not None and hasattr(system, "save_image"):
                system.save_image(options.image)
            rows = _rows(journal, summary)
    except HardwareError as exc:
        print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: {exc}", file=sys.stderr)
        return EXIT_FAULT
    _report(summary, rows, options)
    return _exit_code(summary)


def _rows(journal: Journal, summary: RunSummary) -> list[list[str]]:
    """One table row per unit this invocation worked on (finished, resumed, or left open)."""
    rows = []
    for serial in [*summary.serials, *summary.held]:
        unit = journal.unit_by_serial(serial)
        if unit is None:
            continue
        result = "OPEN" if unit.result == "RUNNING" else unit.result
        colour = {"OK": "green", "NOK": "red"}.get(result, "yellow")
        note = "resumed" if serial in summary.resumed else ""
        reason = unit.reason or (summary.message if result == "OPEN" else "")
        rows.append([unit.serial, paint(result, colour), f"{journal.unit_time(unit.id):.2f}", note, reason or ""])
    return rows


def _first_nok(rows: list[list[str]]) -> str | None:
    """The serial of the first NOK unit of the run's table, or None."""
    return next((row[0] for row in rows if "NOK" in row[1]), None)


def _exit_code(summary: RunSummary) -> int:
    if summary.hardware_fault:
        return EXIT_FAULT
    if (summary.units_nok or summary.units_aborted or summary.held or summary.quality_paused
            or summary.state is not CellState.IDLE):
        return EXIT_NOK
    return EXIT_OK


def _report(summary: RunSummary, rows: list[list[str]], options: RunOptions) -> None:
    if rows:
        print(table(rows, ["unit", "result", "cycle s", "", "reason"]))
    factor = summary.sim_time_s / summary.wall_time_s if summary.wall_time_s > 0 else 0.0
    held = f", {len(summary.held)} left open" if summary.held else ""
    print(f"{summary.units_ok} OK, {summary.units_nok} NOK, {summary.units_aborted} aborted{held}; "
          f"mean cycle {summary.cycle_time_s:.2f} s; {summary.sim_time_s:.1f} s of cell time in "
          f"{summary.wall_time_s:.1f} s ({factor:.1f}x real time); journal: {options.db}")
    if summary.state is not CellState.IDLE and summary.message:
        print(f"cell {summary.state.value}: {summary.message}", file=sys.stderr)
    for alarm in summary.spc_alarms:
        print(f"{paint('quality alarm', 'yellow', sys.stderr)} on unit {alarm['unit']}: {alarm['hole']} "
              f"({alarm['program']}), rule {alarm['rule']}", file=sys.stderr)
    if summary.quality_paused:
        print(f"cell paused for maintenance: {summary.message}", file=sys.stderr)
    for serial in summary.held:
        print(f"unit {serial} is left open; after fixing the cause: 'cellctl reset --cell CELL --backend "
              f"{options.backend} --db {options.db} --reason TEXT' (after a fault), then 'cellctl run RECIPE "
              f"--cell CELL --backend {options.backend} --db {options.db} --resume'", file=sys.stderr)
    if options.json:
        record = {"units_ok": summary.units_ok, "units_nok": summary.units_nok,
                  "units_aborted": summary.units_aborted, "cycle_time_s": summary.cycle_time_s,
                  "wall_time_s": summary.wall_time_s, "state": summary.state.value, "db": str(options.db),
                  "serials": summary.serials, "resumed": summary.resumed, "held": summary.held,
                  "spc_alarms": summary.spc_alarms, "first_nok_unit": _first_nok(rows)}
        if options.backend == "sim":
            record.update(sim_time_s=summary.sim_time_s, realtime_factor=factor)
        print(json.dumps(record))
