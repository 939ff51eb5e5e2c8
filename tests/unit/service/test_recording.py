"""The recorder on its own: journal records in, an MCAP file out, read back by ``rosbags``
(its own MCAP reader and CDR deserializer, from the schemas in the file)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rosbags.highlevel import AnyReader

from cellctl.hw.tools import ScrewProgram, ToolResult
from cellctl.service.feed import ObservedJournal
from cellctl.service.recording import Recorder

pytestmark = pytest.mark.unit

PROGRAM = ScrewProgram(program_id=3, target_torque=0.2, torque_min=0.18, torque_max=0.22, angle_min=300.0,
                       angle_max=900.0)


class Clock:
    """A system with no arms: only the clock the recorder stamps with."""

    def __init__(self) -> None:
        self.t = 0.0
        self.arms: dict = {}

    def now(self) -> float:
        return self.t


def _read(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    with AnyReader([path]) as reader:
        for connection, log_time, raw in reader.messages():
            out.setdefault(connection.topic, []).append((log_time, reader.deserialize(raw, connection.msgtype)))
    return out


floats = st.floats(-1e6, 1e6, allow_nan=False, width=32)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(curve=st.lists(st.tuples(floats, floats, floats), min_size=1, max_size=300),
       cell_time=st.floats(0.0, 1e6, allow_nan=False), hole=st.text("abch0123_ü", min_size=1, max_size=8))
def test_a_tightening_and_a_fault_come_back_as_the_journal_has_them(tmp_path: Path, curve, cell_time: float,
                                                                    hole: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    clock = Clock()
    journal = ObservedJournal(folder / "j.db")
    recorder = Recorder(folder / "r.mcap", clock, SimpleNamespace(arms={}))  # type: ignore[arg-type]
    journal.add_listener(recorder.on_record)
    try:
        unit = journal.start_unit("PH", "demo", "1", "cell", cell_time)
        tightening = journal.start_tightening(unit.id, None, hole, 1, "m1.6", PROGRAM, 9, cell_time)
        t, torque, angle = (np.array(column) for column in zip(*curve))
        journal.finish_tightening(tightening, ToolResult(9, False, "NOK", torque=math.nan, angle=1.0,
                                                         failure_class="stripped", curve_time=t,
                                                         curve_torque=torque, curve_angle=angle), cell_time + 1)
        journal.fault(unit.id, "screwer", 303, "ESTOP", "emergency stop", "reset after checking", cell_time + 2)
        journal.end_unit(unit.id, "ABORTED", "e-stop", cell_time + 3)
        stored = journal.tightening(unit.id, hole, 1).curve_arrays()
    finally:
        recorder.close()
        journal.close()
    messages = _read(folder / "r.mcap")
    ((_, result),) = messages["/cell/supervisor/tightening_results"]
    assert (result.hole, result.status, result.failure_class) == (hole, "NOK", "stripped") and math.isnan(result.torque)
    ((log_time, got),) = messages["/cell/supervisor/tightening_curves"]
    assert log_time == max(0, round((cell_time + 1) * 1e9))
    assert all(np.array_equal(a, b) for a, b in zip((got.time, got.torque, got.angle), stored))
    ((_, fault),) = messages["/cell/supervisor/faults"]
    assert (fault.unit, fault.source, fault.code, fault.name, fault.action) == (
        unit.serial, "screwer", 303, "ESTOP", "reset after checking")
    ((_, done),) = messages["/cell/supervisor/unit_results"]
    assert (done.unit, done.result, done.reason) == (unit.serial, "ABORTED", "e-stop")
    assert "/cell/supervisor/step_events" not in messages  # no step: an empty channel


def test_the_file_is_complete_after_close_even_when_nothing_happened(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "empty.mcap", Clock(), SimpleNamespace(arms={}))  # type: ignore[arg-type]
    recorder.close()
    recorder.close()  # twice is harmless
    with AnyReader([tmp_path / "empty.mcap"]) as reader:
        assert {c.topic for c in reader.connections} >= {"/tf", "/tf_static", "/cell/supervisor/unit_results"}
        counts = {c.topic: c.msgcount for c in reader.connections if c.msgcount}
        assert counts == {"/tf": 1, "/tf_static": 1}  # the last (empty) /tf, the (empty) arm bases


@settings(max_examples=300, deadline=None)
@example([1.0, 0.0, 0.0, 0.0]).via("half turn about x")
@example([0.0, 1.0, 0.0, 0.0]).via("half turn about y")
@example([0.0, 0.0, 1.0, 0.0]).via("half turn about z")
@example([0.0, 0.0, 0.0, 1.0]).via("identity")
@given(st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4).filter(lambda v: np.linalg.norm(v) > 1e-3))
def test_the_quaternion_of_a_rotation_matrix_is_scipys(values) -> None:
    from scipy.spatial.transform import Rotation

    from cellctl.service.messages import quaternion
    matrix = Rotation.from_quat(values).as_matrix()
    expected = Rotation.from_matrix(matrix).as_quat()
    expected = expected if expected[3] >= 0 else -expected
    got = np.array(quaternion(matrix))
    half_turn = abs(expected[3]) < 1e-12  # w = 0: q and -q are both the rotation, both have w >= 0
    assert np.allclose(got, expected, atol=1e-12) or (half_turn and np.allclose(got, -expected, atol=1e-12))
