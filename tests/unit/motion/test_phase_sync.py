"""Moves from rest are straight lines in joint space when the limits allow it."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import JointLimits, plan_ptp, plan_stop

from .checks import assert_within_limits, dense_times

pytestmark = pytest.mark.unit


def _deviation_from_line(positions: np.ndarray, start: np.ndarray, goal: np.ndarray) -> float:
    direction = (goal - start) / np.linalg.norm(goal - start)
    rel = positions - start
    along = rel @ direction
    return float(np.abs(rel - np.outer(along, direction)).max())


def test_a_move_from_rest_with_uniform_limits_is_a_straight_line() -> None:
    limits = JointLimits.uniform(6, 2.0, 8.0, 60.0)
    start = np.array([0.1, -0.4, 1.2, 0.0, 0.3, -2.0])
    goal = np.array([1.5, 0.2, -0.7, 0.4, 0.3, 1.0])
    traj = plan_ptp(start, goal, limits)
    assert traj.phase_synchronized
    s = traj.sample(dense_times(traj))
    assert _deviation_from_line(s.position, start, goal) < 1e-12


def test_random_moves_from_rest_are_straight_when_phase_synchronised() -> None:
    rng = np.random.default_rng(7)
    straight = 0
    for _ in range(300):
        dof = 7
        limits = JointLimits(rng.uniform(1, 2, dof), rng.uniform(5, 8, dof), rng.uniform(40, 60, dof))
        start, goal = rng.uniform(-2, 2, dof), rng.uniform(-2, 2, dof)
        traj = plan_ptp(start, goal, limits)
        if traj.phase_synchronized:
            straight += 1
            s = traj.sample(dense_times(traj, 500))
            assert _deviation_from_line(s.position, start, goal) < 1e-9
        assert_within_limits(traj, limits)
    assert straight > 0, "no random move was phase synchronised: the feature is not exercised"


def test_when_scaling_would_break_a_limit_the_move_falls_back_to_time_sync() -> None:
    # Joint 1 has a far lower jerk limit than joint 0's profile would impose on it when scaled.
    limits = JointLimits([1.0, 1.0], [10.0, 10.0], [1000.0, 1.0])
    traj = plan_ptp([0.0, 0.0], [2.0, 0.01], limits)
    assert not traj.phase_synchronized
    assert_within_limits(traj, limits)


def test_stopping_a_straight_move_stays_on_its_line() -> None:
    limits = JointLimits.uniform(3, 1.5, 4.0, 30.0)
    start, goal = np.zeros(3), np.array([1.0, -2.0, 0.5])
    traj = plan_ptp(start, goal, limits)
    state = traj.state_at(0.4 * traj.duration)
    stop = plan_stop(state, limits)
    assert stop.phase_synchronized
    s = stop.sample(dense_times(stop, 500))
    assert _deviation_from_line(s.position, start, goal) < 1e-12
