"""Numbered error codes of the serial protocol, with their meaning and what to do.

The numbers are part of the wire protocol (docs/protocol.md lists the same table) and never
change meaning. Ranges: 1xx link, 2xx motion, 3xx safety (latched faults), 4xx tools.
"""

from __future__ import annotations

import enum

from cellctl.hw.types import Fault

__all__ = ["ErrorCode", "describe", "fault"]


class ErrorCode(enum.IntEnum):
    """Protocol error and fault codes (u16 on the wire)."""

    OK = 0
    # 1xx link and session
    CRC_MISMATCH = 101
    BAD_FRAMING = 102
    FRAME_TOO_LONG = 103
    STALE_EPOCH = 104
    VERSION_MISMATCH = 105
    CONFIG_MISMATCH = 106
    UNKNOWN_MESSAGE = 107
    MALFORMED_PAYLOAD = 108
    SESSION_RESTARTED = 109
    LINK_DOWN = 110
    # 2xx motion (refusals; not latched)
    NOT_ENABLED = 201
    FAULT_LATCHED = 202
    SETPOINT_LATE = 203
    SETPOINT_NOT_MONOTONIC = 204
    DOF_MISMATCH = 205
    QUEUE_OVERFLOW = 206
    VELOCITY_LIMIT = 207
    ARM_STOPPING = 208
    # 3xx safety (latched until RESET)
    WATCHDOG_LEASE_EXPIRED = 301
    QUEUE_UNDERRUN = 302
    EMERGENCY_STOP = 303
    # 4xx tools
    TOOL_BUSY = 401
    TORQUE_LOW = 402
    TORQUE_HIGH = 403
    ANGLE_LOW = 404
    ANGLE_HIGH = 405
    TOOL_TIMEOUT = 406
    TOOL_ABORTED = 407
    NO_PART = 408
    UNKNOWN_TOOL_COMMAND = 409
    NO_SCREW = 410
    OUTCOME_UNKNOWN = 411
    NOT_STARTED = 412
    COMMAND_ID_REUSED = 413


