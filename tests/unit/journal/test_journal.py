"""The production journal: serials, steps, tightening records (durability across a kill:
test_journal_crash.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellctl.hw import ScrewProgram, ToolResult
from cellctl.journal import Journal, JournalError

pytestmark = pytest.mark.unit

PROGRAM = ScrewProgram(3, 0.15, 0.13, 0.17, 2700.0, 3400.0)


def result(command_id: int, status: str = "OK", torque: float = 0.15, failure: str | None = None) -> ToolResult:
    t = np.linspace(0, 0.5, 501)
    return ToolResult(command_id, status == "OK", status, torque, 3000.0, failure_class=failure, curve_time=t,
                      curve_torque=torque * t / t[-1], curve_angle=3000.0 * t / t[-1])


def test_units_get_increasing_serials_that_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        a = journal.start_unit("PH", "r", "1", "cell", 0.0)
        b = journal.start_unit("PH", "r", "1", "cell", 1.0)
    with Journal(path) as journal:
        c = journal.start_unit("PH", "r", "1", "cell", 2.0)
    assert [a.serial, b.serial, c.serial] == ["PH-000001", "PH-000002", "PH-000003"]


def test_the_latest_tightening_of_a_hole_is_its_only_final_record(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "cell", 0.0)
        first = journal.start_tightening(unit.id, None, "h1", 0, "m14", PROGRAM, 11, 0.0)
        journal.finish_tightening(first, result(11, "NOK", 0.3, "cross_thread"), 1.0)
        second = journal.start_tightening(unit.id, None, "h1", 1, "m14", PROGRAM, 12, 2.0)
        journal.finish_tightening(second, result(12), 3.0)
        records = journal.tightenings(unit.id)
    assert [(r.attempt, r.status, r.final) for r in records] == [(0, "NOK", False), (1, "OK", True)]
    assert records[0].failure_class == "cross_thread"
    time, torque, angle = records[1].curve_arrays()
    assert time.size == 501 and torque[-1] == pytest.approx(0.15, rel=1e-6) and angle[-1] == pytest.approx(3000.0)


def test_a_tightening_is_recorded_before_the_tool_runs(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "cell", 0.0)
        journal.start_tightening(unit.id, None, "h2", 0, "m14", PROGRAM, 21, 0.0)
        (record,) = journal.tightenings(unit.id)
    assert record.status == "RUNNING" and record.command_id == 21 and not record.final


def test_the_same_hole_attempt_cannot_be_recorded_twice(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "cell", 0.0)
        journal.start_tightening(unit.id, None, "h1", 0, "m14", PROGRAM, 31, 0.0)
        with pytest.raises(Exception, match="UNIQUE"):
            journal.start_tightening(unit.id, None, "h1", 0, "m14", PROGRAM, 32, 0.0)


def test_steps_a_crash_left_running_are_closed_as_halted(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "cell", 0.0)
        done = journal.start_step(unit.id, "0.0", "pick", "loader", "frame", 0, 0.0)
        journal.end_step(done, "OK", None, 1.0)
        journal.start_step(unit.id, "0.1", "place", "loader", "frame", 0, 1.0)
        assert journal.unfinished_unit() == journal.unit(unit.id)
        journal.close_running_steps(unit.id, 2.0, "interrupted")
        assert [s.result for s in journal.steps(unit.id)] == ["OK", "HALTED"]
        assert journal.completed_steps(unit.id) == {"0.0"}


def test_a_file_that_is_not_a_journal_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the rows you are looking for" * 100)
    with pytest.raises(JournalError, match=r"notes.db: cannot open the production journal"):
        Journal(path)
