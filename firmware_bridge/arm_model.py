"""The emulated arm: the reference controller model on the controller's integer clock.

Pure logic on the controller's clock (integer microseconds), used by ``controller.py``. The
motion itself (trajectory time τ, speed override, controlled stop, underrun) is the one model
both backends share, :class:`cellctl.hw.player.TrajectoryPlayer`; this class adds what only a
wire-level controller has: integer knots as received, generations of setpoint batches, the
enable flag, latched fault codes and the count of processed setpoints. Knots that τ passes are
"played" (reported to the journal exactly as received, at wire resolution). An e-stop freezes
the arm at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cellctl.hw.player import PlayerLimits, Refusal, TrajectoryPlayer
from cellctl.hw.types import ArmMode
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import POSITION_SCALE, SETPOINTS_END, SETPOINTS_NEW_MOTION, Setpoints

__all__ = ["ArmModel", "ArmLimits"]

_REFUSALS = {
    Refusal.OVERFLOW: ErrorCode.QUEUE_OVERFLOW, Refusal.LATE: ErrorCode.SETPOINT_LATE,
    Refusal.NOT_MONOTONIC: ErrorCode.SETPOINT_NOT_MONOTONIC, Refusal.VELOCITY: ErrorCode.VELOCITY_LIMIT,
    Refusal.DOF: ErrorCode.DOF_MISMATCH,
}


@dataclass(frozen=True)
class ArmLimits:
    """Limits the emulated controller enforces (the same on every joint unless given per joint)."""

    dof: int = 7
    queue_capacity: int = 2000
    max_velocity: float = 10.0
    """rad/s between consecutive knots."""
    acceleration: float | tuple[float, ...] = 8.0
    """rad/s² per joint: bounds the override and stop ramps."""
    jerk: float | tuple[float, ...] = 100.0
    """rad/s³ per joint: bounds the override and stop ramps."""

    def player_limits(self) -> PlayerLimits:
        """These limits as the shared model's."""
        def per_joint(value: float | tuple[float, ...]) -> np.ndarray:
            return np.broadcast_to(np.asarray(value, dtype=float), (self.dof,)).copy()

        return PlayerLimits(per_joint(self.max_velocity), per_joint(self.acceleration), per_joint(self.jerk),
                            self.queue_capacity, velocity_margin=1.0)


class ArmModel:
    """Joint state machine of one arm (see module docstring)."""

    def __init__(self, limits: ArmLimits, on_played: Callable[[int, np.ndarray], None] | None = None,
                 start: tuple[float, ...] | None = None) -> None:
        """``start``: joint positions at power-on (None: all zero)."""
        self.limits = limits
        self.enabled = False
        self.gen = 0
        self.faults: list[int] = []
        self.processed = 0
        self.velocities = np.zeros(limits.dof)
        self._on_played = on_played
        initial = np.zeros(limits.dof) if start is None else np.asarray(start, dtype=float)
        if initial.shape != (limits.dof,):
            raise ValueError(f"start has {initial.size} joint positions; the arm has {limits.dof} joints")
        self._player = TrajectoryPlayer(initial, limits.player_limits(), 0.0)
        self._wire: deque[tuple[int, np.ndarray]] = deque()  # queued knots as received

    # ------------------------------------------------------------------ state
    @property
    def positions(self) -> np.ndarray:
        """Commanded joint positions now, rad."""
        return self._player.position

    @property
    def queue_depth(self) -> int:
        """Knots queued and not yet played."""
        return self._player.queue_depth

    @property
    def tau_us(self) -> int:
        """Trajectory time now, µs (the clock of the knots)."""
        return int(round(self._player.tau * 1e6))

    @property
    def override(self) -> float:
        """The speed override now, 0 .. 1."""
        return self._player.override_now()

    def margin_us(self) -> int | None:
        """How far the queue reaches beyond τ now, µs (None when it is empty)."""
        last = self._player.last_time
        return None if last is None else round((last - self._player.tau) * 1e6)

    @property
    def mode(self) -> ArmMode:
        """The mode derived from faults, stop state and queue."""
        if ErrorCode.EMERGENCY_STOP in self.faults:
            return ArmMode.ESTOPPED
        if self._player.stopping:
            return ArmMode.STOPPING
        if self.faults:
            return ArmMode.FAULTED
        if self._player.queue_depth:
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
        self.step(now_us)  # the queue's state at the moment the batch arrived
        refusal = self._refusal(batch)
        if refusal is not ErrorCode.OK:
            return refusal
        times = batch.times * 1e-6
        new_motion = bool(batch.flags & SETPOINTS_NEW_MOTION)
        shift_us = round(self._player.shift_for(times, new_motion) * 1e6)
        self._player.append(times, batch.positions / POSITION_SCALE, final=bool(batch.flags & SETPOINTS_END),
                            new_motion=new_motion)
        self._wire.extend((int(t) + shift_us, q.copy()) for t, q in zip(batch.times, batch.positions))
        return ErrorCode.OK

    def _refusal(self, batch: Setpoints) -> ErrorCode:
        if not self.enabled:
            return ErrorCode.NOT_ENABLED
        if self.faults:
            return ErrorCode.FAULT_LATCHED
        if self._player.stopping:
            return ErrorCode.ARM_STOPPING
        if batch.positions.shape[1] != self.limits.dof:
            return ErrorCode.DOF_MISMATCH
        found = self._player.check(batch.times * 1e-6, batch.positions / POSITION_SCALE,
                                   bool(batch.flags & SETPOINTS_NEW_MOTION))
        return ErrorCode.OK if found is None else _REFUSALS[found[0]]

    def set_override(self, target: float, now_us: int) -> None:
        """Ramp the speed override towards ``target`` (0 .. 1)."""
        self._player.set_override(now_us * 1e-6, target)

    def stop(self, emergency: bool, now_us: int) -> None:
        """Controlled stop (decelerate along the path) or emergency stop (halt, latch)."""
        if emergency:
            self.latch(ErrorCode.EMERGENCY_STOP)
            self._halt()
            return
        self._player.stop(now_us * 1e-6)
        if not self._player.queue_depth:
            self._wire.clear()

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
        self._player.halt()
        self._wire.clear()
        self.velocities = np.zeros(self.limits.dof)

    # ------------------------------------------------------------------ time
    def freeze(self, stall_us: int) -> None:
        """The model was not run for ``stall_us`` after its last step: let that time pass with
        the motion standing still (see :meth:`cellctl.hw.TrajectoryPlayer.freeze`)."""
        self._player.freeze(stall_us * 1e-6)

    def step(self, now_us: int) -> None:
        """Advance the joints to controller time ``now_us``."""
        sample = self._player.advance(now_us * 1e-6)
        self.velocities = sample.velocity
        self._report_played(sample.stopped)
        if sample.underrun:
            self.latch(ErrorCode.QUEUE_UNDERRUN)

    def _report_played(self, stopped: bool) -> None:
        """Journal the knots τ passed; forget those a completed stop dropped."""
        if stopped:
            tau_us = self.tau_us
            while self._wire and self._wire[0][0] <= tau_us:
                self._played(*self._wire.popleft())
            self._wire.clear()
            return
        for _ in range(len(self._wire) - self._player.queue_depth):
            self._played(*self._wire.popleft())

    def _played(self, t_us: int, q_int: np.ndarray) -> None:
        if self._on_played is not None:
            self._on_played(t_us, q_int)
