"""Joint-space planning: time-optimal point-to-point moves and stops."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from cellctl import _motion
from cellctl.motion.limits import JointLimits, _as_vector
from cellctl.motion.trajectory import Trajectory


class _HasState(Protocol):
    position: ArrayLike
    velocity: ArrayLike
    acceleration: ArrayLike


def _zeros_or(values: ArrayLike | None, dof: int, what: str) -> np.ndarray:
    return np.zeros(dof) if values is None else _as_vector(values, what)


def plan_ptp(
    start: ArrayLike,
    goal: ArrayLike,
    limits: JointLimits,
    start_velocity: ArrayLike | None = None,
    start_acceleration: ArrayLike | None = None,
) -> Trajectory:
    """Plan a time-optimal jerk-limited move from a start state to `goal` at rest.

    Every joint finishes together, at the optimal time of the slowest one. When the start state
    is collinear with the displacement (always so from rest) and every joint's limits allow, the
    move is phase synchronised: a straight line in joint space.

    Raises:
        ValueError: NaN or infinite values, non-positive limits, mismatched lengths, or a start
            velocity/acceleration outside the limits; the message names the joint and the value.
    """
    dof = limits.dof
    return Trajectory(
        _motion.plan_ptp(
            _as_vector(start, "start"),
            _as_vector(goal, "goal"),
            limits.table,
            _zeros_or(start_velocity, dof, "start_velocity"),
            _zeros_or(start_acceleration, dof, "start_acceleration"),
            limits.names,
        )
    )


def plan_stop(state: _HasState, limits: JointLimits) -> Trajectory:
    """Decelerate every joint to rest as fast as the limits allow from `state`.

    `state` is anything with `position`, `velocity` and `acceleration` (a MotionState, or a
    trajectory's `state_at(t)`). A state on a phase-synchronised move stops along its line.
    """
    return Trajectory(
        _motion.plan_stop(
            _as_vector(state.position, "position"),
            _as_vector(state.velocity, "velocity"),
            _as_vector(state.acceleration, "acceleration"),
            limits.table,
            limits.names,
        )
    )
