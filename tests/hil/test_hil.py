"""Hardware-in-the-loop: handshake, streaming, tools, stops, watchdog, reconnect, de-duplication.

Runs against the controller emulator by default; ``pytest -m hil --hil-port /dev/ttyACM0`` runs
the same tests against a real controller (keep the cell clear: the arm moves up to 0.3 rad).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from cellctl.hw.errors import MotionRefused
from cellctl.hw.tools import BackOutCommand, GripperAction, GripperCommand, ScrewProgram
from cellctl.hw.types import ArmMode, StopKind
from firmware_bridge.frames import POSITION_SCALE
from firmware_bridge.proxy import FaultProxy

pytestmark = pytest.mark.hil

GOOD_SCREW = ScrewProgram(1, target_torque=0.1, torque_min=0.09, torque_max=0.12, angle_min=600.0, angle_max=900.0)


def _final_tolerance(target) -> float:
    """How close an arm at rest must be to its last setpoint: wire resolution on the emulator,
    a servo's following error on a real controller."""
    return 1.5e-7 if target.emulated else 1e-4


def _move(system, seconds: float = 0.5, amplitude: float = 0.3, rate: int = 1000):
    """Submit a smooth out-and-back move starting from the current position; return times, positions."""
    arm = system.arm
    start = arm.read().positions
    count = int(seconds * rate)
    times = system.now() + 0.05 + np.arange(count) / rate
    s = np.sin(np.linspace(0.0, np.pi, count))[:, None]
    positions = start + amplitude * s * np.linspace(0.5, 1.0, arm.dof)
    arm.submit(times, positions)
    return times, positions


def _sample_until_idle(arm, timeout: float = 5.0) -> list:
    states, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = arm.read()
        states.append(state)
        if not state.is_moving and len(states) > 5:
            return states
        time.sleep(0.004)
    raise AssertionError(f"arm still moving after {timeout} s (mode {states[-1].mode.name})")


def test_handshake_synchronises_the_clock(hil_system):
    info = hil_system.link.controller_info
    assert info is not None and info.dof == hil_system.arm.dof > 0
    # The controller's clock runs at the host's rate: compare both over the same interval (a sleep
    # on a loaded machine lasts as long as it lasts; what matters is that both clocks saw it).
    host_before, before = time.monotonic(), hil_system.now()
    time.sleep(0.1)
    after, host_after = hil_system.now(), time.monotonic()
    assert after - before >= 0.09
    assert abs((after - before) - (host_after - host_before)) < 0.01  # the offset estimate held still
    stats = hil_system.link_stats()
    assert stats.connected and stats.rtt_median < 0.05
    assert abs(hil_system.arm.read().time - hil_system.now()) < 0.05


def test_streamed_motion_is_played_to_wire_resolution(hil_system, hil_target):
    arm = hil_system.arm
    times, positions = _move(hil_system)
    states = _sample_until_idle(arm)
    wire_t = np.round(times * 1e6) * 1e-6
    wire_q = np.round(positions * POSITION_SCALE) / POSITION_SCALE
    # positions are played at the trajectory's time τ (path_time): equal to the clock on a quiet
    # line, behind it by the emulator's own stalls on a busy host (it does not count them)
    during = [s for s in states if wire_t[0] <= s.path_time <= wire_t[-1]]
    assert len(during) > 20
    tolerance = 3e-7 if hil_target.emulated else 1e-3
    for state in during:
        expected = [np.interp(state.path_time, wire_t, wire_q[:, j]) for j in range(arm.dof)]
        assert np.allclose(state.positions, expected, atol=tolerance, rtol=0)
    final = arm.read()
    assert final.mode is ArmMode.IDLE and final.faults == ()
    assert np.allclose(final.positions, wire_q[-1], atol=_final_tolerance(hil_target), rtol=0)


def test_screwdriver_reports_ok_and_nok_with_a_curve(hil_system):
    arm = hil_system.arm
    handle = arm.tool_command(GOOD_SCREW)
    ok = handle.result(timeout=10.0)
    assert ok.ok and ok.status == "OK" and ok.failure_class is None
    assert GOOD_SCREW.torque_min <= ok.torque <= GOOD_SCREW.torque_max
    assert GOOD_SCREW.angle_min <= ok.angle <= GOOD_SCREW.angle_max
    assert len(ok.curve_time) == len(ok.curve_torque) == len(ok.curve_angle) > 50
    assert np.all(np.diff(ok.curve_angle) >= 0) and ok.curve_torque[-1] == pytest.approx(ok.torque, rel=0.02)
    nok = arm.tool_command(ScrewProgram(2, 0.1, 0.09, 0.12, 100.0, 300.0)).result(timeout=10.0)
    assert not nok.ok and nok.status == "NOK" and nok.failure_class == "angle_high"
    assert "ANGLE_HIGH" in nok.message


