"""A small controller (``--profile small``): it announces its limits and the host keeps to them.

The emulator's small profile buffers 8 frames of at most 512 bytes each way and 1000 setpoints, and
remembers 16 tool results with one curve (within 64 KB of RAM, ``firmware_bridge.profiles``). A
short motion and a tightening run against it as against a standard controller.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellctl.hw.tools import GripperAction, GripperCommand, ScrewProgram
from firmware_bridge.frames import Setpoints
from firmware_bridge.profiles import PROFILES, ram_budget
from firmware_bridge.testing import read_journal

SMALL = PROFILES["small"]


@pytest.mark.unit
def test_the_small_profile_fits_in_64_kb_and_the_standard_one_does_not():
    def total(name: str) -> int:
        return sum(count * size for _, count, size in ram_budget(PROFILES[name], dof=7))

    assert total("small") <= 64 * 1024 < total("standard")


@pytest.mark.process  # an emulator process
def test_a_motion_and_a_tightening_run_within_the_limits_the_small_controller_announces(
        emulator_factory, system_factory, tmp_path: Path):
    emulator = emulator_factory("--profile", "small", "--seed", "2")
    system = system_factory(emulator.url)
    system.configure()
    system.activate()
    info = system.link.controller_info
    assert (info.rx_window, info.max_payload, info.queue_capacity) == (SMALL.rx_window, SMALL.max_payload, SMALL.queue)
    assert system.link.window == SMALL.rx_window
    arm = system.arm
    start = arm.read().positions
    knots = 400  # more than a small controller's window and frame hold, less than its queue
    # a 0.5 s lead: this is about the small controller's limits, not latency; with the supervisor's
    # 50 ms a fresh link's first motion faulted once beside two busy processes (the host moves a
    # motion from rest later only once it has seen repeated stalls: docs/protocol.md, section 4)
    times = system.now() + 0.5 + np.arange(1, knots + 1) * 0.001
    positions = start + np.outer(np.sin(np.linspace(0, np.pi / 2, knots)), np.linspace(0.05, 0.2, 7))
    arm.submit(times, positions, new_motion=True)
    arm.wait_status(lambda s: not s.is_moving and s.queue_depth == 0, timeout=5.0)
    np.testing.assert_allclose(arm.read().positions, positions[-1], atol=1e-6)

    grip = arm.tool_command(GripperCommand(GripperAction.CLOSE, width=0.01)).result(5.0)
    screw = arm.tool_command(ScrewProgram(1, 0.02, 0.015, 0.025, 360.0, 1440.0)).result(5.0)
    assert grip.ok and screw.ok, (grip.message, screw.message)
    assert len(screw.curve_torque) > 100 and screw.curve_torque[-1] == pytest.approx(screw.torque, rel=0.05)

    journal = read_journal(str(tmp_path / "emu.jsonl"))
    batches = [len(r["t"]) for r in journal if r["k"] == "setpoints"]
    assert sum(batches) == knots and max(batches) <= Setpoints.max_count(7, SMALL.max_payload)
    assert not [r for r in journal if r["k"] == "event"]
