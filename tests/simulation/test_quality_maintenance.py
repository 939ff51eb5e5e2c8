"""End to end: a torque drift (a wearing bit) raises an alarm, the cell runs its maintenance branch
(a bit change at the tool station) after that unit, journals alarm, reaction and effect, and the
next units are back near the centre with no NOK: the simulated wear was reset by the new bit."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.config import load_cell
from cellctl.journal import Journal
from cellctl.quality.monitor import restore
from cellctl.recipe import parse_recipe
from cellctl.rt import Context, State
from cellctl.supervisor import Supervisor
from sim import SimSystem
from sim.injection import ProcessDrift

pytestmark = pytest.mark.sim

SHORT = Path(__file__).parents[1] / "sweep" / "short_recipe.yaml"  # frame into the nest, one screw (h1)
QUALITY = """
quality:
  on_alarm: maintain
  maintenance: bit_change
  limits: {m14_standard: {center: 0.1527, sigma: 0.0019}}
  curves: false
maintenance:
  bit_change:
    sequence:
      - change_bit: {arm: screwer, station: bit_changer, seconds: 3.0}
      - move: {arm: screwer, to: home}
"""
CENTRE, SIGMA = 0.1527, 0.0019


def test_a_drift_alarm_runs_the_bit_change_and_the_next_units_are_back_near_the_centre(tmp_path: Path) -> None:
    cell = load_cell()
    recipe = parse_recipe(SHORT.read_text() + QUALITY, str(SHORT))
    sim = SimSystem(cell, seed=3, drift=ProcessDrift(torque=0.02))  # +2 % of the target per unit: NOK by unit 7
    journal = Journal(tmp_path / "journal.db")
    supervisor = Supervisor(Context(), sim, cell, recipe, journal, next_kit=sim.next_kit)
    try:
        assert supervisor.configure() is State.INACTIVE and supervisor.activate() is State.ACTIVE
        summary = supervisor.run(7)
        units = journal.units()
        alarms = journal.quality_alarms()
        events = [(e[1], e[3], e[4]) for e in journal.events()]
        torque = {t.unit_id: t.torque for t in journal.tightenings() if t.final}
        steps = [s for u in units for s in journal.steps(u.id) if s.path.startswith("maintenance.")]
        assert [u.result for u in units] == ["OK"] * 7, (summary.state, summary.message, events[-6:], steps)
        assert alarms and alarms[0]["reaction"] == "maintain"
        alarm_unit = alarms[0]["unit_id"]
        assert "maintenance branch 'bit_change' ran after unit" in alarms[0]["effect"]
        assert (alarm_unit, "maintenance", "bit_change") in events
        assert any(u == alarm_unit and kind == "maintenance_done" for u, kind, _ in events)
        assert {s.kind for s in steps} >= {"change_bit", "move"} and all(s.result == "OK" for s in steps)
        assert len(sim.events.all("bit_changed")) == len({a["unit_id"] for a in alarms})  # one bit change per alarmed unit
        ids = [u.id for u in units]
        after = ids[ids.index(alarm_unit) + 1]
        assert (torque[alarm_unit] - CENTRE) / SIGMA > 3.0, "the alarm unit's screw had drifted"
        assert abs(torque[after] - CENTRE) / SIGMA < 2.5, "the first unit with the new bit is back near the centre"
        assert max(torque.values()) < 0.17 and summary.units_nok == 0
        # the charts restarted after the maintenance, and a restart of the process replays to the same state
        replayed = restore(recipe.quality, journal)
        live = supervisor.ctx.quality
        assert {k: c.ewma.value for k, c in replayed.charts.items()} == pytest.approx(
            {k: c.ewma.value for k, c in live.charts.items()})
    finally:
        supervisor.shutdown()
        journal.close()


def test_a_bit_change_away_from_a_tool_station_is_refused_and_the_wear_stays() -> None:
    from cellctl.hw import HardwareError

    sim = SimSystem(load_cell(), drift=ProcessDrift(torque=0.02))
    sim.configure()
    try:
        with pytest.raises(HardwareError, match=r"screwer.driver: the bit is not at a tool station \(\d+\.\d mm from "
                                                r"tool station bit_changer; allowed 5 mm\)"):
            sim.tool_serviced("screwer", "driver", "bit_change")
        with pytest.raises(HardwareError, match="cannot bit change this tool; valid: bit_change on a screwdriver"):
            sim.tool_serviced("loader", "gripper", "bit_change")
        assert sim.arms["screwer"].tools["driver"].new_bit_kit == 1
    finally:
        sim.shutdown()


@pytest.mark.parametrize("kit, new_bit_kit, steps", [(1, 1, 0), (5, 1, 4), (5, 5, 0), (7, 5, 2), (3, 5, 0)])
def test_the_drift_counts_units_of_wear_since_the_bit_was_new(kit: int, new_bit_kit: int, steps: int) -> None:
    assert ProcessDrift(torque=0.01).steps(kit, new_bit_kit) == steps


def test_after_an_abort_the_maintenance_branch_does_not_move_anything(tmp_path: Path) -> None:
    """An operator abort during the alarm's unit: nothing moves afterwards, the alarm says why."""
    from cellctl.supervisor import CellState
    from cellctl.quality.reaction import Reaction

    cell = load_cell()
    recipe = parse_recipe(SHORT.read_text() + QUALITY, str(SHORT))
    sim = SimSystem(cell)
    journal = Journal(tmp_path / "journal.db")
    supervisor = Supervisor(Context(), sim, cell, recipe, journal, next_kit=sim.next_kit)
    try:
        assert supervisor.configure() is State.INACTIVE and supervisor.activate() is State.ACTIVE
        unit = journal.start_unit("SW", recipe.name, recipe.version, cell.name, 0.0)
        supervisor.ctx.start_unit(unit)
        supervisor._aborted = True  # noqa: SLF001 - the state an operator abort leaves
        before = {name: arm.read().positions.copy() for name, arm in sim.arms.items()}
        steps = sim.steps
        supervisor._maintain(unit, Reaction("alarm", maintenance="bit_change"), None, None)  # type: ignore[arg-type]  # noqa: SLF001
        assert sim.steps == steps and all((sim.arms[n].read().positions == q).all() for n, q in before.items())
        assert [e[3] for e in journal.events()][-1] == "maintenance_skipped"
        assert "not run, the cell was stopped" in [e[4] for e in journal.events()][-1]
        assert supervisor.state is CellState.IDLE
    finally:
        supervisor.shutdown()
        journal.close()
