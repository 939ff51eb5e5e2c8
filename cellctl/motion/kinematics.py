"""Kinematic chains: forward kinematics, Jacobian and inverse kinematics in the native core."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cellctl import _motion
from cellctl.motion.errors import IKError
from cellctl.motion.urdf import read_chain, transform

_IK_REASONS = {
    "unreachable": "no configuration reaches it (out of reach, or no attempt converged)",
    "singular": "every attempt stalled at a singular configuration",
    "joint_limits": "it is reachable only with a joint outside its limits",
}


def as_pose(pose: ArrayLike, what: str = "pose") -> NDArray[np.float64]:
    """A 4x4 homogeneous transform from a 4x4 array or an (xyz, rpy) pair."""
    arr = np.asarray(pose, dtype=object if isinstance(pose, tuple) else np.float64)
    if isinstance(pose, tuple) and len(pose) == 2:
        return transform(np.asarray(pose[0], float), np.asarray(pose[1], float))
    arr = np.asarray(pose, dtype=np.float64)
    if arr.shape != (4, 4):
        raise ValueError(f"{what} must be a 4x4 transform or an (xyz, rpy) pair, got shape {arr.shape}")
    return arr


class Chain:
    """A serial chain from a base link to a tool centre point (TCP).

    Poses are 4x4 homogeneous transforms of the TCP in the base link's frame.
    """

    def __init__(self, native: _motion.Chain, joint_names: tuple[str, ...], lower: NDArray[np.float64],
                 upper: NDArray[np.float64], velocity: NDArray[np.float64], source: str,
                 key: bytes | None = None) -> None:
        self._native = native
        self.key = key
        """Bytes that identify the chain's geometry exactly (joints, limits, tip), or None: two
        chains with the same key plan the same motions (plans are reused by it)."""
        self.joint_names = joint_names
        self.lower = lower
        self.upper = upper
        self.velocity_limits = velocity
        self.source = source

    @property
    def dof(self) -> int:
        """Number of movable joints."""
        return self._native.dof

    @property
    def native(self) -> _motion.Chain:
        """The native chain (for the Cartesian planners)."""
        return self._native

    def fk(self, q: ArrayLike) -> NDArray[np.float64]:
        """TCP pose (4x4) at joint positions q."""
        return self._native.fk(np.asarray(q, dtype=np.float64))

    def jacobian(self, q: ArrayLike) -> NDArray[np.float64]:
        """Geometric Jacobian (6 x dof) at the TCP in the base frame: linear rows, then angular."""
        return self._native.jacobian(np.asarray(q, dtype=np.float64))

    def ik(self, pose: ArrayLike, seed: ArrayLike | None = None, *, position_tolerance: float | None = None,
           orientation_tolerance: float | None = None, max_attempts: int | None = None,
           random_seed: int | None = None) -> NDArray[np.float64]:
        """Joint positions that put the TCP at `pose`, within the joint limits.

        Starts from `seed` (warm start: one attempt usually converges in a few iterations), then
        retries from reproducible random configurations. Never returns a wrong answer: when no
        attempt converges to the tolerances it raises :class:`IKError` saying why.

        Options left at None take the core's defaults, defined once in C++ (``IkOptions``:
        1e-10 m, 1e-9 rad, 50 attempts, a fixed random seed); see ``_motion.Chain.ik``.

        Raises:
            IKError: no configuration found (unreachable, singular, or only outside the limits).
            ValueError: invalid input (a pose that is not a rigid transform, a seed of the wrong
                length or with NaN, options out of range); the message says which.
        """
        target = as_pose(pose)
        q0 = np.clip(np.zeros(self.dof), self.lower, self.upper) if seed is None else np.asarray(seed, float)
        given = {"position_tolerance": position_tolerance, "orientation_tolerance": orientation_tolerance,
                 "max_attempts": max_attempts, "random_seed": random_seed}
        status, q, perr, rerr, _, attempts = self._native.ik(
            target, q0, **{name: value for name, value in given.items() if value is not None})
        if status != "ok":
            where = np.round(target[:3, 3], 6).tolist()
            if status == "unreachable" and attempts == 0:
                distance = float(np.linalg.norm(target[:3, 3]))
                raise IKError(f"no IK solution for the pose at {where} m: it is {distance:.3f} m from the base, "
                              f"beyond the arm's reach of {self._native.reach:.3f} m", status, np.inf, np.inf)
            raise IKError(
                f"no IK solution for the pose at {where} m: {_IK_REASONS.get(status, status)} "
                f"(best error {perr:.2e} m, {rerr:.2e} rad after {attempts} attempts)", status, perr, rerr)
        return q

    def __repr__(self) -> str:
        return f"Chain({self.source}, dof={self.dof}, joints={list(self.joint_names)})"


def load_chain(urdf_path: str | Path, base_link: str, tip_link: str, tool: ArrayLike | None = None) -> Chain:
    """Load the serial chain from `base_link` to `tip_link` of a URDF file.

    Revolute, continuous and prismatic joints move; fixed joints are folded in. `tool` is the
    TCP offset from the tip link: a 4x4 transform or an (xyz, rpy) pair.
    """
    spec = read_chain(urdf_path, base_link, tip_link)
    tip = spec.tip if tool is None else spec.tip @ as_pose(tool, "tool")
    joints = [(j.name, j.type, j.origin, j.axis, j.lower, j.upper) for j in spec.joints]
    native = _motion.Chain(joints, tip)
    key = b"".join([*(f"{j.name}\0{j.type}\0".encode() + np.asarray(j.origin, np.float64).tobytes()
                      + np.asarray(j.axis, np.float64).tobytes() + np.array([j.lower, j.upper, j.velocity]).tobytes()
                      for j in spec.joints), np.asarray(tip, np.float64).tobytes()])
    return Chain(native, tuple(j.name for j in spec.joints), np.array([j.lower for j in spec.joints]),
                 np.array([j.upper for j in spec.joints]), np.array([j.velocity for j in spec.joints]),
                 f"{Path(urdf_path).name}:{base_link}->{tip_link}", key)
