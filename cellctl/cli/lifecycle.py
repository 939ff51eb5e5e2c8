"""Operator commands for what is unfinished: ``units --open``, ``reset``, ``recover``.

* ``cellctl units --open --db J``: the open units, where their parts are, what each arm holds, and
  the holes waiting for an operator's decision.
* ``cellctl reset --cell C --backend B --db J --reason TEXT``: clears the arms' latched faults
  (watchdog, e-stop, a restarted controller) and journals who reset and why; without ``--cell``
  it asks a running ``cellctl serve`` to reset (see ``cellctl status``).
* ``cellctl recover RECIPE --cell C --backend B --db J``: the clear-out of the last NOK or aborted
  unit (see :mod:`cellctl.supervisor.clearout`).
* ``cellctl recover --db J --hole H --decide redo|accept|reject --operator NAME``: the operator's
  decision about a hole whose tightening outcome is unknown (journaled; no backend needed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cellctl.cli.backends import make_backend
from cellctl.cli.execute import EXIT_FAULT, EXIT_NOK, EXIT_OK, RunOptions, cell_session
from cellctl.cli.loading import UsageError, checked, load
from cellctl.cli.operate import trigger
from cellctl.cli.report import open_journal
from cellctl.cli.serve import add_endpoint_options
from cellctl.cli.terminal import paint, table
from cellctl.config import ConfigError, load_cell
from cellctl.hw import HardwareError
from cellctl.journal import Journal, JournalError
from cellctl.journal.lifecycle import DECISIONS, decide, needing_clearout, open_units, unit_state


def add_parser(commands: argparse._SubParsersAction) -> None:
    units = commands.add_parser("units", help="list unfinished units (what is open, what each arm holds)",
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    units.add_argument("--db", type=Path, required=True, help="production journal (SQLite)")
    units.add_argument("--open", action="store_true", required=True, help="the units no run has finished")
    units.add_argument("--json", action="store_true", help="one JSON document")
    units.set_defaults(run=run_units)

    reset = commands.add_parser("reset", help="clear latched faults: of a running 'cellctl serve', or with "
                                "--cell, of every arm directly (the reason is journaled)",
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    _backend_options(reset, cell_required=False)
    reset.add_argument("--reason", help="why the cell is reset (journaled with the reset; required with --cell)")
    add_endpoint_options(reset)
    reset.add_argument("--json", action="store_true", help="without --cell: print the answer as one JSON line")
    reset.set_defaults(run=run_reset)

    recover = commands.add_parser("recover", help="clear out a NOK or aborted unit, or decide about a hole",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    recover.add_argument("recipe", type=Path, nargs="?", help="recipe YAML (for the clear-out)")
    _backend_options(recover, cell_required=False)
    recover.add_argument("--hole", help="a hole whose tightening outcome is unknown")
    recover.add_argument("--decide", choices=DECISIONS, help="redo: the hole is empty, drive it again; "
                         "accept: the screw is good; reject: the unit is NOK")
    recover.add_argument("--operator", help="who decides (name or badge, journaled)")
    recover.set_defaults(run=run_recover)


def _backend_options(p: argparse.ArgumentParser, cell_required: bool = True) -> None:
    p.add_argument("--cell", type=Path, required=cell_required, help="cell description YAML")
    p.add_argument("--backend", default="sim", help="sim, or serial:URL / serial:ARM=URL,ARM=URL")
    p.add_argument("--db", type=Path, default=Path("cellctl-journal.db"), help="production journal (SQLite)")


# ------------------------------------------------------------------ units --open
def run_units(args: argparse.Namespace) -> int:
    journal = open_journal(args.db)
    try:
        states = open_units(journal)
        waiting = [unit_state(journal, u) for u in journal.units() if u.result != "RUNNING"]
        states += [s for s in waiting if s.unknown_holes]
    finally:
        journal.close()
    records = [{"unit": s.unit.serial, "recipe": s.unit.recipe, "result": s.unit.result,
                "held": s.held(), "parts": {p: str(loc) for p, loc in s.moved.items()},
                "unknown_holes": [t.hole for t in s.unknown_holes]} for s in states]
    if args.json:
        print(json.dumps({"open": records}))
        return EXIT_OK
    if not records:
        print(f"no open units in {args.db}")
        return EXIT_OK
    rows = [[r["unit"], r["recipe"], ", ".join(f"{a}: {p}" for a, p in r["held"].items()) or "-",
             ", ".join(f"{p} {w}" for p, w in r["parts"].items()) or "-",
             paint(", ".join(r["unknown_holes"]), "red") if r["unknown_holes"] else ""] for r in records]
    print(table(rows, ["unit", "recipe", "arms hold", "parts", "outcome unknown"]))
    return EXIT_OK


# ------------------------------------------------------------------ reset
def run_reset(args: argparse.Namespace) -> int:
    """Reset a running ``serve`` (no ``--cell``), or the cell's controllers directly."""
    if args.cell is None:
        return trigger("reset")(args)
    if not args.reason:
        raise UsageError(["reset --cell: say why with --reason TEXT (it is journaled with the reset)"])
    try:
        cell = load_cell(args.cell)
    except ConfigError as exc:
        raise UsageError([str(exc)]) from None
    try:
        journal = Journal(args.db)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None
    state_file = args.db.with_suffix(args.db.suffix + ".sim.json") if args.backend == "sim" else None
    system, _ = make_backend(args.backend, cell, seed=0, gui=False, realtime=False, failures={},
                             state_file=state_file)
    try:
        system.configure()
        cleared = []
        for name, arm in system.arms.items():
            faults = [f.name for f in arm.read().faults if f.name != "LINK_DOWN"]
            arm.reset()
            cleared.append(f"{name}: {', '.join(faults) or 'no latched fault'}")
        # Leave the drives disabled: a controller whose drives stay enabled with no host latches its
        # watchdog again as soon as this command disconnects.
        system.activate()
        system.deactivate()
        journal.event("reset", f"{args.reason} (cleared {'; '.join(cleared)})", system.now(), None)
    except HardwareError as exc:
        print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: reset failed: {exc}", file=sys.stderr)
        return EXIT_FAULT
    finally:
        system.shutdown()
        journal.close()
    print(f"reset: {'; '.join(cleared)}; journaled in {args.db}")
    return EXIT_OK


