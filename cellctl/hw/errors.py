"""Exceptions raised by hardware backends.

Every message says what happened and what to do next, so that an operator reading the
supervisor log can act without opening the source.
"""

from __future__ import annotations

__all__ = ["HardwareError", "MotionRefused", "LinkLost", "OutcomeUnknown"]


class HardwareError(RuntimeError):
    """A hardware backend could not do what was asked (base class of all backend errors)."""


class MotionRefused(HardwareError):
    """Motion was refused: the system is not active, the arm is faulted or e-stopped, or the
    setpoints were not acceptable. The message names the reason and the way out (usually
    ``activate()`` or ``reset()``)."""


class LinkLost(HardwareError):
    """The connection to the controller was lost, or it did not answer in time.

    Raised by calls that need an answer (stop, reset, activate). The backend keeps trying to
    reconnect on its own; the caller decides whether to wait or abort the cell.
    """


class OutcomeUnknown(HardwareError):
    """A tool command's outcome is lost: the controller restarted while it ran and cannot tell
    whether it finished (docs/protocol.md, "Exactly once"). It is never sent again on its own;
    an operator decides (``cellctl recover --hole H --decide redo|accept|reject``)."""

    def __init__(self, message: str, command_id: int) -> None:
        super().__init__(message)
        self.command_id = command_id
