"""``cellctl report --db PATH``: the production journal as tables, JSON or CSV (``--spc``: the quality charts)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path

from cellctl.cli import exports
from cellctl.cli.loading import UsageError
from cellctl.cli.terminal import paint, table
from cellctl.journal import Journal, JournalError, StepRecord, TighteningRecord, UnitRecord
from cellctl.quality.summary import chart_rows

DETAIL_WIDTH = 60
"""Characters of a step's detail shown in the table (the exports carry it whole)."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("report", help="read back the production journal", description=__doc__)
    p.add_argument("--db", type=Path, required=True, help="production journal (SQLite)")
    p.add_argument("--unit", default=None, help="one unit's steps and tightening results, by serial")
    p.add_argument("--spc", action="store_true", help="the quality charts: limits, last point, EWMA, Cp/Cpk "
                   "per program and hole, and the quality alarms with their reaction (docs/quality.md)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON document")
    fmt.add_argument("--csv", action="store_true", help="CSV rows (units, or the unit's tightenings)")
    p.add_argument("--curves", action="store_true",
                   help="with --unit and --json or --csv: the unit's torque-angle curves (one row per sample in CSV)")
    p.set_defaults(run=run)


def open_journal(path: Path) -> Journal:
    """The journal, opened read-only: a report never changes it, and works on a file it may not write."""
    if not path.is_file():
        raise UsageError([f"{path}: no such journal file (write one with 'cellctl run --db {path}')"])
    try:
        return Journal.read_only(path)
    except JournalError as exc:
        raise UsageError([str(exc)]) from None


def find_unit(journal: Journal, serial: str) -> UnitRecord:
    unit = journal.unit_by_serial(serial)
    if unit is None:
        known = ", ".join(u.serial for u in journal.units()[-5:]) or "none"
        raise UsageError([f"no unit {serial!r} in {journal.path}; latest: {known}"])
    return unit


def _when(t: float | None) -> str:
    return dt.datetime.fromtimestamp(t).isoformat(timespec="seconds") if t else ""


def run(args: argparse.Namespace) -> int:
    if args.curves and (args.unit is None or not (args.json or args.csv)):
        raise UsageError(["--curves exports one unit's curves: add --unit SERIAL and --json or --csv"])
    with open_journal(args.db) as journal:
        if args.spc:
            return _spc(journal, args)
        if args.unit is None:
            units = journal.units()
            if args.json:
                print(json.dumps({"units": [exports.unit_row(u) for u in units]}, indent=1))
            elif args.csv:
                _csv([exports.unit_row(u) for u in units])
            else:
                _units_table(units)
            return 0
        unit = find_unit(journal, args.unit)
        steps, tightenings = journal.steps(unit.id), journal.tightenings(unit.id)
        events = [{"at": at, "kind": kind, "detail": detail}
                  for _, unit_id, at, kind, detail in journal.events() if unit_id == unit.id]
        if args.curves:
            _curves(unit, tightenings, as_json=args.json)
        elif args.json:
            print(json.dumps({"unit": exports.unit_row(unit),
                              "steps": [exports.step_row(s, unit.serial) for s in steps],
                              "tightenings": [exports.tightening_row(t, unit.serial) for t in tightenings],
                              "events": events, "inspections": journal.inspections(unit.id)}, indent=1))
        elif args.csv:
            _csv([exports.tightening_row(t, unit.serial) for t in tightenings])
        else:
            _unit_tables(unit, steps, tightenings)
            _inspections(journal.inspections(unit.id))
            if events:  # resumes, holds, clear-outs, operator decisions
                print()
                print(table([[f"{e['at']:.2f}", e["kind"], e["detail"] or ""] for e in events],
                            ["at s", "event", "detail"]))
    return 0


def _spc(journal: Journal, args: argparse.Namespace) -> int:
    rows, alarms = chart_rows(journal), journal.quality_alarms()
    if args.json:
        print(json.dumps({"charts": rows, "alarms": alarms}, indent=1))
        return 0
    if args.csv:
        _csv(rows)
        return 0
    if not rows:
        print(f"no quality charts in {journal.path}: give the recipe a 'quality:' section (docs/quality.md)")
        return 0
    num = lambda v, f: "" if v is None else format(v, f)  # noqa: E731
    print(table([[r["program"], r["hole"], r["phase"], str(r["points"]), num(r["center"], ".4f"),
                  num(r["sigma"], ".4f"), r["source"] or "", num(r["last"], ".4f"), num(r["last_z"], "+.1f"),
                  num(r["ewma_sigma"], "+.2f"), num(r["cp"], ".2f"), _cpk(r["cpk"]), str(r["alarms"])] for r in rows],
                ["program", "hole", "phase", "n", "centre Nm", "sigma", "limits", "last Nm", "last σ", "EWMA σ",
                 "Cp", "Cpk", "alarms"]))
    if alarms:
        print()
        serials = {u.id: u.serial for u in journal.units()}
        print(table([[serials.get(a["unit_id"], ""), a["hole"], a["program"], a["rule"], a["reaction"], a["effect"] or "",
                      a["message"]] for a in alarms], ["unit", "hole", "program", "rule", "reaction", "effect",
                                                       "alarm"]))
    return 0


