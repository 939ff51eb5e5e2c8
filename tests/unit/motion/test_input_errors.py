"""Bad input gives a ValueError naming the joint and the value, never a crash."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.motion import JointLimits, MotionState, plan_ptp, plan_stop

pytestmark = pytest.mark.unit

LIMITS = JointLimits.uniform(3, 1.0, 2.0, 10.0)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"goal": [0.0, math.nan, 0.0]}, r"joint 1: goal position is nan"),
        ({"start": [0.0, 0.0, math.inf]}, r"joint 2: start position is inf"),
        ({"start_velocity": [0.0, 0.0, -math.inf]}, r"joint 2: start velocity is -inf"),
        ({"start_velocity": [1.5, 0.0, 0.0]}, r"joint 0: start velocity 1.5 is outside"),
        ({"start_acceleration": [0.0, -2.5, 0.0]}, r"joint 1: start acceleration -2.5 is outside"),
        # Within both bounds, but the acceleration will push the velocity past its limit.
        ({"start_velocity": [0.9, 0, 0], "start_acceleration": [2.0, 0, 0]}, r"joint 0: start velocity"),
        ({"goal": [0.0, 0.0]}, r"goal has 2 values but the limits describe 3 joints"),
    ],
)
def test_invalid_requests_name_the_joint_and_the_value(kwargs: dict, expected: str) -> None:
    args = {"start": [0.0, 0.0, 0.0], "goal": [1.0, 1.0, 1.0], "limits": LIMITS} | kwargs
    with pytest.raises(ValueError, match=expected):
        plan_ptp(**args)


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (JointLimits([1.0, 0.0], [1.0, 1.0], [1.0, 1.0]), r"joint 1: velocity limit is 0; limits must be greater than zero"),
        (JointLimits([1.0, 1.0], [-3.0, 1.0], [1.0, 1.0]), r"joint 0: acceleration limit is -3"),
        (JointLimits([1.0, 1.0], [1.0, 1.0], [1.0, math.nan]), r"joint 1: jerk limit is nan; it must be a finite number"),
    ],
)
def test_invalid_limits_name_the_joint_and_the_value(limits: JointLimits, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        plan_ptp([0.0, 0.0], [1.0, 1.0], limits)


def test_named_joints_appear_in_messages() -> None:
    limits = JointLimits([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], names=("shoulder", "elbow"))
    with pytest.raises(ValueError, match=r"joint 'elbow' \(index 1\): goal position is nan"):
        plan_ptp([0.0, 0.0], [0.0, math.nan], limits)


def test_limits_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match=r"velocity 2, acceleration 3, jerk 2"):
        JointLimits([1, 1], [1, 1, 1], [1, 1])


def test_a_stop_from_a_state_outside_the_limits_is_refused() -> None:
    state = MotionState(np.zeros(3), np.array([0.0, 3.0, 0.0]), np.zeros(3))
    with pytest.raises(ValueError, match=r"joint 1: start velocity 3 is outside"):
        plan_stop(state, LIMITS)


finite_or_not = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-10, 10))


@given(st.lists(finite_or_not, min_size=3, max_size=3), st.lists(finite_or_not, min_size=3, max_size=3))
def test_arbitrary_numbers_either_plan_or_raise_value_error(goal: list[float], velocity: list[float]) -> None:
    try:
        traj = plan_ptp([0.0, 0.0, 0.0], goal, LIMITS, start_velocity=velocity)
    except ValueError as exc:
        assert "joint" in str(exc)
    else:
        assert np.isfinite(traj.duration)
