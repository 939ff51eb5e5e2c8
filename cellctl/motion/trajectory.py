"""Joint trajectories from the native core, and their vectorised samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cellctl import _motion


@dataclass(frozen=True)
class Samples:
    """A trajectory evaluated at `time`: every other field is an (N, dof) float64 array."""

    time: NDArray[np.float64]
    position: NDArray[np.float64]
    velocity: NDArray[np.float64]
    acceleration: NDArray[np.float64]
    jerk: NDArray[np.float64]


@dataclass(frozen=True)
class MotionState:
    """Position, velocity and acceleration of every joint at one instant."""

    position: NDArray[np.float64]
    velocity: NDArray[np.float64]
    acceleration: NDArray[np.float64]


class SampledMotion:
    """What every joint trajectory offers, whichever planner made it.

    Time starts at 0; before 0 the start state holds, after `duration` the final state at rest.
    The native object provides `duration`, `dof` and `sample(times) -> (p, v, a, j)`.
    """

    def __init__(self, native: _motion.JointTrajectory | _motion.CartesianTrajectory) -> None:
        self._native = native

    @property
    def duration(self) -> float:
        """Seconds from the start state to the goal at rest."""
        return self._native.duration

    @property
    def dof(self) -> int:
        """Number of joints."""
        return self._native.dof

    def sample(self, times: ArrayLike | None = None, *, rate: float | None = None) -> Samples:
        """Evaluate at `times` (seconds), or at `rate` Hz from 0 through the end inclusive.

        Sorted times are evaluated in one linear pass in C++; no Python loop per sample.
        """
        if (times is None) == (rate is None):
            raise ValueError("give either times or rate (Hz), not both and not neither")
        if rate is not None:
            if not (np.isfinite(rate) and rate > 0):
                raise ValueError(f"rate must be a positive number of samples per second, got {rate}")
            t = servo_times(self.duration, rate)
        else:
            t = np.ascontiguousarray(times, dtype=np.float64)
            if t.ndim == 0:
                t = t.reshape(1)
            if t.ndim != 1:
                raise ValueError(f"times must be a 1-D array of seconds, got shape {t.shape}")
            bad = np.flatnonzero(~np.isfinite(t))
            if bad.size:
                raise ValueError(f"times[{bad[0]}] is {t[bad[0]]}; sample times must be finite")
        p, v, a, j = self._native.sample(t)
        return Samples(t, p, v, a, j)

    def state_at(self, time: float) -> MotionState:
        """The joint state at one instant."""
        s = self.sample([time])
        return MotionState(s.position[0], s.velocity[0], s.acceleration[0])


class Trajectory(SampledMotion):
    """A synchronised, jerk-limited joint-space trajectory (from plan_ptp or plan_stop)."""

    _native: _motion.JointTrajectory

    @property
    def phase_synchronized(self) -> bool:
        """True when the joints move along one straight line in joint space."""
        return self._native.phase_synchronized

    def phases(self, joint: int) -> list[tuple[float, float]]:
        """The (duration, jerk) phases of one joint's profile, for inspection and plots."""
        return self._native.phases(joint)

    def __repr__(self) -> str:
        kind = "phase" if self.phase_synchronized else "time"
        return f"Trajectory(dof={self.dof}, duration={self.duration:.6f}s, {kind}-synchronized)"


def servo_times(duration: float, rate: float) -> NDArray[np.float64]:
    """Sample instants at `rate` Hz from 0, always including the end of the motion."""
    n = int(np.floor(duration * rate + 1e-9))
    t = np.arange(n + 1, dtype=np.float64) / rate
    if t[-1] < duration:
        t = np.append(t, duration)
    return t