# ------------------------------------------------------------------ recover
def run_recover(args: argparse.Namespace) -> int:
    if args.hole or args.decide or args.operator:
        return _decide(args)
    if args.recipe is None or args.cell is None:
        raise UsageError(["recover: give RECIPE and --cell for a clear-out, or --hole H --decide "
                          f"{'|'.join(DECISIONS)} --operator NAME for a decision"])
    recipe, cell = load(args.recipe, args.cell)
    checked(recipe, cell)
    if args.db.exists():
        journal = open_journal(args.db)
        try:
            nothing = not open_units(journal) and needing_clearout(journal, cell) is None
        finally:
            journal.close()
        if nothing:
            print(f"nothing to clear out: no unit left parts in the cell; journal: {args.db}")
            return EXIT_OK
    options = RunOptions(backend=args.backend, db=args.db, resume=True)
    try:
        with cell_session(recipe, cell, options) as (supervisor, _, journal):
            if open_units(journal):
                raise UsageError([f"a unit is still open in {args.db}: finish it with 'cellctl run --resume' "
                                  f"(or see 'cellctl units --open --db {args.db}')"])
            cleared = supervisor.clear_out()
            message = supervisor.state.value + (f": {supervisor.summary.message}" if not cleared else "")
    except HardwareError as exc:
        print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: {exc}", file=sys.stderr)
        return EXIT_FAULT
    if not cleared:
        print(f"cellctl: clear-out did not finish ({message})", file=sys.stderr)
        return EXIT_NOK
    print(f"the cell is clear; journal: {args.db}")
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    missing = [flag for flag, value in (("--hole", args.hole), ("--decide", args.decide),
                                        ("--operator", args.operator)) if not value]
    if missing:
        raise UsageError([f"recover: a decision needs --hole, --decide and --operator (missing {', '.join(missing)})"])
    try:
        journal = Journal(args.db)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None
    try:
        candidates = [unit_state(journal, u) for u in journal.units()]
        state = next((s for s in reversed(candidates) if any(t.hole == args.hole for t in s.unknown_holes)), None)
        if state is None:
            raise UsageError([f"no unit in {args.db} has hole {args.hole!r} waiting for a decision; "
                              f"'cellctl units --open --db {args.db}' lists what waits"])
        decision = decide(journal, state.unit, args.hole, args.decide, args.operator, 0.0)
    finally:
        journal.close()
    then = ("the unit is NOK: 'cellctl run RECIPE --cell CELL --backend B --resume' clears it out"
            if decision.decision == "reject" else "continue with 'cellctl run RECIPE --cell CELL --backend B --resume'")
    print(f"{state.unit.serial} {decision.hole}: {decision.decision} by {decision.operator} (tightening "
          f"{decision.command_id}), journaled; {then}")
    return EXIT_OK
