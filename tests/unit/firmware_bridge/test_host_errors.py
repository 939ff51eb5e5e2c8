"""The host side reports handshake refusals and missing controllers clearly, within bounds."""

from __future__ import annotations

import pytest

from cellctl.hw.errors import HardwareError, LinkLost, MotionRefused
from cellctl.hw.types import LifecycleState
from firmware_bridge.host import LinkOptions

pytestmark = pytest.mark.unit


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
    with pytest.raises(MotionRefused, match="setpoint late.*ahead"):
        system.arm.submit(system.now() + 0.001, [0.0] * 7)


def test_socket_urls_reach_the_emulator_over_tcp(emulator_factory, system_factory):
    emulator = emulator_factory("--tcp", "0")
    system = system_factory(emulator.tcp_url)
    system.configure()
    assert system.arm.dof == 7 and system.link_stats().connected


def test_a_loopback_url_opens_but_nobody_answers_the_handshake(system_factory):
    system = system_factory("loop://", configure_timeout=0.3)
    with pytest.raises(LinkLost, match="loop://"):
        system.configure()