_TEXT: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.OUTCOME_UNKNOWN: (
        "The controller restarted while this tool command ran; whether it finished is not known.",
        "Do not repeat it: check the part (is the screw in, is it tight?) and decide with "
        "'cellctl recover --hole H --decide redo|accept|reject --operator NAME'.",
    ),
    ErrorCode.NOT_STARTED: (
        "The controller never started this tool command (answer to TOOL_QUERY).",
        "The host may send the command now; it runs once.",
    ),
    ErrorCode.OK: ("No error.", "Nothing to do."),
    ErrorCode.CRC_MISMATCH: (
        "A frame failed its CRC-32C check and was dropped.",
        "Occasional errors are retried automatically; many mean a noisy line: check cable shielding and ground.",
    ),
    ErrorCode.BAD_FRAMING: (
        "A frame was not valid COBS or too short to hold a header and CRC.",
        "Usually line noise; if constant, check that both sides use the same baud rate.",
    ),
    ErrorCode.FRAME_TOO_LONG: (
        "Bytes ran past the 1050-byte encoded-frame limit without a 0x00 delimiter; they were discarded.",
        "Check baud rate and that nothing else writes to the port.",
    ),
    ErrorCode.STALE_EPOCH: (
        "A frame carried another session's epoch and was refused.",
        "Harmless after a reconnect; the host resynchronises by handshake.",
    ),
    ErrorCode.VERSION_MISMATCH: (
        "The host and controller speak different protocol versions.",
        "Update cellctl or the controller firmware so both use the same protocol version.",
    ),
    ErrorCode.CONFIG_MISMATCH: (
        "The controller's configuration hash differs from the one the cell description expects.",
        "Load the matching configuration onto the controller, or update the cell description's hash.",
    ),
    ErrorCode.UNKNOWN_MESSAGE: (
        "A message type the receiver does not know was ignored.",
        "Check that host and firmware implement the same protocol version.",
    ),
    ErrorCode.MALFORMED_PAYLOAD: (
        "A message had a valid CRC but a payload of the wrong length or with invalid fields.",
        "This is a software bug on the sending side; report it with the link log.",
    ),
    ErrorCode.SESSION_RESTARTED: (
        "The controller restarted (new session epoch); commands in flight were lost.",
        "Re-home or re-check the cell state, then call reset() and resend the motion.",
    ),
    ErrorCode.LINK_DOWN: (
        "No connection to the controller; the host is reconnecting.",
        "Check the cable or USB adapter; the link resumes on its own when the port comes back.",
    ),
    ErrorCode.NOT_ENABLED: (
        "Setpoints arrived while the arm was not enabled.",
        "Activate the hardware system before submitting motion.",
    ),
    ErrorCode.FAULT_LATCHED: (
        "Motion was refused because a fault or e-stop is latched.",
        "Find the cause of the latched fault, then call reset().",
    ),
    ErrorCode.SETPOINT_LATE: (
        "The first setpoint of a new motion was already in the past when it arrived.",
        "Submit motion further ahead (increase the lead time) or check host load.",
    ),
    ErrorCode.SETPOINT_NOT_MONOTONIC: (
        "Setpoint times did not increase strictly; the batch was refused.",
        "Fix the trajectory sampling so that times increase strictly.",
    ),
    ErrorCode.DOF_MISMATCH: (
        "Setpoints had a different number of joints than the controller drives.",
        "Check the arm description against the controller configuration.",
    ),
    ErrorCode.QUEUE_OVERFLOW: (
        "Setpoints arrived while the controller's queue was full; the batch was refused.",
        "This is a host flow-control bug; report it with the link log.",
    ),
    ErrorCode.VELOCITY_LIMIT: (
        "Setpoints implied a joint velocity above the controller's limit; the batch was refused.",
        "Re-plan the motion within the joint velocity limits.",
    ),
    ErrorCode.ARM_STOPPING: (
        "Setpoints arrived while the arm was still stopping; they were discarded.",
        "Wait until the arm is idle before submitting new motion.",
    ),
    ErrorCode.WATCHDOG_LEASE_EXPIRED: (
        "No valid frame arrived within the watchdog lease; the arm made a controlled stop.",
        "Check the host (stalled process?) and the cable, then call reset().",
    ),
    ErrorCode.QUEUE_UNDERRUN: (
        "The setpoint queue ran dry before the end of the motion; the arm made a controlled stop.",
        "Stream setpoints further ahead or reduce host load, then call reset().",
    ),
    ErrorCode.EMERGENCY_STOP: (
        "An emergency stop halted the arm.",
        "Make the cell safe, then call reset() to re-arm.",
    ),
    ErrorCode.TOOL_BUSY: (
        "The tool was still executing another command.",
        "Wait for the running command's result before starting another.",
    ),
    ErrorCode.TORQUE_LOW: (
        "The final torque was below the program's torque window.",
        "Inspect the joint (missing screw, stripped thread); rework the unit.",
    ),
    ErrorCode.TORQUE_HIGH: (
        "The final torque was above the program's torque window.",
        "Inspect the joint (cross-threading, wrong screw); rework the unit.",
    ),
    ErrorCode.ANGLE_LOW: (
        "The screw seated before the minimum angle.",
        "Check for a blocked hole or wrong screw length.",
    ),
    ErrorCode.ANGLE_HIGH: (
        "The angle window was exceeded before the target torque was reached.",
        "Check for a stripped thread or missing nut; rework the unit.",
    ),
    ErrorCode.TOOL_TIMEOUT: (
        "The tool did not finish within the program's timeout.",
        "Check the tool for a jam; rework the unit.",
    ),
    ErrorCode.TOOL_ABORTED: (
        "The tool command was aborted by a stop or e-stop.",
        "Rework or re-run the operation after reset().",
    ),
    ErrorCode.NO_PART: (
        "The gripper closed fully without finding a part.",
        "Check the pick position and part presence.",
    ),
    ErrorCode.UNKNOWN_TOOL_COMMAND: (
        "The controller has no such tool or program.",
        "Check the tool configuration against the cell description.",
    ),
    ErrorCode.NO_SCREW: (
        "A back-out found no screw in the hole.",
        "Check the hole and the unit's record; nothing was removed.",
    ),
    ErrorCode.COMMAND_ID_REUSED: (
        "A tool command reused the id of a different kind of command; it was not run.",
        "This is a host bug (tool command ids must be unique); report it with the link log.",
    ),
}


def describe(code: int) -> tuple[str, str, str]:
    """Return (name, meaning, action) for ``code``; unknown codes get a generic text."""
    try:
        known = ErrorCode(code)
    except ValueError:
        return (
            f"UNKNOWN_{code}",
            f"The controller reported error code {code}, which this host does not know.",
            "Update cellctl to match the controller firmware.",
        )
    meaning, action = _TEXT[known]
    return known.name, meaning, action


def fault(code: int) -> Fault:
    """The :class:`cellctl.hw.types.Fault` for a protocol code."""
    name, meaning, action = describe(code)
    return Fault(code=int(code), name=name, message=meaning, action=action)
