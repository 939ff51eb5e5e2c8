"""Bodies a fixed joint holds together (a screwed pair, a clamped part) do not also collide while
joined (issue 16: their contact points only cost solver time), and collide again once released."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest

from cellctl.config import load_cell
from cellctl.config.pose import Pose
from sim.world import World

pytestmark = pytest.mark.sim


def _contacts(world: World, a: int, b: int) -> int:
    return len(pb.getContactPoints(a, b, physicsClientId=world.client))


def _settle(world: World, steps: int = 200) -> None:
    for _ in range(steps):
        world.step()


@pytest.mark.parametrize("keep", [False, True])
def test_a_joined_pair_collides_only_when_the_model_keeps_contacts_within_joints(keep: bool) -> None:
    World.contacts_within_joints = keep
    world = World(load_cell(None), physics_hz=1000.0)
    try:
        frame, board = world.parts["mid_frame"], world.parts["main_board"]
        on_top = world.part_pose("mid_frame") * Pose(np.array([0.0, 0.0, 0.004]), np.array([0.0, 0.0, 0.0, 1.0]))
        pb.resetBasePositionAndOrientation(board, on_top.position.tolist(), on_top.quaternion.tolist(),
                                           physicsClientId=world.client)
        _settle(world)
        assert _contacts(world, frame, board) > 0  # the board rests on the frame
        relative = world.part_pose("mid_frame").inverse() * world.part_pose("main_board")
        joint = world.fix(frame, board, relative, 1000.0)
        _settle(world)
        assert (_contacts(world, frame, board) > 0) is keep
        held = world.part_pose("main_board").position
        world.unfix(joint)
        _settle(world)
        assert _contacts(world, frame, board) > 0  # released: they touch again
        assert np.linalg.norm(world.part_pose("main_board").position - held) < 1e-3  # and it stayed on the frame
    finally:
        World.contacts_within_joints = False
        world.close()