def test_gripper_opens_and_closes_on_a_part(hil_system):
    arm = hil_system.arm
    opened = arm.tool_command(GripperCommand(GripperAction.OPEN, width=0.03, speed=0.2)).result(timeout=5.0)
    assert opened.ok and opened.width == pytest.approx(0.03, abs=1e-4)
    closed = arm.tool_command(GripperCommand(GripperAction.CLOSE, speed=0.2)).result(timeout=5.0)
    assert closed.ok and 0 < closed.width < 0.03


def test_a_repeated_tool_command_id_returns_the_first_result(hil_target, make_system):
    first = make_system(hil_target.url)
    first.configure()
    result = first.arm.tool_command(GOOD_SCREW, command_id=4242).result(timeout=10.0)
    first.shutdown()
    second = make_system(hil_target.url)
    second.configure()
    again = second.arm.tool_command(GOOD_SCREW, command_id=4242).result(timeout=5.0)
    assert (again.torque, again.angle, again.status) == (result.torque, result.angle, result.status)
    assert np.array_equal(again.curve_torque, result.curve_torque)


def test_emergency_stop_halts_at_once_and_needs_a_reset(hil_system):
    arm = hil_system.arm
    times, _ = _move(hil_system, seconds=1.0)
    arm.wait_status(lambda s: s.time > times[0] + 0.2, timeout=3.0)
    arm.stop(StopKind.EMERGENCY)
    state = arm.read()
    assert state.mode is ArmMode.ESTOPPED and not state.velocities.any()
    assert [f.name for f in state.faults] == ["EMERGENCY_STOP"]
    with pytest.raises(MotionRefused, match="EMERGENCY_STOP"):
        _move(hil_system)
    arm.reset()
    assert arm.read().mode is ArmMode.IDLE
    _move(hil_system, seconds=0.2, amplitude=0.05)
    _sample_until_idle(arm)


def test_controlled_stop_decelerates_without_a_fault(hil_system):
    arm = hil_system.arm
    times, positions = _move(hil_system, seconds=1.0)
    moving = arm.wait_status(lambda s: s.time > times[0] + 0.3, timeout=3.0)
    assert moving.mode is ArmMode.FOLLOWING and moving.time < times[-1] - 0.3
    arm.stop(StopKind.CONTROLLED)
    states = _sample_until_idle(arm)
    assert ArmMode.STOPPING in {s.mode for s in states}, [s.mode.name for s in states[:5]]
    final = arm.read()
    assert final.mode is ArmMode.IDLE and final.faults == ()
    assert final.time < times[-1]


def test_watchdog_stops_a_silent_host_and_latches(hil_system):
    arm = hil_system.arm
    lease = hil_system.link.controller_info.lease_ms / 1000.0
    times, _ = _move(hil_system, seconds=1.5)
    arm.wait_status(lambda s: s.time > times[0] + 0.1, timeout=3.0)
    hil_system.link.set_muted(True)
    try:
        silent_from = hil_system.now()
        state = arm.wait_status(lambda s: s.mode is ArmMode.FAULTED, timeout=lease + 2.0)
    finally:
        hil_system.link.set_muted(False)
    assert "WATCHDOG_LEASE_EXPIRED" in [f.name for f in state.faults]
    assert state.time - silent_from < lease + 0.5
    with pytest.raises(MotionRefused, match="WATCHDOG_LEASE_EXPIRED"):
        _move(hil_system)
    arm.reset()
    assert arm.read().faults == ()


def test_a_pulled_cable_mid_motion_resumes_without_loss(hil_target, make_system, tmp_path):
    proxy = FaultProxy(hil_target.url, link=str(tmp_path / "via-proxy"))
    proxy.start()
    try:
        system = make_system(proxy.link)
        system.configure()
        system.activate()
        arm = system.arm
        times, positions = _move(system, seconds=1.0)
        arm.wait_status(lambda s: s.time > times[0] + 0.1, timeout=3.0)
        proxy.disconnect(0.08)
        _sample_until_idle(arm, timeout=5.0)
        final = arm.read()
        stats = system.link_stats()
        system.shutdown()
    finally:
        proxy.stop()
    assert final.faults == () and final.mode is ArmMode.IDLE
    assert np.allclose(final.positions, np.round(positions[-1] * POSITION_SCALE) / POSITION_SCALE,
                       atol=_final_tolerance(hil_target), rtol=0)
    assert stats.disconnects >= 1 and stats.resumes >= 1


def test_back_out_removes_the_screw_just_driven(hil_system):
    arm = hil_system.arm
    driven = arm.tool_command(GOOD_SCREW).result(timeout=10.0)
    backed = arm.tool_command(BackOutCommand(GOOD_SCREW.program_id)).result(timeout=10.0)
    assert backed.ok and backed.torque < 0 and -backed.angle >= 0.9 * driven.angle
    assert np.all(backed.curve_angle <= 0)
    empty = arm.tool_command(BackOutCommand(GOOD_SCREW.program_id)).result(timeout=10.0)
    assert not empty.ok and empty.failure_class == "no_screw"
