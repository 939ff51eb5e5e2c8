"""Cartesian tool motion: straight lines (LIN), arcs (CIRC) and blended sequences.

The native core interpolates the tool pose along the path (orientation by slerp on the
rotation group), runs a jerk-limited profile along the path under Cartesian limits, resolves
it into joint motion by inverse kinematics, and slows the move down locally (a smoothed speed
override that ramps in before the demanding stretch and out after it) where a joint limit or
the path's curvature would otherwise be exceeded; a last dense check scales the whole move
only if the ramps themselves still exceed a limit (docs/architecture.md). Plans that pass through a singularity, leave the
joint limits or ask for an unreachable pose are rejected before any motion, with the move,
the place along it and the reason (:class:`~cellctl.motion.errors.PathError`).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cellctl import _motion
from cellctl.motion.errors import PathError
from cellctl.motion.kinematics import Chain, as_pose
from cellctl.motion.limits import JointLimits
from cellctl.motion.trajectory import SampledMotion


@dataclass(frozen=True)
class CartesianLimits:
    """Limits on the tool centre point: translation (m/s, m/s², m/s³) and rotation (rad/s …)."""

    speed: float
    acceleration: float
    jerk: float
    angular_speed: float = 1.0
    angular_acceleration: float = 5.0
    angular_jerk: float = 50.0

    def __post_init__(self) -> None:
        for name in ("speed", "acceleration", "jerk", "angular_speed", "angular_acceleration", "angular_jerk"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"CartesianLimits.{name} is {value!r}; it must be a finite number > 0")

    def as_list(self) -> list[float]:
        return [self.speed, self.acceleration, self.jerk, self.angular_speed,
                self.angular_acceleration, self.angular_jerk]


@dataclass(frozen=True)
class Lin:
    """A straight-line move of the tool to `pose`; `blend` rounds the corner after it (m)."""

    pose: ArrayLike
    blend: float | None = None


@dataclass(frozen=True)
class Circ:
    """An arc to `pose`, through the point `via`, or about `center` (the short way, or about
    `normal` when given); `blend` rounds the corner after it (m)."""

    pose: ArrayLike
    via: ArrayLike | None = None
    center: ArrayLike | None = None
    normal: ArrayLike | None = None
    blend: float | None = None


CartesianMove = Lin | Circ
"""One piece of a Cartesian path: a straight line or an arc."""


class CartesianTrajectory(SampledMotion):
    """Joint motion that moves the tool along a Cartesian path; samples like a Trajectory."""

    _native: _motion.CartesianTrajectory

    def __init__(self, native: _motion.CartesianTrajectory, moves: tuple[CartesianMove, ...]) -> None:
        super().__init__(native)
        self.moves = moves

    @property
    def length(self) -> float:
        """Path length (m; rotation counts through the limits' speed/angular-speed ratio)."""
        return self._native.length

    @property
    def time_scale(self) -> float:
        """1.0 when the Cartesian limits govern; below 1 when slowed down for the joints."""
        return self._native.time_scale

    def poses(self, times: ArrayLike) -> NDArray[np.float64]:
        """Tool poses (N, 4, 4) on the ideal path at `times`."""
        return self._native.poses(np.ascontiguousarray(times, dtype=np.float64).reshape(-1))

    def positions(self, times: ArrayLike) -> NDArray[np.float64]:
        """Joint positions only (N, dof): cheaper than sample() when rates are not needed."""
        return self._native.positions(np.ascontiguousarray(times, dtype=np.float64).reshape(-1))

    def __repr__(self) -> str:
        return (f"CartesianTrajectory(moves={len(self.moves)}, length={self.length:.4f}, "
                f"duration={self.duration:.4f}s, time_scale={self.time_scale:.3f})")


def _segment(move: CartesianMove, start: NDArray[np.float64], rotation_radius: float, index: int) -> _motion.PathSegment:
    goal = as_pose(move.pose, f"move {index} pose")
    try:
        if isinstance(move, Lin):
            return _motion.line_segment(start, goal, rotation_radius)
        if (move.via is None) == (move.center is None):
            raise ValueError("a circular move needs exactly one of via or center")
        if move.via is not None:
            return _motion.arc_through(start, np.asarray(move.via, float), goal, rotation_radius)
        normal = np.zeros(3) if move.normal is None else np.asarray(move.normal, float)
        return _motion.arc_about(start, np.asarray(move.center, float), goal, normal, rotation_radius, 1e-6)
    except ValueError as exc:
        raise ValueError(f"move {index} ({_kind(move)}): {exc}") from None


def _kind(move: CartesianMove) -> str:
    return "LIN" if isinstance(move, Lin) else "CIRC"


PLAN_CACHE_SIZE = 512
"""Cartesian plans remembered for reuse (least recently used dropped first)."""
_plans: OrderedDict[bytes, CartesianTrajectory] = OrderedDict()
_plans_lock = threading.Lock()
plan_cache_stats = {"hits": 0, "misses": 0}
"""Reuses and fresh plans since the process started (for benchmarks)."""


def plan_path(chain: Chain, start_q: ArrayLike, moves: Sequence[CartesianMove], limits: JointLimits,
              cartesian_limits: CartesianLimits, blend: float = 0.0) -> CartesianTrajectory:
    """Plan a sequence of LIN/CIRC moves from joint configuration `start_q`, without stopping
    at corners that have a blend radius (`blend`, or the move's own), and ending at rest.

    A plan is a pure function of its inputs, so a plan asked for again with exactly the same
    ones (chain, start, moves, limits: compared as bytes) is reused, not planned again (the
    last ``PLAN_CACHE_SIZE``; a cell repeats most of its moves from unit to unit).

    Raises:
        PathError: the path is unreachable, leaves a joint limit or meets a singularity; the
            message names the move, where along it and why.
        ValueError: malformed input (poses, blend radii longer than half a neighbouring move).
    """
    key = _plan_key(chain, start_q, moves, limits, cartesian_limits, blend)
    if key is not None:
        with _plans_lock:  # arms plan in threads of their own on a real clock
            cached = _plans.get(key)
            if cached is not None:
                _plans.move_to_end(key)
                plan_cache_stats["hits"] += 1
                return cached
    plan = _plan_path(chain, start_q, moves, limits, cartesian_limits, blend)
    if key is not None:
        with _plans_lock:
            plan_cache_stats["misses"] += 1
            _plans[key] = plan
            while len(_plans) > PLAN_CACHE_SIZE:
                _plans.popitem(last=False)
    return plan


def _plan_key(chain: Chain, start_q: ArrayLike, moves: Sequence[CartesianMove], limits: JointLimits,
              cartesian_limits: CartesianLimits, blend: float) -> bytes | None:
    """The exact bytes of every input of a plan, or None when they cannot be keyed (uncacheable)."""
    if chain.key is None:
        return None
    try:
        parts = [chain.key, np.asarray(start_q, dtype=np.float64).tobytes(), limits.table.tobytes(),
                 np.array([*cartesian_limits.as_list(), blend], dtype=np.float64).tobytes()]
        for move in moves:
            extra = (move.via, move.center, move.normal) if isinstance(move, Circ) else ()
            parts += [f"|{_kind(move)}:{move.blend!r}:".encode(), as_pose(move.pose).tobytes()]
            parts += [np.asarray(v, dtype=np.float64).reshape(3).tobytes() if v is not None else b"-" for v in extra]
    except (TypeError, ValueError):
        return None  # malformed input: planning reports it
    return b"".join(parts)


def _plan_path(chain: Chain, start_q: ArrayLike, moves: Sequence[CartesianMove], limits: JointLimits,
               cartesian_limits: CartesianLimits, blend: float) -> CartesianTrajectory:
    if not moves:
        raise ValueError("plan_path needs at least one move")
    if limits.dof != chain.dof:
        raise ValueError(f"joint limits describe {limits.dof} joints but the chain has {chain.dof}")
    q0 = np.asarray(start_q, dtype=np.float64)
    start = chain.fk(q0)
    rotation_radius = cartesian_limits.speed / cartesian_limits.angular_speed
    segments, blends = [], []
    for i, move in enumerate(moves):
        segments.append(_segment(move, start, rotation_radius, i))
        start = as_pose(move.pose)
        blends.append(blend if move.blend is None else move.blend)
    blends[-1] = 0.0
    _check_blends(segments, blends, moves)
    try:
        native = _motion.plan_cartesian(chain.native, q0, segments, blends, limits.table,
                                        cartesian_limits.as_list())
    except PathError as err:
        raise err.describe(f"move {err.move} ({_kind(moves[err.move])})",
                           f"joint '{chain.joint_names[err.joint]}'" if err.joint >= 0 else "") from None
    return CartesianTrajectory(native, tuple(moves))


def _check_blends(segments: list[_motion.PathSegment], blends: list[float], moves: Sequence[CartesianMove]) -> None:
    for i, radius in enumerate(blends[:-1]):
        if not (math.isfinite(radius) and radius >= 0):
            raise ValueError(f"move {i} ({_kind(moves[i])}): blend radius {radius!r} must be a finite number ≥ 0")
        room = min(segments[i].length, segments[i + 1].length) / 2
        if radius > room:
            raise ValueError(
                f"move {i} ({_kind(moves[i])}): blend radius {radius} m is more than half of a "
                f"neighbouring move ({room * 2:.6g} m); valid: 0 .. {room:.6g} m")


def plan_linear(chain: Chain, start_q: ArrayLike, goal_pose: ArrayLike, limits: JointLimits,
                cartesian_limits: CartesianLimits) -> CartesianTrajectory:
    """Move the tool in a straight line (orientation slerped) from FK(start_q) to `goal_pose`."""
    return plan_path(chain, start_q, [Lin(goal_pose)], limits, cartesian_limits)


def plan_circular(chain: Chain, start_q: ArrayLike, goal_pose: ArrayLike, limits: JointLimits,
                  cartesian_limits: CartesianLimits, *, via: ArrayLike | None = None,
                  center: ArrayLike | None = None, normal: ArrayLike | None = None) -> CartesianTrajectory:
    """Move the tool on an arc through `via` (or about `center`) from FK(start_q) to `goal_pose`."""
    return plan_path(chain, start_q, [Circ(goal_pose, via=via, center=center, normal=normal)],
                     limits, cartesian_limits)
