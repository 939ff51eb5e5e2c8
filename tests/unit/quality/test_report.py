"""The journal's view of the charts: ``report --spc`` rows and ``plot --spc`` control charts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellctl.cli.plot import _control_charts
from cellctl.hw.tools import ToolResult
from cellctl.journal import Journal
from cellctl.quality.monitor import Observation, restore
from cellctl.quality.settings import QualitySettings
from cellctl.quality.summary import chart_rows
from sim.screw_model import judge, simulate_tightening

from .process import PROGRAM, SEAT

pytestmark = pytest.mark.unit


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """A journal of 20 units at one hole drifting +1 %/unit, charted with limits learned from 8."""
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        monitor = restore(QualitySettings(learn=8), journal)
        for u in range(20):
            unit = journal.start_unit("PH", "r", "1", "c", float(u))
            curve = simulate_tightening(PROGRAM, SEAT, None, np.random.default_rng(u),
                                        PROGRAM.target_torque * (1 + 0.01 * u))
            ok = judge(PROGRAM, curve).ok
            tid = journal.start_tightening(unit.id, None, "h1", 0, "m14", PROGRAM, 100 + u, 0.0)
            journal.finish_tightening(tid, ToolResult(command_id=0, ok=ok, status="OK" if ok else "NOK",
                                                      torque=float(curve.torque[-1]), angle=float(curve.angle[-1]),
                                                      curve_time=curve.time, curve_torque=curve.torque,
                                                      curve_angle=curve.angle), 0.0)
            monitor.observe(Observation("m14", "h1", ok, float(curve.torque[-1]), PROGRAM.target_torque,
                                        PROGRAM.torque_min, PROGRAM.torque_max, curve.angle, curve.torque,
                                        unit.id, tid), float(u))
    return path


def test_report_rows_show_limits_capability_and_alarms(drifted: Path) -> None:
    with Journal.read_only(drifted) as journal:
        (row,) = chart_rows(journal)
        alarms = journal.quality_alarms()
    assert (row["program"], row["hole"], row["phase"], row["source"]) == ("m14", "h1", "monitoring", "learned")
    assert row["alarms"] == len(alarms) > 0 and alarms[0]["rule"] in ("1", "2", "3", "4", "ewma", "mr", "curve")
    assert row["cpk"] < row["cp"], "the drifted mean is off centre: Cpk below Cp"


def test_plot_draws_one_control_chart_per_hole(drifted: Path, tmp_path: Path) -> None:
    with Journal.read_only(drifted) as journal:
        (png,) = _control_charts(journal, tmp_path)
    assert png.name == "spc_m14_h1.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
