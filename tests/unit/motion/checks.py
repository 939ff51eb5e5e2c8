"""Independent checks of a sampled trajectory: limits, continuity, arrival."""

from __future__ import annotations

import numpy as np

from cellctl.motion import JointLimits, Trajectory

LIMIT_TOLERANCE = 1e-9  # relative


def dense_times(traj: Trajectory, n: int = 4000) -> np.ndarray:
    """Uniform times plus every phase boundary of every joint (where extremes sit)."""
    boundaries = [0.0]
    for joint in range(traj.dof):
        boundaries.extend(np.cumsum([d for d, _ in traj.phases(joint)]))
    t = np.concatenate([np.linspace(0.0, traj.duration, n), boundaries])
    return np.unique(np.clip(t, 0.0, traj.duration))


def assert_within_limits(traj: Trajectory, limits: JointLimits) -> None:
    s = traj.sample(dense_times(traj))
    for name, values, bound in (
        ("velocity", s.velocity, limits.velocity),
        ("acceleration", s.acceleration, limits.acceleration),
        ("jerk", s.jerk, limits.jerk),
    ):
        excess = np.abs(values) / bound - 1.0
        assert excess.max() <= LIMIT_TOLERANCE, f"{name} exceeds its limit by {excess.max():.3e} (relative)"


def assert_continuous(traj: Trajectory, limits: JointLimits) -> None:
    """Position, velocity and acceleration have no jumps at any phase boundary."""
    eps = 1e-9
    for joint in range(traj.dof):
        for t in np.cumsum([d for d, _ in traj.phases(joint)]):
            before, after = traj.state_at(t - eps), traj.state_at(t + eps)
            jump_a = abs(after.acceleration[joint] - before.acceleration[joint])
            jump_v = abs(after.velocity[joint] - before.velocity[joint])
            jump_p = abs(after.position[joint] - before.position[joint])
            assert jump_a <= 2 * eps * limits.jerk[joint] * (1 + 1e-6) + 1e-12
            assert jump_v <= 2 * eps * limits.acceleration[joint] * (1 + 1e-6) + 1e-12
            assert jump_p <= 2 * eps * limits.velocity[joint] * (1 + 1e-6) + 1e-12


def final_error(traj: Trajectory, goal: np.ndarray) -> float:
    end = traj.state_at(traj.duration)
    return float(np.abs(end.position - goal).max())
