"""Tool commands (gripper, screwdriver program), their results, and the handle a caller waits on."""

from __future__ import annotations

import enum
import math
import threading
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BackOutCommand", "GRIP_SETTLE", "GripperAction", "GripperCommand", "ScrewProgram", "ToolResult",
           "ToolHandle", "VACUUM_BUILD"]

GRIP_SETTLE = 0.02
"""Seconds a closing gripper's fingers stand still on the part before the grip counts (both backends)."""
VACUUM_BUILD = 0.05
"""Seconds a suction cup takes to build up (or vent) its vacuum (both backends)."""


def _check_range(owner: str, name: str, value: float, low: float, high: float) -> None:
    """Raise ValueError naming ``owner.name`` when ``value`` is not finite or outside [low, high]."""
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{owner}.{name}={value!r} is out of range; valid: {low} .. {high}")


class GripperAction(enum.IntEnum):
    """What a gripper should do. Integer values are the serial protocol's wire values."""

    OPEN = 0
    CLOSE = 1


@dataclass(frozen=True)
class GripperCommand:
    """Open or close a gripper.

    Attributes:
        action: open or close.
        width: target opening for OPEN, or the expected part width for CLOSE, metres.
        force: gripping force limit, newtons.
        speed: finger speed, metres per second.
    """

    action: GripperAction
    width: float = 0.02
    force: float = 10.0
    speed: float = 0.05

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", GripperAction(self.action))
        _check_range("GripperCommand", "width", self.width, 0.0, 0.5)
        _check_range("GripperCommand", "force", self.force, 0.0, 1000.0)
        _check_range("GripperCommand", "speed", self.speed, 1e-4, 2.0)


@dataclass(frozen=True)
class ScrewProgram:
    """A tightening program: drive to a target torque, judged against torque and angle windows.

    The angle is counted from the start of the rundown. A result is OK only when the final torque
    lies in [torque_min, torque_max] and the final angle in [angle_min, angle_max].

    Attributes:
        program_id: the program number as stored on the screwdriver controller.
        target_torque: torque at which the driver shuts off, N·m.
        torque_min, torque_max: acceptance window for the final torque, N·m.
        angle_min, angle_max: acceptance window for the final angle, degrees.
        max_speed: spindle speed limit, revolutions per minute.
        timeout: give up (NOK, failure class ``timeout``) after this many seconds.
    """

    program_id: int
    target_torque: float
    torque_min: float
    torque_max: float
    angle_min: float
    angle_max: float
    max_speed: float = 600.0
    timeout: float = 5.0

    def __post_init__(self) -> None:
        _check_range("ScrewProgram", "program_id", self.program_id, 0, 65535)
        _check_range("ScrewProgram", "target_torque", self.target_torque, 1e-4, 50.0)
        _check_range("ScrewProgram", "torque_min", self.torque_min, 0.0, self.target_torque)
        _check_range("ScrewProgram", "torque_max", self.torque_max, self.target_torque, 50.0)
        _check_range("ScrewProgram", "angle_min", self.angle_min, 0.0, 36000.0)
        _check_range("ScrewProgram", "angle_max", self.angle_max, self.angle_min, 36000.0)
        _check_range("ScrewProgram", "max_speed", self.max_speed, 1.0, 5000.0)
        _check_range("ScrewProgram", "timeout", self.timeout, 0.01, 600.0)


@dataclass(frozen=True)
class BackOutCommand:
    """Run the screwdriver in reverse to remove the screw from the hole under the bit.

    The removed screw stays on the bit (vacuum) and is discarded by the tool. OK when a screw
    came out; NOK with failure class ``no_screw`` when the hole held none.

    Attributes:
        program_id: the tightening program whose screw is removed (for the record).
        max_angle: reverse rotation limit, degrees.
        timeout: give up after this many seconds.
    """

    program_id: int
    max_angle: float = 3600.0
    timeout: float = 5.0

    def __post_init__(self) -> None:
        _check_range("BackOutCommand", "program_id", self.program_id, 0, 65535)
        _check_range("BackOutCommand", "max_angle", self.max_angle, 1.0, 36000.0)
        _check_range("BackOutCommand", "timeout", self.timeout, 0.01, 600.0)


