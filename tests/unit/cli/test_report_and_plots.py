"""What ``cellctl report`` exports and ``cellctl plot`` draws, from a journal written here.

In-process (``cellctl.cli.main.main``) on a small journal: one NOK unit with two tightenings of
one hole (the first stripped, with a curve), a long step detail and a rejection.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest

from cellctl.cli import exports
from cellctl.cli.main import main
from cellctl.hw import ScrewProgram, ToolResult
from cellctl.journal import Journal

pytestmark = pytest.mark.unit

PROGRAM = ScrewProgram(3, 0.15, 0.13, 0.17, 2700.0, 3400.0)
LONG_DETAIL = "tighten h1 with m14: NOK (stripped) " + "the torque fell away after the seat; " * 8
CURVE_POINTS = 50


def _result(command_id: int, status: str, failure: str | None) -> ToolResult:
    t = np.linspace(0.0, 1.0, CURVE_POINTS)
    return ToolResult(command_id, status == "OK", status, 0.15 if status == "OK" else 0.01, 3000.0,
                      failure_class=failure, curve_time=t, curve_torque=0.15 * t, curve_angle=3000.0 * t)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "j.db"
    journal = Journal(path)
    unit = journal.start_unit("PH", "demo", "1", "cell", 10.0)
    step = journal.start_step(unit.id, "0.0", "screw", "screwer", "h1", 0, 10.5)
    first = journal.start_tightening(unit.id, step, "h1", 0, "m14", PROGRAM, 11, 10.6)
    journal.finish_tightening(first, _result(11, "NOK", "stripped"), 11.6)
    journal.end_step(step, "FAILED", LONG_DETAIL, 11.7)
    second = journal.start_tightening(unit.id, None, "h1", 1, "m14", PROGRAM, 12, 12.0)
    journal.finish_tightening(second, _result(12, "OK", None), 13.0)
    reject = journal.start_step(unit.id, "0.1", "reject", None, None, 0, 13.1)
    journal.end_step(reject, "OK", None, 13.1)
    journal.end_unit(unit.id, "NOK", "screw h1 NOK (try 1 stripped)", 14.0)
    journal.close()
    return path


def _out(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    assert main([str(a) for a in argv]) == 0
    return capsys.readouterr().out


def test_tightening_csv_rows_name_the_unit(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(_out(capsys, "report", "--db", db, "--unit", "PH-000001", "--csv"))))
    assert [(r["serial"], r["hole"], r["attempt"], r["status"]) for r in rows] == [
        ("PH-000001", "h1", "0", "NOK"), ("PH-000001", "h1", "1", "OK")]
    assert float(rows[0]["clock_started"]) == pytest.approx(10.6)


def test_every_export_uses_one_time_vocabulary(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_out(capsys, "report", "--db", db, "--unit", "PH-000001", "--json"))
    unit = data["unit"]
    started = dt.datetime.fromisoformat(unit["started_at"])
    assert started.tzinfo is not None and abs((dt.datetime.now(dt.timezone.utc) - started).total_seconds()) < 600
    assert (unit["clock_started"], unit["clock_ended"]) == (10.0, 14.0)
    for record in data["steps"] + data["tightenings"]:
        assert "started_at" not in record and "ended_at" not in record  # no wall time was recorded for them
        assert record["serial"] == "PH-000001" and record["clock_started"] >= unit["clock_started"]
    assert data["steps"][0]["detail"] == LONG_DETAIL  # exports carry it whole


def test_curves_export_as_csv_rows_and_json_columns(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(
        _out(capsys, "report", "--db", db, "--unit", "PH-000001", "--curves", "--csv"))))
    assert list(rows[0]) == list(exports.CURVE_COLUMNS)
    assert len(rows) == 2 * CURVE_POINTS
    assert [float(r["torque_nm"]) for r in rows[:CURVE_POINTS]] == pytest.approx(0.15 * np.linspace(0, 1, CURVE_POINTS),
                                                                                 rel=1e-6, abs=1e-7)
    data = json.loads(_out(capsys, "report", "--db", db, "--unit", "PH-000001", "--curves", "--json"))
    (first, second) = data["curves"]
    assert (first["attempt"], first["status"], second["status"]) == (0, "NOK", "OK")
    assert len(first["angle_deg"]) == CURVE_POINTS and first["angle_deg"][-1] == pytest.approx(3000.0)


def test_curves_need_a_unit_and_a_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--db", str(db), "--curves", "--csv"]) == 2
    assert main(["report", "--db", str(db), "--unit", "PH-000001", "--curves"]) == 2
    assert "--curves" in capsys.readouterr().err


def test_the_step_table_shortens_a_long_detail(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _out(capsys, "report", "--db", db, "--unit", "PH-000001")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("0.0 ")]
    assert "tighten h1 with m14: NOK (stripped)" in line and line.rstrip().endswith("…")
    assert max(map(len, text.splitlines())) < 200


@pytest.mark.parametrize("width", [10, 40, 60])
def test_shorten_cuts_at_a_word_within_the_width(width: int) -> None:
    text = exports.shorten(LONG_DETAIL, width)
    assert len(text) <= width and text.endswith("…") and LONG_DETAIL.startswith(text[:-1].rstrip())
    assert exports.shorten("short", width) == "short"


def test_plot_writes_each_curve_and_the_timeline(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plots"
    written = _out(capsys, "plot", "--db", db, "--out", out).split()
    assert sorted(Path(p).name for p in written) == ["PH-000001_h1_try0.png", "PH-000001_h1_try1.png",
                                                     "PH-000001_timeline.png"]
    assert all(Path(p).stat().st_size > 10_000 for p in written)


def test_the_timeline_names_each_rejection_with_its_reason(db: Path) -> None:
    from cellctl.plotting import _reject_reasons

    with Journal.read_only(db) as journal:
        (unit,) = journal.units()
        steps = journal.steps(unit.id)
    (reject,) = [s for s in steps if s.kind == "reject"]
    assert _reject_reasons(unit, steps) == {reject.id: "screw h1 NOK (try 1 stripped)"}
