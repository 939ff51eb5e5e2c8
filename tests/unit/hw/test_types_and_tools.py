"""Contract data types: range-checked tool commands, thread-safe tool handles, arm state."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cellctl.hw.errors import LinkLost
from cellctl.hw.tools import GripperAction, GripperCommand, ScrewProgram, ToolHandle, ToolResult
from cellctl.hw.types import ArmMode, ArmState, Fault

pytestmark = pytest.mark.unit


def test_screw_program_windows_must_contain_the_target():
    ScrewProgram(1, 0.1, 0.09, 0.12, 600.0, 900.0)
    with pytest.raises(ValueError, match=r"ScrewProgram.torque_max=0.05 is out of range; valid: 0.1"):
        ScrewProgram(1, 0.1, 0.09, 0.05, 600.0, 900.0)
    with pytest.raises(ValueError, match="angle_max"):
        ScrewProgram(1, 0.1, 0.09, 0.12, 900.0, 600.0)


def test_gripper_command_checks_its_ranges_and_normalises_the_action():
    assert GripperCommand(1).action is GripperAction.CLOSE
    with pytest.raises(ValueError, match="GripperCommand.force=nan"):
        GripperCommand(GripperAction.OPEN, force=float("nan"))


def test_tool_handle_reports_progress_then_one_result():
    handle = ToolHandle(5, "test")
    assert not handle.done() and handle.progress == 0.0
    handle.set_progress(0.5)
    result = ToolResult(5, True, "OK")
    threading.Timer(0.05, handle.finish, args=(result,)).start()
    assert handle.result(timeout=2.0) is result
    handle.finish(ToolResult(5, False, "NOK"))
    assert handle.result(timeout=0) is result and handle.progress == 1.0


def test_tool_handle_times_out_with_a_message_and_can_fail():
    handle = ToolHandle(6, "screw")
    with pytest.raises(TimeoutError, match="tool command 6 .* no result after 0.01 s"):
        handle.result(timeout=0.01)
    handle.fail(LinkLost("gone"))
    with pytest.raises(LinkLost, match="gone"):
        handle.result(timeout=0)


def test_arm_state_knows_dof_and_motion():
    state = ArmState(1.0, np.zeros(7), np.zeros(7), ArmMode.IDLE, queue_depth=3)
    assert state.dof == 7 and state.is_moving
    fault = Fault(301, "WATCHDOG_LEASE_EXPIRED", "No frame.", "Call reset().")
    assert "301" in str(fault) and "reset" in str(fault)
