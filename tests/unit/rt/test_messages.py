"""ROS-shaped messages: immutability and the length/ordering conventions."""

from __future__ import annotations

import dataclasses

import pytest

from cellctl.rt.clock import Duration, Time
from cellctl.rt.messages import (
    DiagnosticLevel,
    DiagnosticStatus,
    Header,
    JointState,
    JointTrajectory,
    JointTrajectoryPoint,
    KeyValue,
)

pytestmark = pytest.mark.unit


def test_joint_state_freezes_lists_into_float_tuples() -> None:
    state = JointState(Header(Time(1), "base"), ["j1", "j2"], [0, 1.5], [], [])
    assert state.position == (0.0, 1.5)
    assert isinstance(state.position[0], float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.position = (1.0, 2.0)  # type: ignore[misc]


def test_joint_state_with_mismatched_lengths_names_the_field() -> None:
    with pytest.raises(ValueError, match="velocity has 1 entries but name has 2"):
        JointState(name=["j1", "j2"], position=[0, 0], velocity=[1])


def test_joint_state_rejects_non_numeric_positions() -> None:
    with pytest.raises(TypeError, match="position must hold float values, got 'x'"):
        JointState(name=["j1"], position=["x"])


def test_trajectory_points_must_match_joints_and_increase_in_time() -> None:
    point = JointTrajectoryPoint([0.0, 1.0], time_from_start=Duration.from_seconds(1))
    JointTrajectory(joint_names=["a", "b"], points=[point])
    with pytest.raises(ValueError, match=r"points\[0\].positions has 2 entries but joint_names has 1"):
        JointTrajectory(joint_names=["a"], points=[point])
    with pytest.raises(ValueError, match=r"points\[1\].time_from_start .* must strictly increase"):
        JointTrajectory(joint_names=["a", "b"], points=[point, point])


def test_diagnostic_status_coerces_level_and_freezes_values() -> None:
    values = [KeyValue("temp", "81")]
    status = DiagnosticStatus(2, "arm_left", "joint 3 too hot", values=values)  # type: ignore[arg-type]
    assert status.level is DiagnosticLevel.ERROR
    assert status.values == (KeyValue("temp", "81"),)