def _empty() -> np.ndarray:
    return np.zeros(0)


@dataclass(frozen=True)
class ToolResult:
    """The final result of a tool command.

    Attributes:
        command_id: the id the command was sent with (tool commands are de-duplicated by it).
        ok: True when the tool judged the operation good (screw: both windows met).
        status: ``"OK"``, ``"NOK"`` (judged bad), ``"ABORTED"`` (stopped) or ``"ERROR"``.
        torque: final torque, N·m (NaN for a gripper).
        angle: final angle, degrees (NaN for a gripper).
        width: final gripper opening, metres (NaN for a screwdriver).
        failure_class: why it is not OK (e.g. ``torque_high``, ``angle_low``, ``timeout``,
            ``aborted``, ``no_part``), or None.
        message: a sentence for the operator.
        curve_time, curve_torque, curve_angle: the torque-angle curve, seconds from start / N·m /
            degrees, sampled at the tool's rate (1 kHz on the serial controller); empty for a gripper.
    """

    command_id: int
    ok: bool
    status: str
    torque: float = math.nan
    angle: float = math.nan
    width: float = math.nan
    failure_class: str | None = None
    message: str = ""
    curve_time: np.ndarray = field(default_factory=_empty)
    curve_torque: np.ndarray = field(default_factory=_empty)
    curve_angle: np.ndarray = field(default_factory=_empty)


class ToolHandle:
    """A running tool command: progress while it runs, then a final :class:`ToolResult`.

    Callers use :attr:`progress`, :meth:`done` and :meth:`result`. Backends complete the
    handle with :meth:`set_progress`, :meth:`finish` or :meth:`fail`; all methods are
    thread-safe.
    """

    def __init__(self, command_id: int, description: str) -> None:
        self.command_id = command_id
        self.description = description
        self._cond = threading.Condition()
        self._progress = 0.0
        self._result: ToolResult | None = None
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        state = "done" if self.done() else f"{self._progress:.0%}"
        return f"ToolHandle(id={self.command_id}, {self.description}, {state})"

    @property
    def progress(self) -> float:
        """Fraction done, 0.0 .. 1.0 (an estimate while running; 1.0 once finished)."""
        with self._cond:
            return self._progress

    def done(self) -> bool:
        """True once a result or an error is available."""
        with self._cond:
            return self._result is not None or self._error is not None

    def result(self, timeout: float | None = None) -> ToolResult:
        """Wait for the final result.

        Raises:
            TimeoutError: no result within ``timeout`` seconds (the command keeps running).
            HardwareError: the backend could not complete the command (e.g. LinkLost).
        """
        with self._cond:
            if not self._cond.wait_for(self.done_locked, timeout):
                raise TimeoutError(
                    f"tool command {self.command_id} ({self.description}) has no result after "
                    f"{timeout} s (progress {self._progress:.0%}); wait longer or stop the arm"
                )
            if self._error is not None:
                raise self._error
            assert self._result is not None
            return self._result

    def done_locked(self) -> bool:
        """:meth:`done` for callers already holding the handle's lock (used by :meth:`result`)."""
        return self._result is not None or self._error is not None

    def set_progress(self, fraction: float) -> None:
        """Backend side: report progress (clamped to 0..1)."""
        with self._cond:
            self._progress = min(1.0, max(0.0, fraction))
            self._cond.notify_all()

    def finish(self, result: ToolResult) -> None:
        """Backend side: deliver the final result (later calls are ignored)."""
        with self._cond:
            if self.done_locked():
                return
            self._result = result
            self._progress = 1.0
            self._cond.notify_all()

    def fail(self, error: BaseException) -> None:
        """Backend side: complete with an error that :meth:`result` will raise (later calls ignored)."""
        with self._cond:
            if self.done_locked():
                return
            self._error = error
            self._cond.notify_all()
