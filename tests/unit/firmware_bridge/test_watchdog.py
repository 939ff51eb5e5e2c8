"""Watchdog over a real pty: the host goes silent mid-move, the arm stops within the lease,
the fault stays latched and motion is refused until reset."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cellctl.hw.errors import MotionRefused
from cellctl.hw.types import ArmMode

pytestmark = pytest.mark.process

LEASE = 0.2
STOP_TIME = 0.13  # the stop ramp of a 0.25 rad/s path at the emulator's default limits (8 rad/s², 100 rad/s³)


def test_silent_host_mid_move_stops_the_arm_and_latches_a_fault(emulator_factory, system_factory):
    emulator = emulator_factory("--lease-ms", str(int(LEASE * 1000)))
    system = system_factory(emulator.url)
    system.configure()
    system.activate()
    arm = system.arm
    start = system.now() + 0.05
    times = start + np.arange(2000) * 0.001
    arm.submit(times, np.outer(np.linspace(0, 1, 2000), np.full(7, 0.5)))
    arm.wait_status(lambda s: s.mode is ArmMode.FOLLOWING and s.time > start + 0.2, timeout=5.0)

    system.link.set_muted(True)
    silent_from = system.now()
    state = arm.wait_status(lambda s: s.mode is ArmMode.FAULTED, timeout=3.0)
    assert [f.name for f in state.faults] == ["WATCHDOG_LEASE_EXPIRED"]
    assert state.time - silent_from <= LEASE + STOP_TIME + 0.05
    assert not state.velocities.any()
    assert state.positions[0] < 0.5  # stopped well before the end of the move
    system.link.set_muted(False)

    with pytest.raises(MotionRefused, match="WATCHDOG_LEASE_EXPIRED .*reset"):
        arm.submit(system.now() + 0.05, state.positions)
    time.sleep(0.05)
    assert arm.read().mode is ArmMode.FAULTED

    arm.reset()
    assert arm.read().faults == ()
    arm.submit(system.now() + 0.05, state.positions)
    arm.wait_status(lambda s: s.mode is ArmMode.IDLE and s.queue_depth == 0, timeout=3.0)
