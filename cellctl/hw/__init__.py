"""The hardware-interface contract (ros2_control-like) shared by every backend.

A :class:`HardwareSystem` owns a clock and a connection and exposes one :class:`ArmInterface`
per arm. The supervisor talks only to these types, so it cannot tell the simulation backend
(``sim``) from the serial one (``firmware_bridge``) except by their speed.
"""

from cellctl.hw.errors import HardwareError, LinkLost, MotionRefused, OutcomeUnknown
from cellctl.hw.interface import ArmInterface, HardwareSystem, ToolCommand, validate_setpoints
from cellctl.hw.tools import BackOutCommand, GripperAction, GripperCommand, ScrewProgram, ToolHandle, ToolResult
from cellctl.hw.types import ArmMode, ArmState, Fault, StopKind

__all__ = [
    "ArmInterface",
    "BackOutCommand",
    "ArmMode",
    "ArmState",
    "Fault",
    "GripperAction",
    "GripperCommand",
    "HardwareError",
    "HardwareSystem",
    "LinkLost",
    "OutcomeUnknown",
    "MotionRefused",
    "ScrewProgram",
    "StopKind",
    "ToolCommand",
    "ToolHandle",
    "ToolResult",
    "validate_setpoints",
]
