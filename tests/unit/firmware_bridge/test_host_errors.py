"""The host side reports handshake refusals and missing controllers clearly, within bounds."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cellctl.hw import StopKind
from cellctl.hw.errors import HardwareError, LinkLost, MotionRefused
from cellctl.rt.lifecycle import State as LifecycleState
from firmware_bridge.errors import ErrorCode
from firmware_bridge.host import LinkOptions

pytestmark = pytest.mark.process


def test_a_config_hash_mismatch_names_both_hashes(emulator_factory, system_factory):
    emulator = emulator_factory()
    system = system_factory(emulator.url, options=LinkOptions(expected_config_hash=0x12345678))
    with pytest.raises(HardwareError, match=r"CONFIG_MISMATCH \(106\).*0x12345678") as info:
        system.configure()
    assert emulator.info["config_hash"] in str(info.value)
    assert system.lifecycle_state is LifecycleState.UNCONFIGURED


def test_no_controller_gives_link_lost_within_the_timeout(system_factory, tmp_path):
    system = system_factory(str(tmp_path / "nothing-here"), configure_timeout=0.3)
    with pytest.raises(LinkLost, match="no handshake .* within 0.3 s"):
        system.configure()


def test_motion_is_refused_until_activated(emulator_factory, system_factory):
    system = system_factory(emulator_factory().url)
    system.configure()
    with pytest.raises(MotionRefused, match="activate"):
        system.arm.submit(system.now() + 0.1, [0.0] * 7)
    system.activate()


def test_a_late_setpoint_is_refused_by_the_controller_but_a_late_new_motion_is_delayed(
        emulator_factory, system_factory):
    system = system_factory(emulator_factory().url)
    system.configure()
    system.activate()
    arm = system.arm
    arm.submit(system.now() - 0.05, [0.0] * 7)  # continues no motion, and is already in the past
    deadline = time.monotonic() + 3.0
    while not any(e.code == ErrorCode.SETPOINT_LATE for e in arm.events) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert any(e.code == ErrorCode.SETPOINT_LATE for e in arm.events)
    late = system.now() - 0.05
    arm.submit(late + np.arange(1, 101) * 0.001, np.outer(np.arange(1, 101), np.full(7, 1e-4)), new_motion=True)
    state = arm.wait_status(lambda s: s.positions[0] > 0.0099, timeout=3.0)  # played to its end
    assert state.path_time > late + 0.1  # later than stamped: the controller delayed it
    assert not state.faults


def test_socket_urls_reach_the_emulator_over_tcp(emulator_factory, system_factory):
    emulator = emulator_factory("--tcp", "0")
    system = system_factory(emulator.tcp_url)
    system.configure()
    assert system.arm.dof == 7 and system.link_stats().connected


def test_a_loopback_url_opens_but_nobody_answers_the_handshake(system_factory):
    system = system_factory("loop://", configure_timeout=0.3)
    with pytest.raises(LinkLost, match="loop://"):
        system.configure()


def test_a_stop_with_the_link_down_is_refused_at_once_not_after_the_command_timeout(emulator_factory, system_factory):
    emulator = emulator_factory()
    system = system_factory(emulator.url, command_timeout=20.0)
    system.configure()
    system.activate()
    emulator.stop()  # the controller is gone
    system.arm.wait_status(lambda s: any(f.name == "LINK_DOWN" for f in s.faults), 5.0)
    started = time.monotonic()
    with pytest.raises(LinkLost, match="no link to its controller.*keeps sending it"):
        system.arm.stop(StopKind.EMERGENCY)
    assert time.monotonic() - started < 5.0  # far below the 20 s command timeout
