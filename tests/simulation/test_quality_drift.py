"""End to end: a torque drift in the simulation raises a quality alarm before the first NOK unit,
and the cell reacts as the recipe says (a warning on the status topic, or a pause after the unit)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cellctl.config import load_cell
from cellctl.journal import Journal
from cellctl.quality.settings import GivenLimits, QualitySettings
from cellctl.recipe import load_recipe
from cellctl.rt import Context, State
from cellctl.supervisor import CellStatus, Supervisor
from sim import SimSystem
from sim.injection import ProcessDrift

from _supervised import DEMO_RECIPE

pytestmark = pytest.mark.sim

LIMITS = {"m14_standard": GivenLimits(0.1527, 0.0019)}  # the demo recipe's capability study


def _run(tmp_path: Path, on_alarm: str, units: int, drift: float) -> tuple:
    cell = load_cell(None)
    # classical chart settings: the drift is steep so that a few units show alarm, reaction and NOK
    # (the recipe defaults' detection is measured by benchmarks/bench_quality.py on the same process model)
    settings = QualitySettings(on_alarm=on_alarm, limits=LIMITS, zone=3.0, run=8, ewma_width=2.962)
    recipe = dataclasses.replace(load_recipe(DEMO_RECIPE), quality=settings)
    sim = SimSystem(cell, seed=2, drift=ProcessDrift(torque=drift))
    journal = Journal(tmp_path / "journal.db")
    supervisor = Supervisor(Context(), sim, cell, recipe, journal, next_kit=sim.next_kit)
    statuses: list[str] = []
    supervisor.create_subscription(CellStatus, "~/status", lambda s: statuses.append(s.message))
    try:
        assert supervisor.configure() is State.INACTIVE and supervisor.activate() is State.ACTIVE
        summary = supervisor.run(units)
        units_done = journal.units()
        return summary, units_done, journal.quality_alarms(), statuses, [e for e in journal.events()
                                                                           if e[3] == "quality_alarm"]
    finally:
        supervisor.shutdown()
        journal.close()


def test_warn_a_drift_alarms_before_the_first_nok_and_the_status_carries_it(tmp_path: Path) -> None:
    summary, units, alarms, statuses, events = _run(tmp_path, "warn", 3, 0.06)
    results = [u.result for u in units]
    assert len(units) == 3, "a warning does not stop the run"
    assert "NOK" in results, f"the drift should reach the window by unit 3: {results}"
    first_nok = results.index("NOK")
    assert alarms, "no quality alarm"
    alarm_unit = [u.id for u in units].index(alarms[0]["unit_id"])
    assert alarm_unit < first_nok
    assert alarms[0]["reaction"] == "warn" and "status topic" in alarms[0]["effect"]
    assert "rising" in alarms[0]["message"] and alarms[0]["hole"] in ("h1", "h2", "h3", "h4")
    assert any("quality alarm" in m for m in statuses)
    assert events and summary.spc_alarms[0]["rule"] == alarms[0]["rule"]


def test_pause_the_run_ends_after_the_alarm_unit_before_any_nok(tmp_path: Path) -> None:
    summary, units, alarms, _, _ = _run(tmp_path, "pause", 4, 0.06)
    assert alarms and summary.quality_paused
    assert [u.result for u in units] == ["OK"] * len(units)
    assert units[-1].id == alarms[0]["unit_id"] and len(units) < 4
    assert alarms[0]["reaction"] == "pause" and "paused after unit" in alarms[0]["effect"]
