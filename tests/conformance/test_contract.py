"""The hardware contract, one suite for every backend: the simulation, the emulator, a real controller.

Each test streams a straight joint-space motion (a PTP move from rest is a straight line in
joint space) and watches the arm: whatever the override, a stop or an e-stop do, the arm must
stay on that line, and it must do what the contract and ``docs/protocol.md`` §8 say.
"""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.hw import ArmMode, MotionRefused, StopKind
from cellctl.hw.player import PlayerLimits, ramp_duration
from cellctl.motion import JointLimits, plan_ptp

STEP = 0.001
OFF_PATH = 1e-6  # rad: the largest distance from the planned line the arm may show


def _stream(contract, distance: float = 0.4, depth_s: float = 1.5):
    """Queue a PTP move of every joint by ``distance`` rad in one submit; (start, goal)."""
    arm = contract.arm
    start = arm.read().positions
    goal = start + distance
    limits = JointLimits([0.5] * arm.dof, [2.0] * arm.dof, [20.0] * arm.dof)
    motion = plan_ptp(start, goal, limits)
    assert motion.duration <= depth_s
    n = round(motion.duration / STEP)
    t = np.arange(1, n + 1) * motion.duration / n
    tau = arm.read().path_time_at(contract.system.now()) + 0.05
    arm.submit(tau + t, motion.sample(t).position, final=True, new_motion=True)
    return start, goal


def _off_line(states, start: np.ndarray, goal: np.ndarray) -> float:
    """Largest distance of the states' positions from the line through start and goal."""
    q = np.array([s.positions for s in states]) - start
    d = (goal - start) / np.linalg.norm(goal - start)
    return float(np.linalg.norm(q - np.outer(q @ d, d), axis=1).max())


def _ramp_bound(contract) -> float:
    """An upper bound of the override ramp for this test's motions (at most 0.5 rad/s a joint)."""
    dof = contract.arm.dof
    slowest = PlayerLimits.uniform(dof, acceleration=4.0, jerk=50.0)  # below every backend's limits here
    return ramp_duration(1.0, np.full(dof, 0.5), slowest)


def test_the_arm_reports_its_queue_capacity_and_trajectory_time(contract) -> None:
    state = contract.arm.read()
    assert contract.arm.queue_capacity is not None and contract.arm.queue_capacity >= 1000
    assert state.override == 1.0
    later = contract.watch(0.1)[-1]
    assert later.path_time - state.path_time == pytest.approx(later.time - state.time, abs=0.02)


def test_a_pause_stops_on_the_path_within_the_ramp_and_resume_finishes(contract) -> None:
    start, goal = _stream(contract)
    moving = contract.watch(0.4)
    contract.arm.set_override(0.0)
    ramp = contract.watch(_ramp_bound(contract) + 0.05)
    held = contract.watch(0.3)
    assert not np.abs(held[-1].velocities).any() and held[-1].override == 0.0
    assert np.abs(held[-1].positions - held[0].positions).max() < OFF_PATH
    assert held[-1].queue_depth > 0  # the queue is kept while paused
    contract.arm.set_override(1.0)
    resumed = contract.watch(2.0)
    assert np.abs(resumed[-1].positions - goal).max() < 1e-6
    assert resumed[-1].mode is ArmMode.IDLE and not resumed[-1].faults
    assert _off_line(moving + ramp + held + resumed, start, goal) < OFF_PATH


def test_a_controlled_stop_ends_on_the_path_and_drops_the_queue(contract) -> None:
    start, goal = _stream(contract)
    contract.watch(0.4)
    contract.arm.stop(StopKind.CONTROLLED)
    stopping = contract.watch(_ramp_bound(contract) * 2 + 0.1)
    final = stopping[-1]
    assert final.mode is ArmMode.IDLE and final.queue_depth == 0 and not final.faults
    assert np.abs(final.positions - goal).max() > 0.01  # it stopped before the end
    assert _off_line(stopping, start, goal) < OFF_PATH


def test_an_emergency_stop_halts_latches_and_refuses_motion_until_reset(contract) -> None:
    _stream(contract)
    contract.watch(0.3)
    contract.arm.stop(StopKind.EMERGENCY)
    after = contract.watch(0.2)
    assert after[-1].mode is ArmMode.ESTOPPED
    assert np.abs(after[-1].positions - after[0].positions).max() < 1e-6
    with pytest.raises(MotionRefused):
        _stream(contract)
    contract.arm.reset()
    contract.watch(0.05)
    start, goal = _stream(contract)
    assert _off_line(contract.watch(1.6), start, goal) < OFF_PATH


def test_a_new_motion_that_arrives_late_is_delayed_not_refused(contract) -> None:
    arm = contract.arm
    start = arm.read().positions
    knots = 0.001 * np.arange(1, 201)
    late = arm.read().path_time_at(contract.system.now()) - 0.1  # already in the past
    arm.submit(late + knots, start + np.outer(knots, np.full(arm.dof, 0.05)), final=True, new_motion=True)
    states = contract.watch(0.5)
    assert np.abs(states[-1].positions - (start + 0.01)).max() < 1e-6
    assert not states[-1].faults


def test_a_motion_joined_to_the_queued_one_plays_on_without_a_stop(contract) -> None:
    """The supervisor joins consecutive moves (``MotionStream(after=…)``): the second is stamped
    one servo period after the first ends, queued while the first plays; the arm follows both
    as one motion (never idle between them) and ends at the second goal, on time."""
    from cellctl.supervisor.streaming import MotionStream

    arm, system = contract.arm, contract.system
    limits = JointLimits([0.5] * arm.dof, [2.0] * arm.dof, [20.0] * arm.dof)
    start = arm.read().positions
    middle, goal = start + 0.3, start + np.linspace(0.1, 0.4, arm.dof)
    first = MotionStream(arm, plan_ptp(start, middle, limits), depth=0.5)
    second_motion = plan_ptp(middle, goal, limits)
    second: MotionStream | None = None
    modes, t0 = [], system.now()
    deadline = t0 + first.motion.duration + second_motion.duration + 3.0
    while system.now() < deadline:
        stream = first if second is None else second
        stream.pump(system.now())
        if second is None and first.finished_sending:
            assert first.end_tau is not None
            second = MotionStream(arm, second_motion, depth=0.5, after=first.end_tau)
        elif second is not None and second.done():
            break
        system.wait_until(system.now() + 0.005)
        modes.append(arm.read().mode)
    assert second is not None and second.done(), "the joined motion did not finish"
    played = modes[:max(i for i, m in enumerate(modes) if m is ArmMode.FOLLOWING) + 1]
    first_following = played.index(ArmMode.FOLLOWING)
    assert all(m is ArmMode.FOLLOWING for m in played[first_following:]), "the arm stopped between the motions"
    assert np.abs(arm.read().positions - goal).max() < 2e-3
