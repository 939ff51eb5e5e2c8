"""The observed journal: what the supervisor writes is on disk first, then handed to the service."""

from __future__ import annotations

import math

import pytest

from cellctl.hw.tools import ScrewProgram, ToolResult
from cellctl.service.feed import ObservedJournal

pytestmark = pytest.mark.unit


@pytest.fixture
def feed(tmp_path):
    records: list[tuple[str, dict]] = []
    journal = ObservedJournal(tmp_path / "j.db", lambda kind, fields: records.append((kind, fields)))
    yield journal, records
    journal.close()


def test_a_step_is_told_when_it_starts_and_when_it_ends(feed) -> None:
    journal, records = feed
    unit = journal.start_unit("PH", "demo", "1", "cell", 0.0)
    step = journal.start_step(unit.id, "0/pick_frame", "pick", "loader", "mid_frame", 1, 1.5)
    journal.end_step(step, "FAILED", "no part in the nest", 2.5)
    assert [(k, f["path"], f["result"], f["detail"], f["unit"]) for k, f in records] == [
        ("step", "0/pick_frame", "RUNNING", "", unit.serial),
        ("step", "0/pick_frame", "FAILED", "no part in the nest", unit.serial)]
    assert [s.result for s in journal.steps(unit.id)] == ["FAILED"]  # written before it was told


def test_a_tightening_result_carries_its_windows_and_a_fault_what_to_do(feed) -> None:
    journal, records = feed
    unit = journal.start_unit("PH", "demo", "1", "cell", 0.0)
    program = ScrewProgram(program_id=3, target_torque=0.2, torque_min=0.18, torque_max=0.22, angle_min=300.0,
                           angle_max=900.0)
    tightening = journal.start_tightening(unit.id, None, "h2", 1, "m1.6", program, 41, 3.0)
    journal.finish_tightening(tightening, ToolResult(41, False, "NOK", torque=math.nan, angle=120.0,
                                                     failure_class="angle_low"), 4.0)
    journal.fault(None, "screwer", 303, "ESTOP", "emergency stop", "reset after checking the cell", 5.0)
    (kind, result), (fault_kind, fault) = records
    assert kind == "tightening" and result["hole"] == "h2" and result["status"] == "NOK"
    assert math.isnan(result["torque"]) and result["angle_min"] == 300.0 and result["failure_class"] == "angle_low"
    assert fault_kind == "fault" and fault["unit"] == "" and fault["code"] == 303
    assert fault["action"] == "reset after checking the cell"
