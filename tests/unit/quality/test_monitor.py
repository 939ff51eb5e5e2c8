"""The monitor end to end on the process model: drift alarms before NOK; state kept in the journal."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.journal import Journal
from cellctl.quality.monitor import Observation, QualityMonitor, restore
from cellctl.quality.settings import GivenLimits, QualitySettings
from sim.screw_model import judge, simulate_tightening

from .process import PROGRAM, SEAT

pytestmark = pytest.mark.unit

HOLES = ("h1", "h2", "h3", "h4")


def _unit(unit: int, drift: float, seed: int = 0) -> list[Observation]:
    out = []
    for k, hole in enumerate(HOLES):
        curve = simulate_tightening(PROGRAM, SEAT, None, np.random.default_rng([seed, unit, k]),
                                    PROGRAM.target_torque * (1.0 + drift * unit))
        ok = judge(PROGRAM, curve).ok
        out.append(Observation("m14", hole, ok, float(curve.torque[-1]), PROGRAM.target_torque, PROGRAM.torque_min,
                               PROGRAM.torque_max, curve.angle, curve.torque))
    return out


def test_a_torque_drift_alarms_before_the_first_nok_unit() -> None:
    monitor = QualityMonitor(QualitySettings(limits={"m14": GivenLimits(0.1527, 0.0019)}))
    first_alarm = first_nok = None
    for unit in range(40):
        for obs in _unit(unit, 0.005):
            alarms = monitor.observe(obs)
            if alarms and first_alarm is None:
                first_alarm = (unit, alarms[0])
            if not obs.ok and first_nok is None:
                first_nok = unit
    assert first_nok is not None and first_alarm is not None
    unit, alarm = first_alarm
    assert unit < first_nok
    assert alarm.program == "m14" and alarm.hole in HOLES and alarm.rule in ("1", "2", "3", "4", "ewma")
    assert "rising" in alarm.text and "change the bit" in alarm.text


def test_without_drift_forty_units_raise_no_alarm() -> None:
    monitor = QualityMonitor(QualitySettings(limits={"m14": GivenLimits(0.1527, 0.0019)}))
    alarms = [a for unit in range(40) for obs in _unit(unit, 0.0, seed=3) for a in monitor.observe(obs)]
    assert alarms == []
    assert all(row["cpk"] and row["cpk"] > 2.0 for row in monitor.state())


def test_the_journal_keeps_points_limits_and_alarms_and_a_restart_resumes_the_charts(tmp_path) -> None:
    settings = QualitySettings(learn=10)
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("T", "r", "1", "c", 0.0)
        monitor = restore(settings, journal)
        ids = []
        for u in range(14):
            for obs in _unit(u, 0.0, seed=5):
                tid = journal.start_tightening(unit.id, None, obs.hole, u, "m14", PROGRAM, 1000 + len(ids), 0.0)
                ids.append(tid)
                _finish(journal, tid, obs)
                monitor.observe(Observation(**{**obs.__dict__, "unit_id": unit.id, "tightening_id": tid}))
        before = {row["hole"]: (row["center"], row["ewma_sigma"]) for row in monitor.state()}
        assert len(journal.spc_points()) == 56 and len(journal.spc_limits()) == 4
        again = restore(settings, journal)
        after = {row["hole"]: (row["center"], row["ewma_sigma"]) for row in again.state()}
        assert after.keys() == before.keys()
        for hole in before:
            assert np.allclose(after[hole], before[hole], rtol=1e-4)


def _finish(journal: Journal, tid: int, obs: Observation) -> None:
    from cellctl.hw.tools import ToolResult

    journal.finish_tightening(tid, ToolResult(command_id=0, ok=obs.ok, status="OK" if obs.ok else "NOK",
                                              torque=obs.torque, angle=float(obs.angle[-1]),
                                              curve_time=np.arange(obs.angle.size) / 1000.0,
                                              curve_torque=obs.curve_torque, curve_angle=obs.angle), 0.0)
