"""The nest clamps what is let go in its pocket, so a part stack cannot creep while it is screwed.

Without the clamp, a stack of boxes resting in the nest crept in PyBullet (2 mrad/s of yaw after a
crash restore), which put the last hole 1.3 mm off its taught pose and made a resumed unit NOK.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pybullet as pb
import pytest
from _cell import running
from _unit import UnitReport

from cellctl.config.pose import Pose
from sim import SimSystem

pytestmark = pytest.mark.sim


def _yaw(sim: SimSystem, part: str) -> float:
    q = sim.part_pose(part).quaternion
    return math.atan2(2 * (q[3] * q[2] + q[0] * q[1]), 1 - 2 * (q[1] ** 2 + q[2] ** 2))


TWIST = 0.05
"""N·m about z: several times what friction holds a loose frame with, far below what the clamp holds."""


def _held_still(sim: SimSystem, part: str) -> tuple[float, float]:
    """Twist the part about z for 0.2 s, then let it be for 0.3 s; returns (yaw change in rad, largest move in m)."""
    yaw, where = _yaw(sim, part), sim.part_pose(part).position.copy()
    body, client = sim.world.parts[part], sim.world.client
    for _ in range(200):
        pb.applyExternalTorque(body, -1, [0.0, 0.0, TWIST], pb.WORLD_FRAME, physicsClientId=client)
        sim.step()
    sim.run_for(0.3)
    return abs(_yaw(sim, part) - yaw), float(np.abs(sim.part_pose(part).position - where).max())


def test_a_frame_let_go_in_the_nest_is_clamped_and_cannot_creep() -> None:
    with running() as (sim, operator):
        assert sim.world.clamps is not None
        operator.frame_in_nest()
        assert sim.world.clamps.clamped() == {"mid_frame"}
        turned, moved = _held_still(sim, "mid_frame")
        assert turned < 1e-4 and moved < 2e-5, (turned, moved)


def test_parts_elsewhere_are_not_clamped_and_a_kick_turns_them() -> None:
    with running() as (sim, _operator):
        assert sim.world.clamps is not None and not sim.world.clamps.clamped()
        turned, _moved = _held_still(sim, "mid_frame")  # on its tray: free, as a part on a tray is
        assert turned > 1e-3, "the twist did not turn a free part: the clamp tests here prove nothing"


def test_the_clamp_opens_when_the_stack_is_taken_out_and_the_unit_ends_on_its_tray() -> None:
    with running() as (sim, operator):
        report = UnitReport()
        operator.load_stack(report)
        assert sim.world.clamps is not None and sim.world.clamps.clamped() == {"mid_frame"}
        operator.screw_holes(report, ["h1", "h2", "h3", "h4"])
        operator.clip_cover(report)
        operator.unload(report)
        assert report.ok and not sim.world.clamps.clamped()


def test_a_restored_world_clamps_the_frame_in_the_nest_again(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, operator):
        operator.frame_in_nest()  # the gripper's release completes a command: the world is saved
    with running(state_file=state_file) as (sim, _operator):
        assert sim.world.clamps is not None and sim.world.clamps.clamped() == {"mid_frame"}
        turned, moved = _held_still(sim, "mid_frame")
        assert turned < 1e-4 and moved < 2e-5, (turned, moved)



def test_a_restored_world_clamps_only_what_was_clamped(tmp_path: Path) -> None:
    """A part lying in the pocket that no clamp held (put there, not let go there) stays unclamped
    across a restore: the restore clamps what the saved world had clamped, it does not guess."""
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, _operator):
        nest = sim.cell.stations["nest"]
        height = sim.cell.parts["mid_frame"].height
        sim.world.place_part("mid_frame", nest.pose * Pose(np.array([0.0, 0.0, height / 2]), np.array([0.0, 0.0, 0.0, 1.0])))
        sim.run_for(0.1)
        assert sim.world.clamps is not None and not sim.world.clamps.clamped()
        sim._persistence.save()  # noqa: SLF001 - the test saves the world it just arranged
    with running(state_file=state_file) as (sim, _operator):
        assert sim.world.clamps is not None and not sim.world.clamps.clamped()
        assert np.abs(sim.part_pose("mid_frame").position[:2] - sim.cell.stations["nest"].pose.position[:2]).max() < 1e-3
