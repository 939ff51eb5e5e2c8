"""Faults the simulated arms latch, numbered like the serial protocol's codes (docs/simulation.md).

Codes shared with the serial protocol keep its numbers (302, 303); the sim-only faults use
320 (following error) and 420 (part dropped), outside the protocol's current ranges.
"""

from __future__ import annotations

from cellctl.hw.types import Fault

__all__ = ["QUEUE_UNDERRUN", "EMERGENCY_STOP", "FOLLOWING_ERROR", "PART_DROPPED", "part_dropped"]

QUEUE_UNDERRUN = Fault(
    302, "QUEUE_UNDERRUN",
    "The setpoint queue ran dry before the end of the motion; the arm made a controlled stop.",
    "Submit setpoints further ahead (or mark the last batch final), then call reset().",
)
EMERGENCY_STOP = Fault(
    303, "EMERGENCY_STOP", "An emergency stop halted the arm.", "Make the cell safe, then call reset() to re-arm.",
)
FOLLOWING_ERROR = Fault(
    320, "FOLLOWING_ERROR",
    "A joint lagged its setpoint by more than the following-error limit (collision or overload); the arm stopped.",
    "Check the arm's path for obstacles and the payload, then call reset().",
)
PART_DROPPED = Fault(
    420, "PART_DROPPED",
    "The arm lost the part it was holding; the arm made a controlled stop.",
    "Find the part (see the sim events for where it fell), clear it from the cell, then call reset().",
)


def part_dropped(part: str, reason: str) -> Fault:
    """A PART_DROPPED fault naming the part and why it was lost."""
    return Fault(PART_DROPPED.code, PART_DROPPED.name,
                 f"The arm lost {part} ({reason}); the arm made a controlled stop.", PART_DROPPED.action)
