"""Honest grasping (missed grasps, drops) and stops (e-stop bound and latch, controlled stop)."""

from __future__ import annotations

import numpy as np
import pytest
from _cell import ESTOP_DISTANCE
from _unit import APPROACH, LEAD, SERVO_HZ, Operator, shifted

from cellctl.hw import ArmMode, GripperAction, GripperCommand, MotionRefused, StopKind
from cellctl.motion import plan_ptp
from sim import SimSystem

pytestmark = pytest.mark.sim

Cell = tuple[SimSystem, Operator]


def test_closing_on_nothing_is_a_no_part_nok(cell: Cell) -> None:
    sim, operator = cell
    result = operator.tool("loader", GripperCommand(GripperAction.CLOSE, width=0.07))
    assert not result.ok and result.failure_class == "no_part"
    assert sim.arms["loader"].held_part() is None


def test_a_part_follows_the_gripper_only_once_grasped(cell: Cell) -> None:
    sim, operator = cell
    start = sim.part_pose("mid_frame").position
    assert operator.pick("loader", "mid_frame").ok
    assert sim.arms["loader"].held_part() == "mid_frame"
    assert sim.part_pose("mid_frame").position[2] - start[2] == pytest.approx(APPROACH, abs=0.002)


def test_a_dropped_part_is_detected_and_stops_the_arm(cell: Cell) -> None:
    sim, operator = cell
    assert operator.pick("loader", "mid_frame").ok
    arm = sim.arms["loader"]
    arm.inject_drop("test: vacuum of the gods")
    sim.run_for(0.5)
    state = arm.read()
    assert [e.subject for e in sim.events.all("dropped")] == ["mid_frame"]
    assert arm.held_part() is None
    assert [f.code for f in state.faults] == [420] and "mid_frame" in state.faults[0].message
    assert sim.part_pose("mid_frame").position[2] < 0.11  # it fell back onto the tray
    with pytest.raises(MotionRefused, match="reset"):
        operator.home("loader")
    arm.reset()
    operator.home("loader")


def _long_move(sim: SimSystem, arm: str) -> np.ndarray:
    handle = sim.arms[arm]
    start = handle.read().positions
    goal = start + np.array([1.2, 0.4, 0.3, 0.4, 0.5, -0.3, 0.6])
    samples = plan_ptp(start, goal, handle.limits).sample(rate=SERVO_HZ)
    handle.submit(sim.now() + LEAD + samples.time, samples.position)
    return goal


def test_the_weakest_joint_brakes_from_full_speed_within_the_bound(cell: Cell) -> None:
    """The e-stop bound's worst case: the loader's wrist (the smallest motor) at its speed limit."""
    sim, _ = cell
    arm = sim.arms["loader"]
    start = arm.read().positions
    goal = start + np.eye(arm.dof)[4] * 1.5
    trajectory = plan_ptp(start, goal, arm.limits)
    samples = trajectory.sample(rate=SERVO_HZ)
    arm.submit(sim.now() + LEAD + samples.time, samples.position)
    sim.run_for(LEAD + trajectory.duration / 2)
    at_stop = arm.read()
    assert abs(at_stop.velocities[4]) == pytest.approx(arm.limits.velocity[4], rel=0.02)  # at full speed
    arm.stop(StopKind.EMERGENCY)
    peak = 0.0
    for _ in range(100):  # 1 s, looked at every 10 ms: the largest excursion, not only where it rests
        sim.run_for(0.01)
        peak = max(peak, float(np.abs(arm.read().positions - at_stop.positions).max()))
    after = arm.read()
    assert 0.01 < peak < ESTOP_DISTANCE  # it does travel on (a real brake): the bound is not vacuous
    rest = float(np.abs(after.positions - at_stop.positions).max())
    assert rest > 0.99 * peak, "the brake drove the joint back towards where the e-stop found it"
    assert np.abs(after.velocities).max() < 1e-3 and after.mode is ArmMode.ESTOPPED


def test_an_arm_reset_while_it_still_brakes_refuses_motion_until_it_has_stopped(cell: Cell) -> None:
    sim, _ = cell
    arm = sim.arms["loader"]
    goal = _long_move(sim, "loader")
    sim.run_for(0.6)
    arm.stop(StopKind.EMERGENCY)
    sim.run_for(0.01)
    arm.reset()  # too early: the brake still acts
    assert arm.read().mode is ArmMode.STOPPING and np.abs(arm.read().velocities).max() > 0.1
    with pytest.raises(MotionRefused, match="still stopping"):
        arm.submit(sim.now() + 0.01, goal)
    sim.run_for(0.5)
    assert arm.read().mode is ArmMode.IDLE and np.abs(arm.read().velocities).max() < 1e-3
    _long_move(sim, "loader")
    assert sim.wait_idle("loader", 10.0).mode is ArmMode.IDLE


def test_an_estop_halts_within_a_bounded_distance_and_blocks_until_reset(cell: Cell) -> None:
    sim, _ = cell
    arm = sim.arms["screwer"]
    goal = _long_move(sim, "screwer")
    sim.run_for(0.8)
    at_stop = arm.read()
    assert at_stop.mode is ArmMode.FOLLOWING and np.abs(at_stop.velocities).max() > 0.5
    arm.stop(StopKind.EMERGENCY)
    sim.run_for(1.0)
    after = arm.read()
    assert after.mode is ArmMode.ESTOPPED and [f.code for f in after.faults] == [303]
    assert np.abs(after.positions - at_stop.positions).max() < ESTOP_DISTANCE
    assert np.abs(after.velocities).max() < 1e-3
    with pytest.raises(MotionRefused, match="reset"):
        arm.submit(sim.now() + 0.01, goal)
    arm.reset()
    assert arm.read().mode is ArmMode.IDLE
    _long_move(sim, "screwer")
    assert sim.wait_idle("screwer", 10.0).mode is ArmMode.IDLE


def test_a_controlled_stop_decelerates_on_the_path_without_a_fault(cell: Cell) -> None:
    sim, _ = cell
    arm = sim.arms["screwer"]
    start = arm.read().positions
    goal = _long_move(sim, "screwer")
    sim.run_for(0.8)
    arm.stop(StopKind.CONTROLLED)
    assert arm.read().mode is ArmMode.STOPPING
    state = sim.wait_idle("screwer", 5.0)
    assert state.mode is ArmMode.IDLE and not state.faults
    direction = (goal - start) / np.linalg.norm(goal - start)
    travelled = state.positions - start
    off_path = travelled - (travelled @ direction) * direction
    assert np.abs(off_path).max() < 0.01  # stopped on the straight joint-space path
    assert 0.0 < travelled @ direction < np.linalg.norm(goal - start)


def test_motion_is_refused_when_inactive_or_late(cell: Cell) -> None:
    sim, _ = cell
    arm = sim.arms["loader"]
    with pytest.raises(MotionRefused, match="setpoint late"):
        arm.submit(sim.now(), arm.read().positions)
    sim.deactivate()
    with pytest.raises(MotionRefused, match="activate"):
        arm.submit(sim.now() + 0.01, arm.read().positions)


def test_kinematic_mode_tracks_exactly() -> None:
    from _cell import start

    sim, operator = start(kinematic=True)
    try:
        operator.move_tcp("loader", shifted(sim.tcp_pose("loader"), -0.05))
        assert sim.arms["loader"].tracking_error().max_abs < 1e-9
    finally:
        operator.close()
        sim.shutdown()
