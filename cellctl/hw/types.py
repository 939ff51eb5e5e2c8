"""Plain data types of the hardware-interface contract: arm modes, faults, arm state."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

__all__ = ["ArmMode", "StopKind", "Fault", "ArmState"]


class ArmMode(enum.IntEnum):
    """What an arm is doing. The integer values are also the wire values of the serial protocol."""

    IDLE = 0
    """Holding position; setpoints are accepted when the system is active."""
    FOLLOWING = 1
    """Playing queued setpoints."""
    STOPPING = 2
    """Decelerating after a controlled stop (requested, or forced by the watchdog)."""
    FAULTED = 3
    """Stopped with a latched fault; motion is refused until ``reset()``."""
    ESTOPPED = 4
    """Halted by an emergency stop; motion is refused until ``reset()``."""


class StopKind(enum.IntEnum):
    """How to stop an arm."""

    CONTROLLED = 0
    """Decelerate along the current path, then hold; no fault is latched."""
    EMERGENCY = 1
    """Halt at once (category 0/1 stop); latches an e-stop fault that needs ``reset()``."""


@dataclass(frozen=True)
class Fault:
    """A numbered fault or error with its meaning and the action that clears it.

    Attributes:
        code: stable number (the serial protocol's error code; documented in docs/protocol.md).
        name: short upper-case identifier, e.g. ``WATCHDOG_LEASE_EXPIRED``.
        message: what happened, in a sentence.
        action: what the operator or supervisor should do about it.
    """

    code: int
    name: str
    message: str
    action: str

    def __str__(self) -> str:
        return f"fault {self.code} {self.name}: {self.message} {self.action}"


@dataclass(frozen=True)
class ArmState:
    """An arm's state at one instant of the system clock.

    Attributes:
        time: system-clock time of the sample, seconds.
        positions: joint positions, rad, shape (dof,).
        velocities: joint velocities, rad/s, shape (dof,).
        mode: what the arm is doing.
        faults: latched faults, oldest first; empty when healthy.
        queue_depth: setpoints accepted but not yet played (host buffer plus controller queue).
        efforts: joint efforts (N·m) when the backend measures them, else ``None``.
        path_time: the arm's trajectory time τ at ``time`` (the clock setpoints are stamped in:
            dτ/dt = override; see :mod:`cellctl.hw.player`), seconds.
        override: the speed override o at ``time``, 0 (paused) .. 1 (as planned).
    """

    time: float
    positions: np.ndarray
    velocities: np.ndarray
    mode: ArmMode
    faults: tuple[Fault, ...] = ()
    queue_depth: int = 0
    efforts: np.ndarray | None = field(default=None)
    path_time: float = 0.0
    override: float = 1.0

    def path_time_at(self, t: float) -> float:
        """The trajectory time at system time ``t`` (≥ ``time``), extrapolated at the present override."""
        return self.path_time + self.override * max(0.0, t - self.time)

    @property
    def dof(self) -> int:
        """Number of joints."""
        return int(self.positions.shape[0])

    @property
    def is_moving(self) -> bool:
        """True while setpoints remain or the arm is decelerating."""
        return self.mode in (ArmMode.FOLLOWING, ArmMode.STOPPING) or self.queue_depth > 0
