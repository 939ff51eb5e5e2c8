"""The emulated arm: joints that follow streamed setpoints, controlled stop, e-stop, latched faults.

Pure logic on the controller's clock (integer microseconds), used by ``controller.py``.

Playing: the arm interpolates linearly between knots along a *path time* τ. While following,
τ equals controller time. A controlled stop scales τ's rate from 1 down to 0 over
``stop_time`` — the arm decelerates along the same path and stops on it. Knots that τ passes are
"played" (reported to the journal exactly as received, at wire resolution). An e-stop freezes
τ at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cellctl.hw.types import ArmMode
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import POSITION_SCALE, SETPOINTS_END, Setpoints

__all__ = ["ArmModel", "ArmLimits"]


@dataclass(frozen=True)
class ArmLimits:
    """Limits the emulated controller enforces."""

    dof: int = 7
    queue_capacity: int = 2000
    max_velocity: float = 10.0
    """rad/s between consecutive knots."""
    stop_time: float = 0.1
    """Seconds a controlled stop takes to bring the path rate from 1 to 0."""


class ArmModel:
    """Joint state machine of one arm (see module docstring)."""

    def __init__(self, limits: ArmLimits, on_played: Callable[[int, np.ndarray], None] | None = None) -> None:
        self.limits = limits
        self.enabled = False
        self.gen = 0
        self.faults: list[int] = []
        self.processed = 0
        self.positions = np.zeros(limits.dof)
        self.velocities = np.zeros(limits.dof)
        self._on_played = on_played
        self._queue: deque[tuple[int, np.ndarray]] = deque()
        self._anchor: tuple[float, np.ndarray] | None = None
        self._stream_open = False
        self._stop_start: float | None = None
        self._tau_at_stop = 0.0
        self._tau = 0.0

    # ------------------------------------------------------------------ state
    @property
    def queue_depth(self) -> int:
        """Knots queued and not yet played."""
        return len(self._queue)

    @property
    def mode(self) -> ArmMode:
        """The mode derived from faults, stop state and queue."""
        if ErrorCode.EMERGENCY_STOP in self.faults:
            return ArmMode.ESTOPPED
        if self._stop_start is not None:
            return ArmMode.STOPPING
        if self.faults:
            return ArmMode.FAULTED
        if self._anchor is not None:
            return ArmMode.FOLLOWING
        return ArmMode.IDLE

    def latch(self, code: ErrorCode) -> None:
        """Latch a fault (once)."""
        if code not in self.faults:
            self.faults.append(code)

    # ------------------------------------------------------------------ commands
    def accept(self, batch: Setpoints, now_us: int) -> ErrorCode:
        """Queue a batch of setpoints or say why not. Every batch counts as processed."""
        self.processed += len(batch.times)
        if batch.gen != self.gen:
            return ErrorCode.OK  # from before the last stop/reset: discarded silently
        refusal = self._refusal(batch, now_us)
        if refusal is not ErrorCode.OK:
            return refusal
        if self._anchor is None:
            self._anchor = (float(now_us), self.positions.copy())
            self._tau = float(now_us)
        for t, q in zip(batch.times, batch.positions):
            self._queue.append((int(t), q.copy()))
        self._stream_open = not batch.flags & SETPOINTS_END
        return ErrorCode.OK

    def _refusal(self, batch: Setpoints, now_us: int) -> ErrorCode:
        if not self.enabled:
            return ErrorCode.NOT_ENABLED
        if self.faults:
            return ErrorCode.FAULT_LATCHED
        if self._stop_start is not None:
            return ErrorCode.ARM_STOPPING
        if batch.positions.shape[1] != self.limits.dof:
            return ErrorCode.DOF_MISMATCH
        if len(self._queue) + len(batch.times) > self.limits.queue_capacity:
            return ErrorCode.QUEUE_OVERFLOW
        if batch.times[0] <= now_us:
            return ErrorCode.SETPOINT_LATE
        last_t, last_q = self._last_knot(now_us)
        times = np.concatenate(([last_t], batch.times.astype(np.float64)))
        if np.any(np.diff(times) <= 0):
            return ErrorCode.SETPOINT_NOT_MONOTONIC
        q = np.vstack((last_q, batch.positions / POSITION_SCALE))
        speed = np.abs(np.diff(q, axis=0)) / (np.diff(times)[:, None] * 1e-6)
        if np.any(speed > self.limits.max_velocity):
            return ErrorCode.VELOCITY_LIMIT
        return ErrorCode.OK

    def _last_knot(self, now_us: int) -> tuple[float, np.ndarray]:
        if self._queue:
            t, q = self._queue[-1]
            return float(t), q / POSITION_SCALE
        if self._anchor is not None:
            return self._anchor
        return float(now_us), self.positions

    def stop(self, emergency: bool, now_us: int) -> None:
        """Controlled stop (decelerate along the path) or emergency stop (halt, latch)."""
        if emergency:
            self.latch(ErrorCode.EMERGENCY_STOP)
            self._halt()
            return
        if self._anchor is not None and self._stop_start is None:
            self._stop_start = float(now_us)
            self._tau_at_stop = self._tau

    def fault_stop(self, code: ErrorCode, now_us: int) -> None:
        """Latch ``code`` and make a controlled stop (watchdog, queue underrun)."""
        self.latch(code)
        self.stop(False, now_us)

    def reset(self) -> None:
        """Clear latched faults; a stop in progress still completes."""
        self.faults.clear()

    def enable(self, on: bool, now_us: int) -> None:
        """Enable the drives, or stop and disable them."""
        if not on:
            self.stop(False, now_us)
        self.enabled = on

    def _halt(self) -> None:
        self._queue.clear()
        self._anchor = None
        self._stop_start = None
        self._stream_open = False
        self.velocities = np.zeros(self.limits.dof)

    # ------------------------------------------------------------------ time
    def step(self, now_us: int) -> None:
        """Advance the joints to controller time ``now_us``."""
        if self._anchor is None:
            self.velocities = np.zeros(self.limits.dof)
            return
        tau, rate = self._path_time(float(now_us))
        self._tau = tau
        self._advance(tau, rate)
        if self._stop_start is not None and rate <= 0.0:
            self._halt()

    def _path_time(self, now: float) -> tuple[float, float]:
        if self._stop_start is None:
            return now, 1.0
        span = self.limits.stop_time * 1e6
        elapsed = min(now - self._stop_start, span)
        rate = 1.0 - elapsed / span
        return self._tau_at_stop + elapsed - elapsed * elapsed / (2 * span), rate

    def _advance(self, tau: float, rate: float) -> None:
        assert self._anchor is not None
        while self._queue and self._queue[0][0] <= tau:
            t, q_int = self._queue.popleft()
            self._anchor = (float(t), q_int / POSITION_SCALE)
            if self._on_played is not None:
                self._on_played(t, q_int)
        t0, q0 = self._anchor
        if not self._queue:
            self.positions = q0.copy()
            self.velocities = np.zeros(self.limits.dof)
            if self._stop_start is None:
                self._end_of_queue(tau)
            return
        t1, q1_int = self._queue[0]
        q1 = q1_int / POSITION_SCALE
        slope = (q1 - q0) / ((t1 - t0) * 1e-6)
        self.positions = q0 + slope * (tau - t0) * 1e-6
        self.velocities = slope * rate

    def _end_of_queue(self, tau: float) -> None:
        underrun = self._stream_open
        self._halt()
        if underrun:
            self.latch(ErrorCode.QUEUE_UNDERRUN)
