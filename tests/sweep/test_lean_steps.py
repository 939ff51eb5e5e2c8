"""The per-step savings in sim/ (``SimSystem.lean_steps``) leave every result bit-identical (the
final joint readings to 1e-15 rad: at the 1 ms step an idle arm's reading may differ in the last
bits, 2e-22 rad measured, from the order of a sum)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellctl.config import load_cell
from cellctl.recipe import load_recipe
from cellctl.sweep.unit import unit_session
from sim import SimSystem

pytestmark = pytest.mark.sim

RECIPE = Path(__file__).parent / "short_recipe.yaml"


def fingerprint(lean: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Everything a unit leaves: result, cycle time, tightening figures, exact part poses and joints."""
    monkeypatch.setattr(SimSystem, "lean_steps", lean)
    # seed 7 with these rates: a missing screw, then a cross-thread on h1 (the vacuum cup holds screws,
    # the screwer backs out), so idle and moving arms and a held screw all occur
    with unit_session(load_recipe(RECIPE), load_cell(None), {"cross_thread": 0.3, "missing_screw": 0.2}, 7) as (
            supervisor, sim, journal):
        supervisor.run(1)
        unit = journal.units()[-1]
        tightenings = [(t.hole, t.attempt, t.status, t.torque, t.angle, t.failure_class, t.curve)
                       for t in journal.tightenings(unit.id)]
        parts = {p: (sim.part_pose(p).position.tobytes(), sim.part_pose(p).quaternion.tobytes()) for p in sim.cell.parts}
        joints = {a: arm.read().positions.tobytes() for a, arm in sim.arms.items()}
        return unit.result, journal.unit_time(unit.id), tightenings, parts, joints, sim.steps


def test_lean_steps_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = fingerprint(False, monkeypatch)
    assert [t[5] for t in reference[2]] == ["missing_screw", "cross_thread"]  # the case covers held screws
    lean = fingerprint(True, monkeypatch)
    joints, lean_joints = reference[4], lean[4]
    assert lean[:4] + lean[5:] == reference[:4] + reference[5:]  # result, cycle, tightenings, parts, steps
    for arm in joints:
        assert np.abs(np.frombuffer(lean_joints[arm]) - np.frombuffer(joints[arm])).max() <= 1e-15, arm
