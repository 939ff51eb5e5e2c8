"""``cellctl serve --record``: the service records what it publishes, from the same journal feed,
across goals and idle time, and the file is complete after SIGTERM."""

from __future__ import annotations

import numpy as np
import pytest
from _serve import start_serve
from rosbags.highlevel import AnyReader

from cellctl.journal import Journal
from cellctl.service import interfaces as ifc
from cellctl.service.recording import RATE

pytestmark = pytest.mark.sim


@pytest.mark.timeout(400)
def test_serve_records_a_unit_built_through_the_action_and_closes_the_file_on_sigterm(tmp_path) -> None:
    recording = tmp_path / "serve.mcap"
    served = start_serve(tmp_path, "--pace", "0", "--record", str(recording))
    try:
        with served.client() as client:
            goal = client.start(1)
            status, result = client.result(goal, timeout=300)
            assert status == ifc.STATUS_SUCCEEDED, result
        assert served.stop() == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(10)
    by_topic: dict[str, list] = {}
    with AnyReader([recording]) as reader:
        for connection, log_time, raw in reader.messages():
            by_topic.setdefault(connection.topic, []).append((log_time, reader.deserialize(raw, connection.msgtype)))
    with Journal.read_only(served.db) as journal:
        (unit,) = journal.units()
        tightenings = journal.tightenings(unit.id)
    ((_, done),) = by_topic["/cell/supervisor/unit_results"]
    assert (done.unit, done.result) == (unit.serial, unit.result) == ("PH-000001", "OK")
    curves = {(m.hole, m.attempt): m for _, m in by_topic["/cell/supervisor/tightening_curves"]}
    assert set(curves) == {(t.hole, t.attempt) for t in tightenings} and len(curves) == 4
    for record in tightenings:
        assert all(np.array_equal(a, b) for a, b in zip(
            (curves[record.hole, record.attempt].time, curves[record.hole, record.attempt].torque,
             curves[record.hole, record.attempt].angle), record.curve_arrays()))
    for arm in ("loader", "screwer"):
        times = np.array([t for t, _ in by_topic[f"/cell/{arm}/joint_states"]]) * 1e-9
        assert times[0] < unit.sim_started and times[-1] > unit.sim_ended  # idle before and after the unit
        gaps = np.diff(times)
        assert np.allclose(gaps[:-1], 1.0 / RATE, atol=1e-6), (gaps.min(), gaps.max())
