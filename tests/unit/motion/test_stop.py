"""plan_stop: rest as fast as the limits allow."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import JointLimits, MotionState, plan_ptp, plan_stop

from .checks import assert_continuous, assert_within_limits
from .problems import random_problem

ruckig = pytest.importorskip("ruckig", reason="ruckig is a test dependency: pip install '.[test]'")

pytestmark = pytest.mark.unit


def ruckig_stop_duration(state: MotionState, limits: JointLimits) -> float:
    dof = len(state.position)
    inp = ruckig.InputParameter(dof)
    inp.control_interface = ruckig.ControlInterface.Velocity
    inp.current_position = state.position
    inp.current_velocity = state.velocity
    inp.current_acceleration = state.acceleration
    inp.target_velocity = np.zeros(dof)
    inp.target_acceleration = np.zeros(dof)
    inp.max_velocity = limits.velocity
    inp.max_acceleration = limits.acceleration
    inp.max_jerk = limits.jerk
    out = ruckig.Trajectory(dof)
    assert ruckig.Ruckig(dof).calculate(inp, out) == ruckig.Result.Working
    return out.duration


def test_stops_from_random_moving_states_are_time_optimal_and_within_limits() -> None:
    rng = np.random.default_rng(5)
    for _ in range(500):
        p = random_problem(rng, 7, moving=True)
        state = MotionState(p.start, p.velocity, p.acceleration)
        stop = plan_stop(state, p.limits)
        assert stop.duration == pytest.approx(ruckig_stop_duration(state, p.limits), rel=1e-9)
        end = stop.state_at(stop.duration)
        assert np.abs(end.velocity).max() < 1e-9 and np.abs(end.acceleration).max() < 1e-9
        assert_within_limits(stop, p.limits)
        assert_continuous(stop, p.limits)


def test_stopping_mid_move_then_replanning_still_reaches_the_goal() -> None:
    rng = np.random.default_rng(9)
    p = random_problem(rng, 6)
    move = plan_ptp(p.start, p.goal, p.limits)
    paused = move.state_at(0.5 * move.duration)
    stop = plan_stop(paused, p.limits)
    rest = stop.state_at(stop.duration)
    resumed = plan_ptp(rest.position, p.goal, p.limits, rest.velocity, rest.acceleration)
    np.testing.assert_allclose(resumed.state_at(resumed.duration).position, p.goal, atol=1e-9)


def test_a_joint_at_rest_stays_put() -> None:
    limits = JointLimits.uniform(2, 1.0, 2.0, 10.0)
    stop = plan_stop(MotionState(np.array([0.3, -0.2]), np.zeros(2), np.zeros(2)), limits)
    assert stop.duration == 0.0
    np.testing.assert_array_equal(stop.state_at(1.0).position, [0.3, -0.2])
