"""The reference model of a controller's motion side: a setpoint queue played in trajectory time.

Both backends run this one model (the simulation in each physics step, the controller emulator
in each servo tick); ``docs/protocol.md`` §8 states the same rules for firmware authors.

**Trajectory time.** Setpoints ("knots") are stamped in *trajectory time* τ, not in clock time
t. The controller advances τ by the speed override o: dτ/dt = o(t)·s(t), where o ∈ [0, 1] is
the override the host sets (1 = as planned, 0 = paused) and s is the factor of a controlled stop
(1 normally). While both are 1, τ runs with the clock. Positions always come from the knots,
interpolated linearly in τ, so whatever o and s do, the arm stays *on the planned path*; its
velocity is the path's slope times o·s.

**Ramps.** o and s never jump: each change is a quintic ramp from the present (value, rate,
rate of rate) to (target, 0, 0), so the arm's acceleration and jerk stay bounded. The ramp's
duration comes from the arm's limits and the path's current speed v (per joint, the slope at
rate 1): the ramp's own terms must fit in a share ``RAMP_SHARE`` of each joint's acceleration
and jerk limit, |v|·max|ȯ| ≤ h·a and |v|·max|ö| ≤ h·j. For a change Δ over T the quintic peaks
at ȯ = 1.875·Δ/T and ö = 5.7735·Δ/T², so T = max(1.875·Δ·|v|/(h·a), √(5.7735·Δ·|v|/(h·j))),
at least ``MIN_RAMP`` seconds.

**Queue rules** (:meth:`TrajectoryPlayer.check`): knots strictly increasing in τ, the first after
the queue's last knot (or after τ now when the queue is empty), at most ``capacity`` queued, no
joint faster than ``max_velocity`` between knots. A *new motion* reaching an empty queue may
start late: the host is not real-time and a motion from rest can start at any time, so its
knots (and every later batch of it, until its last) are delayed to start ``MIN_LEAD`` after τ
now. A batch that continues a motion is never moved. A queue that runs dry while the stream is
open (the last batch did not say "end") and τ still advances is an underrun: the arm holds the
last knot and the caller latches the fault. A paused arm (o = 0) never underruns.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Ramp", "TrajectoryPlayer", "PlayerLimits", "Refusal", "Sample", "ramp_duration",
           "RAMP_SHARE", "MIN_RAMP", "MIN_LEAD"]

RAMP_SHARE = 0.5
"""Share of each joint's acceleration and jerk limit a ramp of o or s may use."""
MIN_RAMP = 0.02
"""Shortest ramp, seconds (also the ramp of an arm at rest)."""
MIN_LEAD = 0.002
"""A new motion reaching an empty queue starts at least this long after τ now, seconds."""
_SUBSTEP = 1e-3          # s: longest step of the τ integration
_WALK = 8                # knots searched one by one before bisecting
_PEAK_RATE = 1.875        # max of d/ds (10s³ − 15s⁴ + 6s⁵) on [0, 1]
_PEAK_RATE2 = 5.773502692  # max |d²/ds²| of the same (10/√3)


class Ramp:
    """A value moved between targets by quintic ramps (the override o, the stop factor s).

    ``retarget`` starts a ramp from the present state to ``target`` over ``duration``; the value
    is clipped to [0, 1] when read.
    """

    def __init__(self, value: float = 1.0) -> None:
        self.target = value
        self._t0 = 0.0
        self._duration = 0.0
        self._end = 0.0
        self._rest = min(max(value, 0.0), 1.0)
        self._coef = (value, 0.0, 0.0, 0.0, 0.0, 0.0)

    def state(self, t: float) -> tuple[float, float, float]:
        """(value, rate, rate of rate) at time ``t``."""
        if t >= self._end:
            return self._rest, 0.0, 0.0
        s = max(t - self._t0, 0.0)
        c = self._coef
        value = c[0] + s * (c[1] + s * (c[2] + s * (c[3] + s * (c[4] + s * c[5]))))
        rate = c[1] + s * (2 * c[2] + s * (3 * c[3] + s * (4 * c[4] + s * 5 * c[5])))
        rate2 = 2 * c[2] + s * (6 * c[3] + s * (12 * c[4] + s * 20 * c[5]))
        return min(max(value, 0.0), 1.0), rate, rate2

    def value(self, t: float) -> float:
        """The value at ``t``."""
        return self.state(t)[0]

    def at_rest(self, t: float) -> bool:
        """True once the ramp towards the target has ended."""
        return t >= self._end

    def delay(self, seconds: float) -> None:
        """Move the ramp ``seconds`` later (time stood still for it)."""
        self._t0 += seconds
        self._end += seconds

    def retarget(self, t: float, target: float, duration: float) -> None:
        """Move from the state at ``t`` to ``target`` (at rest there) in ``duration`` seconds."""
        p0, v0, a0 = self.state(t)
        T = max(duration, 1e-6)
        h = target - p0
        self._coef = (
            p0, v0, a0 / 2.0,
            (20 * h - 12 * v0 * T - 3 * a0 * T * T) / (2 * T**3),
            (-30 * h + 16 * v0 * T + 3 * a0 * T * T) / (2 * T**4),
            (12 * h - 6 * v0 * T - a0 * T * T) / (2 * T**5),
        )
        self._set(t, T, target)

    def _set(self, t: float, duration: float, target: float) -> None:
        self._t0, self._duration, self._end, self.target = t, duration, t + duration, target
        self._rest = min(max(target, 0.0), 1.0)

    def jump(self, t: float, value: float) -> None:
        """Set the value at once (after a stop completed, an e-stop, a reset of the queue)."""
        self._coef = (value, 0.0, 0.0, 0.0, 0.0, 0.0)
        self._set(t, 0.0, value)


