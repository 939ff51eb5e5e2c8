"""Between units the finished unit leaves and a fresh kit is presented (``SimSystem.next_kit``)."""

from __future__ import annotations

import numpy as np
import pytest
from _cell import running
from _unit import UNIT_PARTS, tray_offset

from cellctl.hw import HardwareError
from sim import FailureKind, FailurePlan

pytestmark = pytest.mark.sim


def test_two_units_with_a_fresh_kit_between_are_both_ok() -> None:
    with running() as (sim, operator):
        first = operator.run_unit()
        sim.next_kit()
        assert sim.holes is not None and not sim.holes.joints
        assert all(s.screw_body is None and s.attempts == 0 and not s.tight for s in sim.holes.state.values())
        for part in UNIT_PARTS:
            assert np.abs(sim.part_pose(part).position - sim.world.start_pose(part).position).max() < 1e-3, part
        second = operator.run_unit()
        assert first.ok and second.ok, (first.screws, second.screws)
        assert tray_offset(sim, "ok_tray") < 0.002


def test_attempts_count_per_unit_so_a_forced_failure_hits_each_unit() -> None:
    with running(seed=7, failures=FailurePlan(holes={"h1": FailureKind.CROSS_THREAD})) as (sim, operator):
        classes = []
        for _ in range(2):
            operator.frame_in_nest()
            assert operator.pick_screw().ok
            classes.append(operator.drive("h1").failure_class)
            operator.home("screwer")
            sim.next_kit()
        assert classes == ["cross_thread", "cross_thread"]


def test_a_fresh_kit_is_refused_while_an_arm_holds_a_part() -> None:
    with running() as (sim, operator):
        assert operator.pick("loader", "cover").ok
        with pytest.raises(HardwareError, match="loader holds cover"):
            sim.next_kit()
        assert sim.arms["loader"].held_part() == "cover"
