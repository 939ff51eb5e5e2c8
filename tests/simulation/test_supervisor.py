"""The supervisor on the simulated demo cell: units end to end, both arms at once, pause on the
path, abort, e-stop, recovery from a NOK screw, a missed grasp (sim time bounds every run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _cell import ESTOP_DISTANCE
from _supervised import supervised

from cellctl.hw import MotionRefused
from cellctl.supervisor import CellState, ResumeError, actions

pytestmark = pytest.mark.sim


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def test_two_units_are_built_with_both_arms_busy_at_once_and_one_arm_in_the_nest(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        occupancy = []
        summary = cell.run(2, on_cycle=lambda: occupancy.append(cell.sim.zone_occupants("shared_fixture")))
        assert (summary.units_ok, summary.units_nok, summary.state) == (2, 0, CellState.IDLE)
        units = cell.journal.units()
        assert [u.serial for u in units] == ["PH-000001", "PH-000002"] and all(u.result == "OK" for u in units)
        for unit in units:
            final = [t for t in cell.journal.tightenings(unit.id) if t.final]
            assert sorted(t.hole for t in final) == ["h1", "h2", "h3", "h4"]
            assert all(t.status == "OK" and t.torque_min <= t.torque <= t.torque_max for t in final)
            steps = cell.journal.steps(unit.id)
            loader = [(s.started_at, s.ended_at) for s in steps if s.arm == "loader"]
            screwer = [(s.started_at, s.ended_at) for s in steps if s.arm == "screwer"]
            busy_together = sum(overlap(a, b) for a in loader for b in screwer)
            assert busy_together > 1.0, "the loader should fetch the cover while the screwer drives screws"
        assert max(len(arms) for arms in occupancy) == 1, "two arms were in the shared fixture zone at once"
        assert len(occupancy) > 1000
        tray = cell.sim.slot_pose("ok_tray", "s0").position
        for part in ("mid_frame", "main_board", "cover"):  # the last phone really is in the OK tray
            assert np.abs(cell.sim.part_pose(part).position[:2] - tray[:2]).max() < 0.002, part


def test_pause_stops_on_the_planned_path_and_resume_finishes_the_unit(tmp_path: Path, monkeypatch) -> None:
    streamed: list = []  # every motion streamed to an arm (a joined one is queued while the one before plays)

    class Recorded(actions.MotionStream):
        def __init__(self, arm, motion, *args, **kwargs) -> None:
            super().__init__(arm, motion, *args, **kwargs)
            streamed.append((arm, motion))

    monkeypatch.setattr(actions, "MotionStream", Recorded)
    with supervised(tmp_path) as cell:
        sup, arm = cell.supervisor, cell.sim.arms["loader"]
        seen: dict[str, object] = {}

        def operator() -> None:
            now = cell.sim.now()
            if "paused_at" not in seen:
                seen["motions"] = [m for a, m in streamed if a is arm]
            if "paused_at" not in seen and now > 0.8:
                sup.pause()
                seen["paused_at"] = now
            if sup.state is CellState.PAUSED and "held" not in seen:
                seen["held"] = now
            if "held" in seen and "resumed" not in seen and now > seen["held"] + 0.5:
                seen["still"] = arm.read()
                sup.resume()
                seen["resumed"] = now

        summary = cell.run(1, on_cycle=operator)
        assert summary.units_ok == 1
        still = seen["still"]
        assert np.abs(still.velocities).max() < 0.02, "the arm did not stand still while paused"
        off_path = min(np.linalg.norm(m.sample(np.linspace(0.0, m.duration, 20001)).position - still.positions,
                                      axis=1).min() for m in seen["motions"])
        assert off_path < 5e-3, f"paused {off_path:.4f} rad away from the planned path"
        kinds = [e[3] for e in cell.journal.events()]
        assert "pause" in kinds and "resume" in kinds


def test_abort_ends_the_unit_and_the_run_with_the_arms_at_rest(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        sup = cell.supervisor
        summary = cell.run(3, on_cycle=lambda: sup.abort() if cell.sim.now() > 1.0 else None)
        assert (summary.units_aborted, summary.units_ok, summary.state) == (1, 0, CellState.IDLE)
        (unit,) = cell.journal.units()
        assert unit.result == "ABORTED" and "aborted by the operator" in (unit.reason or "")
        cell.sim.run_for(0.5)
        assert all(not a.read().is_moving for a in cell.sim.arms.values())


def test_an_emergency_stop_halts_at_once_and_nothing_moves_until_reset(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        sup, arm = cell.supervisor, cell.sim.arms["loader"]
        at_stop: dict[str, np.ndarray] = {}

        def operator() -> None:
            if not at_stop and cell.sim.now() > 1.0:
                at_stop["q"], at_stop["qd"] = arm.read().positions, arm.read().velocities
                sup.estop()

        summary = cell.run(1, on_cycle=operator)
        assert np.abs(at_stop["qd"]).max() > 0.05, "the arm should have been moving when stopped"
        assert summary.state is CellState.ESTOPPED and summary.units_aborted == 1
        cell.sim.run_for(0.5)
        assert np.abs(arm.read().positions - at_stop["q"]).max() < ESTOP_DISTANCE  # braked within a bounded distance
        now = cell.sim.now()
        with pytest.raises(MotionRefused):
            arm.submit(np.array([now + 0.05]), arm.read().positions[None, :])
        sup.reset()
        assert sup.state is CellState.IDLE
        arm.submit(np.array([cell.sim.now() + 0.05]), arm.read().positions[None, :])


def test_a_cross_threaded_screw_is_backed_out_and_driven_again(tmp_path: Path) -> None:
    with supervised(tmp_path, failures={"h2": "cross_thread"}) as cell:
        summary = cell.run(1)
        assert summary.units_ok == 1
        (unit,) = cell.journal.units()
        h2 = [t for t in cell.journal.tightenings(unit.id) if t.hole == "h2"]
        assert [(t.attempt, t.status, t.failure_class, t.final) for t in h2] == [
            (0, "NOK", "cross_thread", False), (1, "OK", None, True)]
        assert any(s.kind == "backout" and s.result == "OK" for s in cell.journal.steps(unit.id))


def test_a_missed_grasp_stops_the_cell_with_a_message_that_says_what_to_do(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        moved: list[bool] = []

        def shift_the_board() -> None:  # after the kit arrived: the board lies 30 mm off its slot
            if not moved:
                board = cell.sim.part_pose("main_board")
                cell.sim.world.place_part("main_board", type(board)(board.position + [0.0, 0.03, 0.0], board.quaternion))
                moved.append(True)

        summary = cell.run(1, on_cycle=shift_the_board)
        assert summary.state is CellState.FAULTED and summary.units_nok == 1
        assert "missed_grasp" in summary.message and "reset and run again" in summary.message
        (unit,) = cell.journal.units()
        assert unit.result == "NOK"
        failed = [s for s in cell.journal.steps(unit.id) if s.result == "FAILED"]
        assert failed[0].kind == "pick" and failed[0].target == "main_board"
        assert not cell.journal.faults(), "a missed grasp is a process failure, not an arm fault"
        cell.sim.run_for(0.5)
        assert all(not a.read().is_moving for a in cell.sim.arms.values())


def test_an_unfinished_unit_is_resumed_only_with_its_own_recipe(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        cell.journal.start_unit("PH", "another_recipe", "B.2", "phone_assembly_demo", 0.0)
        with pytest.raises(ResumeError, match=r"PH-000001 was started with recipe 'another_recipe' revision 'B.2'"):
            cell.supervisor.run(1, resume=True)
        assert cell.journal.units()[0].result == "RUNNING"  # untouched


def test_reset_does_nothing_while_a_unit_runs(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        sup = cell.supervisor

        def operator() -> None:
            if 0.5 < cell.sim.now() < 0.52:
                sup.reset()

        assert cell.run(1, on_cycle=operator).units_ok == 1
        assert "reset_ignored" in [e[3] for e in cell.journal.events()]


def test_a_step_whose_motion_cannot_be_planned_fails_cleanly_and_retreats(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        sup = cell.supervisor

        def misplace_the_frame() -> None:  # once it is in the nest, the part model loses it 2 m away
            pose = sup.ctx.parts.poses["mid_frame"]
            if abs(pose[0, 3]) < 0.01:
                pose[0, 3] += 2.0

        summary = cell.run(1, on_cycle=misplace_the_frame)
        assert summary.state is CellState.FAULTED
        # The board's place holds the shared zone when its approach cannot be planned.
        assert "cannot plan place main_board: approach" in summary.message and "reach" in summary.message
        home = cell.supervisor.cell.arms["loader"].home
        assert np.abs(cell.sim.arms["loader"].read().positions - home).max() < 5e-3  # the clean-up ran
        assert not sup.ctx.zones.holders


def test_a_new_speed_override_reaches_the_arms_while_a_unit_runs(tmp_path: Path) -> None:
    with supervised(tmp_path) as cell:
        sup = cell.supervisor
        seen: list[float] = []

        def operator() -> None:
            now = cell.sim.now()
            if now > 1.0 and sup.get_parameter("speed_override") == 100.0:
                sup.set_parameters({"speed_override": 50.0})
            elif 1.0 < now <= 3.0:
                seen.append(min(arm.read().override for arm in cell.sim.arms.values()))
            elif now > 3.0:
                sup.abort()

        cell.run(1, on_cycle=operator)
        assert seen and abs(seen[-1] - 0.5) < 1e-9, seen[-5:]
        assert min(seen) >= 0.5 - 1e-9  # slowed down, never paused
