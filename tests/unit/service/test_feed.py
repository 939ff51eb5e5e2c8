"""The observed journal: what the supervisor writes is on disk first, then handed to the service."""

from __future__ import annotations

import math

import numpy as np
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


def test_a_curve_is_told_as_the_journal_stored_it_and_a_unit_when_it_ends(feed) -> None:
    journal, records = feed
    unit = journal.start_unit("PH", "demo", "1", "cell", 0.0)
    program = ScrewProgram(program_id=3, target_torque=0.2, torque_min=0.18, torque_max=0.22, angle_min=300.0,
                           angle_max=900.0)
    tightening = journal.start_tightening(unit.id, None, "h1", 2, "m1.6", program, 7, 1.0)
    t = np.linspace(0.0, 0.5, 11)
    journal.finish_tightening(tightening, ToolResult(7, True, "OK", torque=0.2, angle=400.0, curve_time=t,
                                                     curve_torque=t * 0.4 + 1e-9, curve_angle=t * 800.0), 1.5)
    journal.event("unit_time", "12.5", 2.0, unit.id)
    journal.end_unit(unit.id, "OK", None, 2.0)
    kinds = [kind for kind, _ in records]
    assert kinds == ["tightening", "curve", "unit"]
    curve, done = records[1][1], records[2][1]
    stored = journal.tightening(unit.id, "h1", 2).curve_arrays()
    assert (curve["hole"], curve["attempt"], curve["status"]) == ("h1", 2, "OK")
    assert [curve["time"], curve["torque"], curve["angle"]] == [a.tolist() for a in stored]
    assert curve["torque"] != (t * 0.4 + 1e-9).tolist()  # float32 as stored, not the float64 it was given
    assert done == {"unit": unit.serial, "recipe": "demo", "result": "OK", "reason": "", "cycle_time": 12.5,
                    "cell_time": 2.0}


def test_every_listener_is_told_in_the_order_added(tmp_path) -> None:
    told: list[str] = []
    journal = ObservedJournal(tmp_path / "j.db")
    journal.add_listener(lambda kind, fields: told.append(f"a:{kind}"))
    journal.add_listener(lambda kind, fields: told.append(f"b:{kind}"))
    journal.fault(None, "supervisor", None, "CELL_FAULT", "x", None, 0.0)
    journal.close()
    assert told == ["a:fault", "b:fault"]
