"""``cellctl run RECIPE --cell CELL``: build units on the simulation or real controllers."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellctl.cli.backends import parse_drift, parse_injections
from cellctl.cli.execute import RunOptions, execute
from cellctl.cli.loading import checked, load


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``run`` and ``demo``, and what Ctrl-C does during a run."""
    p.epilog = INTERRUPTS_HELP
    p.add_argument("--units", type=_positive, default=1, help="units to build (default: %(default)s)")
    p.add_argument("--db", type=Path, default=None, help="production journal (SQLite) to write")
    p.add_argument("--gui", action="store_true", help="show the simulation in a window (paced to real time)")
    p.add_argument("--json", action="store_true", help="end with one JSON summary line on stdout")
    p.add_argument("--seed", type=int, default=0, help="simulation seed (default: %(default)s)")
    p.add_argument("--inject", metavar="HOLE=FAILURE,...", default=None,
                   help="simulation only: force screw failures (missing_screw, cross_thread, stripped, rehit)")
    p.add_argument("--drift", metavar="KIND=RATE%/unit,...", default=None,
                   help="simulation only: drift the screw process per unit (torque=+0.5%%/unit: good "
                        "screws stop 0.5%% of the target higher each unit; angle=...: the seat angle moves)")
    p.add_argument("--image", type=Path, default=None, help="simulation only: save a PNG of the cell at the end")
    p.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    add_record_option(p)


def add_record_option(p: argparse.ArgumentParser) -> None:
    """``--record FILE.mcap`` and ``--foxglove [PORT]``: shared by ``run``, ``demo`` and ``serve``."""
    from cellctl.service.foxglove import add_foxglove_option
    from cellctl.service.recording import mcap_path
    p.add_argument("--record", type=mcap_path, default=None, metavar="FILE.mcap",
                   help="write an MCAP recording (ROS 2 messages: joint states, tool poses, curves, steps, "
                        "faults, unit results; opens in Foxglove and 'ros2 bag'); see docs/recordings.md")
    add_foxglove_option(p, "the cell (the same channels as --record, and the arms in 3D)")


INTERRUPTS_HELP = """Ctrl-C during a run: the first pauses every arm on its path (a controlled stop;
on a terminal, Enter resumes); a second aborts the unit (journalled ABORTED, no further units,
exit 1); what the unit had done stays in the journal."""

MAX_UNITS = 1_000_000
"""Most units one invocation builds (more than a year of a 30 s cycle, around the clock)."""


def _positive(text: str) -> int:
    """``--units``: an integer in 1 .. MAX_UNITS."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number in 1 .. {MAX_UNITS}, got {text!r}") from None
    if not 1 <= value <= MAX_UNITS:
        raise argparse.ArgumentTypeError(f"must be in 1 .. {MAX_UNITS}, got {value}")
    return value


def options_from(args: argparse.Namespace, default_db: str) -> RunOptions:
    return RunOptions(backend=getattr(args, "backend", "sim"), units=args.units, db=args.db or Path(default_db),
                      resume=getattr(args, "resume", False), gui=args.gui, realtime=args.gui, json=args.json,
                      seed=args.seed, inject=parse_injections(args.inject), image=args.image, quiet=args.quiet,
                      record=args.record, foxglove=args.foxglove, drift=parse_drift(args.drift))


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("run", help="build units from a recipe", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe", type=Path, help="recipe YAML")
    p.add_argument("--cell", type=Path, required=True, help="cell description YAML")
    p.add_argument("--backend", default="sim",
                   help="sim, or serial:URL for real controllers (any pyserial URL; "
                        "serial:ARM=URL,ARM=URL for one controller per arm)")
    p.add_argument("--resume", action="store_true", help="first finish the unit an interruption left open")
    add_run_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    recipe, cell = load(args.recipe, args.cell)
    checked(recipe, cell)
    return execute(recipe, cell, options_from(args, "cellctl-journal.db"))
