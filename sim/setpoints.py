"""Playing time-stamped joint setpoints: interpolation, controlled stop along the path, underrun.

Pure logic on the simulation clock (no PyBullet), used by :class:`sim.arm.SimArm` once per
physics step. The arm follows a *path time* τ: while following, τ equals the clock; a
controlled stop slows τ's rate from 1 to 0 with a half-cosine over ``stop_time``, so the arm
decelerates smoothly and stops *on* the planned path (the path was planned collision-free;
a stop that leaves it might not be). Between setpoints the position is interpolated linearly;
the velocity is the segment's slope times τ's rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["SetpointPlayer", "Sample"]


@dataclass(frozen=True)
class Sample:
    """The commanded joint state at one instant, and what the player is doing."""

    position: np.ndarray
    velocity: np.ndarray
    playing: bool
    """True while setpoints remain (or the arm is still decelerating along them)."""
    underrun: bool = False
    """True once: the queue ran dry although the motion was not final."""


class SetpointPlayer:
    """A queue of setpoints anchored at the commanded position (see module docstring)."""

    def __init__(self, hold: np.ndarray) -> None:
        self._hold = np.array(hold, dtype=float)
        self._times = np.zeros(0)
        self._positions = np.zeros((0, self._hold.size))
        self._index = 0
        self._anchor_time = 0.0
        self._final = True
        self._stop_start: float | None = None
        self._stop_time = 0.0
        self._tau_at_stop = 0.0
        self._tau = 0.0

    @property
    def hold(self) -> np.ndarray:
        """The position held when nothing plays (the last commanded position)."""
        return self._hold.copy()

    @property
    def queue_depth(self) -> int:
        """Setpoints not yet reached."""
        return int(self._times.size - self._index)

    @property
    def last_time(self) -> float | None:
        """Time of the last queued setpoint, or None when empty."""
        return float(self._times[-1]) if self.queue_depth else None

    @property
    def stopping(self) -> bool:
        """True during a controlled stop."""
        return self._stop_start is not None

    def last_position(self) -> np.ndarray:
        """Where the queue ends (the hold position when empty)."""
        return self._positions[-1].copy() if self.queue_depth else self._hold.copy()

    def append(self, now: float, times: np.ndarray, positions: np.ndarray, final: bool) -> None:
        """Queue setpoints (already validated: strictly increasing, after ``now`` and the queue's end)."""
        if self.queue_depth == 0:
            self._times, self._positions, self._index = times.copy(), positions.copy(), 0
            self._anchor_time = now
            self._tau = now
        else:
            start = max(self._index - 1, 0)  # keep the knot the current segment starts from
            self._times = np.concatenate((self._times[start:], times))
            self._positions = np.vstack((self._positions[start:], positions))
            self._index -= start
        self._final = final

    def clear(self, hold: np.ndarray) -> None:
        """Drop every setpoint and hold ``hold`` (e-stop, deactivate)."""
        self._hold = np.array(hold, dtype=float)
        self._times = np.zeros(0)
        self._positions = np.zeros((0, self._hold.size))
        self._index = 0
        self._stop_start = None
        self._final = True

    def start_stop(self, now: float, velocity: np.ndarray, max_acceleration: np.ndarray) -> float:
        """Begin a controlled stop; returns its duration (0 when nothing plays).

        The duration keeps every joint's deceleration within ``max_acceleration``: the half-cosine
        rate profile peaks at π·|v|/(2·T).
        """
        if self.queue_depth == 0 or self._stop_start is not None:
            return 0.0
        needed = math.pi * np.abs(velocity) / (2.0 * np.asarray(max_acceleration))
        self._stop_time = max(float(np.max(needed)), 0.01)
        self._stop_start = now
        self._tau_at_stop = self._tau
        return self._stop_time

    def _path_time(self, now: float) -> tuple[float, float]:
        if self._stop_start is None:
            return now, 1.0
        s = min((now - self._stop_start) / self._stop_time, 1.0)
        rate = 0.5 * (1.0 + math.cos(math.pi * s))
        travelled = self._stop_time * (0.5 * s + math.sin(math.pi * s) / (2.0 * math.pi))
        return self._tau_at_stop + travelled, rate

    def sample(self, now: float) -> Sample:
        """Advance to ``now`` and return the commanded state."""
        zero = np.zeros_like(self._hold)
        if self.queue_depth == 0:
            return Sample(self._hold.copy(), zero, False)
        tau, rate = self._path_time(now)
        self._tau = tau
        times = self._times
        k = int(np.searchsorted(times, tau, side="right"))
        if k >= times.size:
            return self._finish(zero)
        if k > 0:
            t0, q0 = times[k - 1], self._positions[k - 1]
        else:
            t0, q0 = self._anchor_time, self._hold
        self._index = k
        t1, q1 = times[k], self._positions[k]
        slope = (q1 - q0) / (t1 - t0)
        position = q0 + slope * (tau - t0)
        if self._stop_start is not None and rate <= 0.0:
            self.clear(position)
            return Sample(position, zero, False)
        return Sample(position, slope * rate, True)

    def _finish(self, zero: np.ndarray) -> Sample:
        underrun = not self._final and self._stop_start is None
        self.clear(self._positions[-1])
        return Sample(self._hold.copy(), zero, False, underrun=underrun)