@dataclass(frozen=True)
class PlayerLimits:
    """What the model enforces and how fast it may ramp (per joint arrays of length dof)."""

    velocity: np.ndarray
    acceleration: np.ndarray
    jerk: np.ndarray
    capacity: int = 2000
    velocity_margin: float = 1.5
    """Knots may imply up to this multiple of the velocity limit (sampling slack) before refusal."""

    @classmethod
    def uniform(cls, dof: int, velocity: float = 2.0, acceleration: float = 8.0, jerk: float = 100.0,
                capacity: int = 2000, velocity_margin: float = 1.5) -> "PlayerLimits":
        """The same limits on every joint."""
        return cls(np.full(dof, velocity), np.full(dof, acceleration), np.full(dof, jerk), capacity, velocity_margin)


def ramp_duration(change: float, path_velocity: np.ndarray, limits: PlayerLimits,
                  share: float = RAMP_SHARE) -> float:
    """Seconds for a ramp of o (or s) by ``change`` at the joints' path speed (see module docstring)."""
    v = np.abs(np.asarray(path_velocity, dtype=float)) * abs(change)
    by_acc = _PEAK_RATE * v / (share * limits.acceleration)
    by_jerk = np.sqrt(_PEAK_RATE2 * v / (share * limits.jerk))
    return max(MIN_RAMP, float(np.max(by_acc, initial=0.0)), float(np.max(by_jerk, initial=0.0)))


class Refusal(enum.Enum):
    """Why a batch of knots was refused (each backend maps these to its own codes)."""

    OVERFLOW = "queue overflow"
    LATE = "setpoint late"
    NOT_MONOTONIC = "setpoints not increasing"
    VELOCITY = "velocity limit"
    DOF = "wrong number of joints"


@dataclass(frozen=True)
class Sample:
    """The commanded joint state at one instant and what the player is doing."""

    position: np.ndarray
    velocity: np.ndarray
    playing: bool
    """True while knots remain or a controlled stop decelerates."""
    underrun: bool = False
    """True once: the queue ran dry although the stream was open."""
    stopped: bool = False
    """True once: a controlled stop has brought the arm to rest (the queue was dropped)."""


