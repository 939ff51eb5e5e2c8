"""Crash persistence: a new SimSystem on the same state file finds the world where the old one left it.

Each test "crashes" by shutting the first system down: nothing is saved on the way down, so what
the second system finds is what the first saved while it ran.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _cell import running
from _unit import LEAD, SERVO_HZ, UNIT_PARTS, UnitReport, tray_offset

from cellctl.hw import ArmMode, HardwareError
from cellctl.rt.lifecycle import State as LifecycleState
from cellctl.motion import plan_ptp
from sim import SimSystem

pytestmark = pytest.mark.sim

HoleRecord = tuple[int, bool, bool, float]


def _holes(sim: SimSystem) -> dict[str, HoleRecord]:
    """Per hole: attempts, holds a screw, tight, torque."""
    assert sim.holes is not None
    return {n: (s.attempts, s.screw_body is not None, s.tight, s.torque) for n, s in sim.holes.state.items()}


def _world(sim: SimSystem) -> dict[str, object]:
    assert sim.holes is not None
    return {"now": sim.now(), "parts": {p: sim.part_pose(p).position for p in UNIT_PARTS},
            "arms": {a: arm.read().positions for a, arm in sim.arms.items()}, "holes": _holes(sim),
            "joints": set(sim.holes.joints), "presenting": sim.feeders[0].presenting}


def test_a_crash_after_the_second_screw_is_restored_and_the_unit_ends_ok(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    report = UnitReport()
    with running(state_file=state_file) as (sim, operator):
        operator.load_stack(report)
        operator.screw_holes(report, ["h1", "h2"])
        before = _world(sim)

    with running(state_file=state_file) as (sim, operator):
        after = _world(sim)
        assert after["now"] == before["now"]
        for part in UNIT_PARTS:
            assert np.abs(after["parts"][part] - before["parts"][part]).max() < 1e-3, part  # type: ignore[index]
        for arm in sim.arms:
            assert np.abs(after["arms"][arm] - before["arms"][arm]).max() < 1e-6, arm  # type: ignore[index]
            state = sim.arms[arm].read()
            assert state.mode is ArmMode.IDLE and state.queue_depth == 0 and not state.faults
        assert after["holes"] == before["holes"] and after["joints"] == before["joints"] == {
            ("mid_frame", "main_board")}
        assert after["presenting"] == before["presenting"]

        second = report.screws["h2"]
        handle = sim.arms["screwer"].tool_command(sim.cell.holes["h2"].program, command_id=second.command_id)
        assert handle.done()
        again = handle.result(0.0)
        assert again.ok and again.torque == second.torque and np.array_equal(again.curve_torque, second.curve_torque)
        assert _holes(sim) == before["holes"]

        operator.screw_holes(report, ["h3", "h4"])
        operator.clip_cover(report)
        operator.unload(report)
        assert report.ok, {h: r.failure_class for h, r in report.screws.items()}
        assert tray_offset(sim, "ok_tray") < 0.002


def test_a_command_cut_short_by_a_crash_runs_when_re_sent(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, operator):
        operator.frame_in_nest()
        assert operator.pick_screw().ok
        program = sim.cell.holes["h1"].program
        operator.move_tcp("screwer", operator.bit_on("h1"))
        handle = sim.arms["screwer"].tool_command(program, command_id=9001)
        sim.run_for(0.3)
        assert not handle.done()
        holes = _holes(sim)

    with running(state_file=state_file) as (sim, operator):
        assert _holes(sim) == holes and holes["h1"] == (0, False, False, 0.0)
        assert sim.arms["screwer"].tools["pickup"].screw is not None  # type: ignore[attr-defined]
        result = sim.wait_for(sim.arms["screwer"].tool_command(program, command_id=9001), 5.0)
        assert result.ok and result.command_id == 9001, result.message
        assert _holes(sim)["h1"][:3] == (1, True, True)


def test_a_crash_mid_motion_restores_the_last_snapshot_at_rest(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, _):
        arm = sim.arms["loader"]
        start_q = arm.read().positions
        samples = plan_ptp(start_q, start_q + 0.8, arm.limits).sample(rate=SERVO_HZ)
        rested_at = sim.now()
        arm.submit(sim.now() + LEAD + samples.time, samples.position)
        sim.run_for(0.6)  # snapshots come with changes (rest, tool results), not with time: none while it moves
        assert arm.read().mode is ArmMode.FOLLOWING
        assert np.abs(arm.read().positions - start_q).max() > 0.1
    saved = json.loads(state_file.read_text())

    with running(state_file=state_file) as (sim, operator):
        state = sim.arms["loader"].read()
        assert state.mode is ArmMode.IDLE and state.queue_depth == 0
        assert np.array_equal(state.positions, saved["arms"]["loader"]["positions"])
        assert sim.now() == saved["steps"] / sim.physics_hz <= rested_at  # the world when it last changed
        assert np.array_equal(state.positions, start_q)  # the loader where it last rested
        operator.home("loader")  # and it moves again from there


def test_an_arm_coming_to_rest_is_saved(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, _):
        arm = sim.arms["loader"]
        start_q = arm.read().positions
        samples = plan_ptp(start_q, start_q + 0.3, arm.limits).sample(rate=SERVO_HZ)
        arm.submit(sim.now() + LEAD + samples.time, samples.position)
        sim.wait_idle("loader", 5.0)
        rest = arm.read().positions
        sim.run_for(0.1)
    saved = json.loads(state_file.read_text())
    assert np.array_equal(np.array(saved["arms"]["loader"]["positions"]), rest)
    assert np.abs(rest - start_q).max() > 0.25


def test_a_state_file_of_another_cell_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    state_file.write_text(json.dumps({"format": 1, "cell": "elsewhere", "parts": {}, "arms": {}}))
    sim = SimSystem(state_file=state_file)
    with pytest.raises(HardwareError, match="another cell"):
        sim.configure()
    assert sim.lifecycle_state is LifecycleState.UNCONFIGURED
    sim.shutdown()
