"""The physics step: gains per second kept whatever the step, 1 kHz setpoints played at any step."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import plan_ptp
from sim import SimSystem
from sim.arm import POSITION_GAIN
from sim.system import DEFAULT_PHYSICS_HZ

pytestmark = pytest.mark.sim


@pytest.mark.parametrize(("hz", "expected"), [(1000.0, POSITION_GAIN), (500.0, 2 * POSITION_GAIN), (250.0, 1.0)])
def test_per_step_gains_keep_their_rate_per_second(hz: float, expected: float) -> None:
    sim = SimSystem(physics_hz=hz)
    sim.configure()
    try:
        assert sim.world.gain(POSITION_GAIN) == pytest.approx(expected, rel=1e-12)
        assert sim.world.gain(1e-3) * hz == pytest.approx(1.0, rel=1e-12)  # small gains: the same share per second
    finally:
        sim.shutdown()


@pytest.mark.parametrize("hz", [DEFAULT_PHYSICS_HZ, 1000.0 / 1.5])
def test_a_step_plays_1khz_setpoints_to_their_goal(hz: float) -> None:
    sim = SimSystem(physics_hz=hz)
    sim.configure()
    sim.activate()
    try:
        arm = sim.arms["loader"]
        start = arm.read().positions
        motion = plan_ptp(start, start + 0.3, arm.limits).sample(rate=1000.0)  # knots 1 ms apart
        arm.submit(sim.now() + 0.05 + motion.time, motion.position)
        sim.wait_idle("loader", 10.0)
        sim.run_for(0.3)
        assert np.abs(arm.read().positions - (start + 0.3)).max() < 2e-3
        assert arm.tracking_error().max_abs < 5e-3
    finally:
        sim.shutdown()


def test_the_default_step_divides_the_control_period() -> None:
    """Control cycles 10 ms apart need a whole number of physics steps per cycle."""
    from cellctl.supervisor.supervisor import PARAMETERS
    period = next(p.default for p in PARAMETERS if p.name == "control_period")
    steps = period * DEFAULT_PHYSICS_HZ
    assert steps == pytest.approx(round(steps), abs=1e-9) and steps >= 1