class TrajectoryPlayer:
    """Queue, override, controlled stop and underrun of one arm (see module docstring)."""

    def __init__(self, hold: np.ndarray, limits: PlayerLimits, now: float = 0.0) -> None:
        self.limits = limits
        self._hold = np.array(hold, dtype=float)
        dof = self._hold.size
        self._times = np.zeros(0)
        self._positions = np.zeros((0, dof))
        self._index = 0
        self._anchor = (now, self._hold.copy())
        self._open = False
        self._shift = 0.0
        self.late_starts = 0
        """New motions that arrived late and were delayed (the host fell behind)."""
        self._now = now
        self.tau = now
        """Trajectory time now, seconds."""
        self._rate = 1.0
        self.override = Ramp(1.0)
        self._stop = Ramp(1.0)
        self._stopping = False
        self._slope = np.zeros(dof)
        self._position = self._hold.copy()

    # ------------------------------------------------------------------ state
    @property
    def dof(self) -> int:
        return int(self._hold.size)

    @property
    def queue_depth(self) -> int:
        """Knots queued and not yet reached."""
        return int(self._times.size - self._index)

    @property
    def last_time(self) -> float | None:
        """τ of the last queued knot, or None when the queue is empty."""
        return float(self._times[-1]) if self.queue_depth else None

    @property
    def stopping(self) -> bool:
        """True while a controlled stop decelerates."""
        return self._stopping

    @property
    def stream_open(self) -> bool:
        """True while more knots are expected (the last batch did not end the motion)."""
        return self._open

    @property
    def position(self) -> np.ndarray:
        """The commanded position now."""
        return self._position.copy()

    def override_now(self) -> float:
        """The override o at the last :meth:`advance`."""
        return self.override.value(self._now)

    def rate(self) -> float:
        """dτ/dt now (o·s)."""
        return self._rate

    def last_position(self) -> np.ndarray:
        """Where the queue ends (the commanded position when it is empty)."""
        return self._positions[-1].copy() if self.queue_depth else self._position.copy()

    # ------------------------------------------------------------------ commands
    def shift_for(self, times: np.ndarray, new_motion: bool) -> float:
        """The delay these knots get: a new motion that reaches an empty queue late starts
        ``MIN_LEAD`` after τ now instead, and the rest of that motion follows by the same delay."""
        if new_motion and self.queue_depth == 0:
            return max(0.0, self.tau + MIN_LEAD - float(times[0]))
        return self._shift if self.queue_depth else 0.0

    def check(self, times: np.ndarray, positions: np.ndarray, new_motion: bool = False) -> tuple[Refusal, str] | None:
        """Why knots (τ seconds, rad) would be refused, or None when they are acceptable."""
        times = times + self.shift_for(times, new_motion)
        if positions.ndim != 2 or positions.shape[1] != self.dof:
            return Refusal.DOF, f"knots have {positions.shape[-1]} joints, the arm has {self.dof}"
        if self.queue_depth + len(times) > self.limits.capacity:
            return Refusal.OVERFLOW, (f"{len(times)} knots do not fit: {self.queue_depth} of "
                                      f"{self.limits.capacity} queued")
        if self.queue_depth:
            start_t, start_q = float(self._times[-1]), self._positions[-1]
        else:
            start_t, start_q = self.tau, self._position
        if times[0] <= start_t:
            what = "the last queued knot" if self.queue_depth else "the arm's trajectory time now"
            refusal = Refusal.NOT_MONOTONIC if self.queue_depth else Refusal.LATE
            return refusal, f"the first knot (τ={times[0]:.6f} s) is not after {what} (τ={start_t:.6f} s)"
        t = np.concatenate(([start_t], times))
        steps = np.diff(t)
        if np.any(steps <= 0):
            i = int(np.flatnonzero(steps <= 0)[0])
            return Refusal.NOT_MONOTONIC, f"knot {i} (τ={t[i + 1]:.6f} s) does not come after the one before"
        q = np.vstack((start_q, positions))
        speed = np.abs(np.diff(q, axis=0)) / steps[:, None]
        over = speed > self.limits.velocity_margin * self.limits.velocity
        if over.any():
            i, j = (int(v) for v in np.argwhere(over)[0])
            return Refusal.VELOCITY, (f"knot {i} moves joint {j} at {speed[i, j]:.2f} rad/s, more than "
                                      f"{self.limits.velocity_margin:g} × its limit {self.limits.velocity[j]:g} "
                                      "rad/s; does the motion start where the arm is?")
        return None

    def append(self, times: np.ndarray, positions: np.ndarray, final: bool, new_motion: bool = False) -> None:
        """Queue knots that :meth:`check` accepted (with the same ``new_motion``)."""
        self._shift = self.shift_for(times, new_motion)
        if self._shift:
            self.late_starts += int(new_motion)
            times = times + self._shift
        if self.queue_depth == 0:
            self._anchor = (self.tau, self._position.copy())
            self._times, self._positions, self._index = np.array(times, float), np.array(positions, float), 0
        else:
            start = max(self._index - 1, 0)
            self._times = np.concatenate((self._times[start:], times))
            self._positions = np.vstack((self._positions[start:], positions))
            self._index -= start
        self._open = not final

    def set_override(self, now: float, target: float) -> float:
        """Ramp o towards ``target`` (clipped to [0, 1]); returns the ramp's duration."""
        target = min(max(float(target), 0.0), 1.0)
        if target == self.override.target:
            return 0.0
        o_now = self.override.value(now)
        duration = ramp_duration(target - o_now, self._slope, self.limits)
        self.override.retarget(now, target, duration)
        return duration

    def stop(self, now: float) -> float:
        """Controlled stop: ramp s to 0, then drop the queue and hold; returns the ramp's duration."""
        if self._stopping:
            return 0.0
        if self.queue_depth == 0 or self._rate <= 0.0:
            self._drop_queue()
            return 0.0
        duration = ramp_duration(self._stop.value(now), self._slope * self.override.value(now), self.limits,
                                 share=1.0)
        self._stop.retarget(now, 0.0, duration)
        self._stopping = True
        return duration

    def halt(self, hold: np.ndarray | None = None) -> None:
        """Drop everything at once and hold ``hold`` (default: the commanded position): e-stop, faults."""
        if hold is not None:
            self._position = np.array(hold, dtype=float)
        self._drop_queue()

    def _drop_queue(self) -> None:
        self._times = np.zeros(0)
        self._positions = np.zeros((0, self.dof))
        self._index = 0
        self._open = False
        self._shift = 0.0
        self._stopping = False
        self._stop.jump(self._now, 1.0)
        self._slope = np.zeros(self.dof)

    # ------------------------------------------------------------------ time
    def freeze(self, seconds: float) -> None:
        """Let ``seconds`` of clock time after the last :meth:`advance` pass with τ, the ramps and
        the queue standing still. Only for a model that was not run meanwhile (an emulator the
        operating system did not schedule); a real controller's servo loop never stalls."""
        self._now += seconds
        self.override.delay(seconds)
        self._stop.delay(seconds)

    def advance_time(self, now: float) -> None:
        """Advance τ and the rate to clock time ``now`` (monotonic) without playing: all an idle
        player (empty queue, no stop) does in a servo tick, whose commanded state stays as it was."""
        override, stop, before = self.override, self._stop, self._now
        if now >= before and before >= override._end and before >= stop._end:  # no ramp (usual): o·s constant
            rate = override._rest * stop._rest
            if now > before:
                self.tau += rate * (now - before)
                self._now = now
            self._rate = rate
            return
        if now > before:
            self.tau += self._integral(before, now)
            self._now = now
        self._rate = self._rate_at(now)

    @property
    def idle(self) -> bool:
        """True with nothing to play: an empty queue and no controlled stop (the commanded state holds)."""
        return self._times.size == self._index and not self._stopping

    def advance(self, now: float) -> Sample:
        """Advance to clock time ``now`` (monotonic) and return the commanded state."""
        self.advance_time(now)
        rate = self._rate
        if self.queue_depth == 0:
            return Sample(self._position.copy(), np.zeros(self.dof), False)
        k = self._next_knot()
        if k >= self._times.size:
            return self._ran_dry(np.zeros(self.dof))
        self._index = k
        if self._stopping and self._stop.at_rest(now):
            self._interpolate()
            self._drop_queue()
            return Sample(self._position.copy(), np.zeros(self.dof), False, stopped=True)
        self._interpolate()
        return Sample(self._position.copy(), self._slope * rate, True)

    def _next_knot(self) -> int:
        """The first knot after τ (τ only grows: searched onwards from the last one, a few knots a tick)."""
        times, k, tau = self._times, self._index, self.tau
        end = min(k + _WALK, times.size)
        while k < end and times[k] <= tau:
            k += 1
        if k == end and k < times.size:  # far behind (a stall): bisect the rest
            k = int(np.searchsorted(times, tau, side="right"))
        return k

    def _rate_at(self, t: float) -> float:
        return self.override.value(t) * self._stop.value(t)

    def _integral(self, t0: float, t1: float) -> float:
        """∫ o·s dt from t0 to t1 (Simpson's rule on sub-steps of at most 1 ms: exact to ~1e-12 s)."""
        if self.override.at_rest(t0) and self._stop.at_rest(t0):
            return self._rate_at(t0) * (t1 - t0)  # neither ramps: o·s is constant
        n = max(1, math.ceil((t1 - t0) / _SUBSTEP))
        h = (t1 - t0) / n
        total, f0 = 0.0, self._rate_at(t0)
        for i in range(n):
            a = t0 + i * h
            f1 = self._rate_at(a + h)
            total += (f0 + 4.0 * self._rate_at(a + 0.5 * h) + f1) * h / 6.0
            f0 = f1
        return total

    def _interpolate(self) -> None:
        k = self._index
        if k >= self._times.size:
            return
        t0, q0 = (self._times[k - 1], self._positions[k - 1]) if k > 0 else self._anchor
        t1, q1 = self._times[k], self._positions[k]
        self._slope = (q1 - q0) / (t1 - t0)
        self._position = q0 + self._slope * (min(self.tau, t1) - t0)

    def _ran_dry(self, zero: np.ndarray) -> Sample:
        underrun = self._open and not self._stopping
        self._position = self._positions[-1].copy()
        self._drop_queue()
        return Sample(self._position.copy(), zero, False, underrun=underrun)

    def played_until(self) -> int:
        """Index (into the knots appended since the queue was last empty) of the next knot to reach."""
        return self._index
