"""plan_ptp on random problems: arrival, limits, continuity, synchronisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from cellctl.motion import plan_ptp

from .checks import assert_continuous, assert_within_limits, final_error
from .problems import Problem, problems

pytestmark = pytest.mark.unit


@settings(max_examples=1500)
@given(problems())
def test_every_joint_arrives_at_rest_within_a_nanoradian(p: Problem) -> None:
    traj = plan_ptp(p.start, p.goal, p.limits, p.velocity, p.acceleration)
    assert final_error(traj, p.goal) <= 1e-9
    end = traj.state_at(traj.duration + 1.0)
    assert np.all(end.velocity == 0.0) and np.all(end.acceleration == 0.0)


@settings(max_examples=600)
@given(problems())
def test_limits_hold_at_dense_samples_and_motion_is_continuous(p: Problem) -> None:
    traj = plan_ptp(p.start, p.goal, p.limits, p.velocity, p.acceleration)
    assert_within_limits(traj, p.limits)
    assert_continuous(traj, p.limits)


@settings(max_examples=300)
@given(problems())
def test_the_start_state_is_reproduced_exactly(p: Problem) -> None:
    traj = plan_ptp(p.start, p.goal, p.limits, p.velocity, p.acceleration)
    s = traj.state_at(0.0)
    np.testing.assert_array_equal(s.position, p.start)
    np.testing.assert_array_equal(s.velocity, p.velocity)
    np.testing.assert_array_equal(s.acceleration, p.acceleration)


@settings(max_examples=300)
@given(problems())
def test_every_joint_keeps_moving_until_the_common_end(p: Problem) -> None:
    """Time synchronisation: no joint's profile is shorter than the trajectory."""
    traj = plan_ptp(p.start, p.goal, p.limits, p.velocity, p.acceleration)
    for joint in range(traj.dof):
        total = sum(d for d, _ in traj.phases(joint))
        assert total == pytest.approx(traj.duration, rel=1e-9, abs=1e-12)
