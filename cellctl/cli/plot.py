"""``cellctl plot --db PATH``: PNG plots of a unit — tightening curves with their windows and a
timeline of what each arm did; with ``--recipe/--cell``, the planned joint trajectories too."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellctl.cli.loading import UsageError, checked, load
from cellctl.cli.report import find_unit, open_journal
from cellctl.journal import Journal


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("plot", help="write PNG plots of a unit", description=__doc__)
    p.add_argument("--db", type=Path, required=True, help="production journal (SQLite)")
    p.add_argument("--unit", default=None, help="unit serial (default: the latest)")
    p.add_argument("--out", type=Path, default=Path("cellctl-plots"), help="output folder (default: %(default)s)")
    p.add_argument("--recipe", type=Path, default=None, help="also plot the recipe's planned joint motion")
    p.add_argument("--spc", action="store_true", help="control charts instead: one PNG per program and hole, "
                   "with limits, zones, EWMA and alarms (docs/quality.md)")
    p.add_argument("--cell", type=Path, default=None, help="the cell of --recipe")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _plot(args)
    except OSError as exc:  # the output folder or one of its files cannot be written
        where = exc.filename or args.out
        raise UsageError([f"{where}: cannot write the plots there ({exc.strerror or exc}); give --out a folder "
                          "you can write to"]) from None


def _plot(args: argparse.Namespace) -> int:
    from cellctl import plotting

    written: list[Path] = []
    if args.spc:
        with open_journal(args.db) as journal:
            written = _control_charts(journal, args.out)
        for path in written:
            print(path)
        if not written:
            print(f"{args.db}: no quality charts (give the recipe a 'quality:' section, docs/quality.md)")
        return 0
    with open_journal(args.db) as journal:
        if args.out.exists() and not args.out.is_dir():
            raise UsageError([f"{args.out}: is a file, not a folder; give --out a folder to write the plots into"])
        args.out.mkdir(parents=True, exist_ok=True)
        units = journal.units()
        unit = find_unit(journal, args.unit) if args.unit else (units[-1] if units else None)
        if unit is None:
            print(f"{args.db}: the journal has no units yet")
            return 0
        for t in journal.tightenings(unit.id):
            written.append(plotting.plot_tightening(t, args.out / f"{unit.serial}_{t.hole}_try{t.attempt}.png",
                                                    unit.serial))
        written.append(plotting.plot_timeline(unit, journal.steps(unit.id), args.out / f"{unit.serial}_timeline.png"))
    if args.recipe is not None:
        recipe, cell = load(args.recipe, args.cell)
        checked(recipe, cell)
        written.extend(plotting.plot_planned_joints(recipe, cell, args.out))
    for path in written:
        print(path)
    return 0


def _control_charts(journal: Journal, out: Path) -> list[Path]:
    """One control chart PNG per (program, hole) in the journal."""
    from cellctl.quality.plot import plot_control_chart

    windows = {t.program: (t.torque_min, t.torque_max) for t in journal.tightenings()}
    limits = {(row["program"], row["hole"]): row for row in journal.spc_limits()}
    charts: dict[tuple[str, str], list[dict]] = {}
    for point in journal.spc_points():
        charts.setdefault((point["program"], point["hole"]), []).append(point)
    return [plot_control_chart(points, limits.get(key), windows.get(key[0]), out / f"spc_{key[0]}_{key[1]}.png")
            for key, points in sorted(charts.items())]