def _cpk(value: float) -> str:
    return paint(f"{value:.2f}", "green" if value >= 1.33 else "yellow" if value >= 1.0 else "red")


def _curves(unit: UnitRecord, tightenings: list[TighteningRecord], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"unit": unit.serial, "curves": [exports.curve(t, unit.serial) for t in tightenings]}))
    else:
        _csv([row for t in tightenings for row in exports.curve_rows(t, unit.serial)], exports.CURVE_COLUMNS)


def _csv(rows: list[dict], columns: tuple[str, ...] | None = None) -> None:
    if not rows and columns is None:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns or rows[0]))
    writer.writeheader()
    writer.writerows(rows)


def _result(text: str) -> str:
    return paint(text, {"OK": "green", "NOK": "red", "FAILED": "red"}.get(text, "yellow"))


def _units_table(units: list[UnitRecord]) -> None:
    rows = [[u.serial, u.recipe, u.recipe_version, _result(u.result), _when(u.started_at),
             f"{(u.sim_ended or 0) - (u.sim_started or 0):.2f}" if u.sim_ended else "", u.reason or ""]
            for u in units]
    print(table(rows, ["unit", "recipe", "rev", "result", "started", "cycle s", "reason"]))
    ok = sum(u.result == "OK" for u in units)
    print(f"{len(units)} units: {ok} OK, {sum(u.result == 'NOK' for u in units)} NOK, "
          f"{sum(u.result == 'ABORTED' for u in units)} aborted, {sum(u.result == 'RUNNING' for u in units)} open")


def _step_result(step: StepRecord) -> str:
    """A step's result for people: a ``when`` condition is met or not met, not OK or FAILED."""
    if step.kind == "when":
        return paint({"OK": "met", "FAILED": "not met"}.get(step.result, step.result), "cyan")
    return _result(step.result)


def _inspections(rows: list[dict]) -> None:
    """The unit's placement inspections (docs/quality.md), one row per part."""
    if not rows:
        return

    def mm(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{value:+.2f}{unit}"

    print()
    print(table([[r["camera"], r["part"], _result("OK" if r["ok"] else "NOK"), r["problem"] or "", mm(r["dx"]),
                  mm(r["dy"]), mm(r["yaw"]), f"{r['tolerance']:.2f}", r["image"] or ""] for r in rows],
                ["camera", "part", "result", "problem", "dx mm", "dy mm", "yaw °", "tol mm", "picture"]))


def _unit_tables(unit: UnitRecord, steps: list[StepRecord], tightenings: list[TighteningRecord]) -> None:
    print(f"unit {unit.serial}: {_result(unit.result)} ({unit.recipe} rev {unit.recipe_version}, cell {unit.cell})"
          + (f" — {unit.reason}" if unit.reason else ""))
    print(table([[s.path, s.kind, s.arm or "", s.target or "", str(s.attempt), f"{s.started_at:.2f}",
                  f"{(s.ended_at or s.started_at) - s.started_at:.2f}", _step_result(s),
                  exports.shorten(s.detail or "", DETAIL_WIDTH)]
                 for s in steps], ["step", "kind", "arm", "target", "try", "start s", "took s", "result", "detail"]))
    if tightenings:
        print()
        print(table([[t.hole, str(t.attempt), f"{t.program} (#{t.program_id})",
                      f"{t.torque:.3f}" if t.torque is not None else "-", f"{t.torque_min:.3f}..{t.torque_max:.3f}",
                      f"{t.angle:.0f}" if t.angle is not None else "-", f"{t.angle_min:.0f}..{t.angle_max:.0f}",
                      _result(t.status), t.failure_class or "", "yes" if t.final else ""] for t in tightenings],
                    ["hole", "try", "program", "torque Nm", "window", "angle °", "window", "status", "class", "final"]))
