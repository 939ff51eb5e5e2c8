"""Honest grasping: a part follows a tool only while a fixed constraint holds it.

The constraint is created only after the tool's own test passed (both fingers touching the
part, or the vacuum cup on its surface) and removed on release. While held, the part does not
collide with the arm that holds it (the constraint, not contact forces, carries it). The
constraint force is watched: when holding the part needs more than the grip can give
(friction × grip force, or the suction force) for ``SLIP_STEPS`` steps in a row, the part is
lost — the caller reports a drop.
"""

from __future__ import annotations

import math
from typing import Any

import pybullet as pb

from cellctl.config.pose import Pose
from sim.state_file import pose_from_list, pose_to_list
from sim.world import World

__all__ = ["Attachment"]

SLIP_STEPS = 10


class Attachment:
    """A part held by an arm link (see module docstring).

    Args:
        world: the world.
        arm_body: the holding arm's body id.
        link: the holding link (the TCP link).
        part: the part's name.
        capacity: the largest force the grip can transmit, newtons.
        relative: the part's pose in the link frame (default: where it is now).
    """

    def __init__(self, world: World, arm_body: int, link: int, part: str, capacity: float,
                 relative: Pose | None = None) -> None:
        self.world = world
        self.arm_body = arm_body
        self.link = link
        self.part = part
        self.capacity = capacity
        self._over = 0
        c = world.client
        body = world.parts[part]
        if world.clamps is not None:
            world.clamps.take(part)
        if relative is None:
            relative = world.link_pose(arm_body, link).inverse() * world.part_pose(part)
        self.relative = relative
        self._links = range(-1, pb.getNumJoints(arm_body, physicsClientId=c))
        for arm_link in self._links:
            pb.setCollisionFilterPair(arm_body, body, arm_link, -1, 0, physicsClientId=c)
        self.constraint = pb.createConstraint(
            arm_body, link, body, -1, pb.JOINT_FIXED, [0.0, 0.0, 0.0],
            parentFramePosition=relative.position.tolist(), childFramePosition=[0.0, 0.0, 0.0],
            parentFrameOrientation=relative.quaternion.tolist(), physicsClientId=c,
        )
        pb.changeConstraint(self.constraint, maxForce=max(50.0 * capacity, 100.0), physicsClientId=c)

    def force(self) -> float:
        """Magnitude of the force the constraint applied in the last step, newtons."""
        x, y, z = pb.getConstraintState(self.constraint, physicsClientId=self.world.client)[:3]
        return math.sqrt(x * x + y * y + z * z)

    def slipping(self) -> bool:
        """True once the needed force exceeded the capacity for ``SLIP_STEPS`` steps in a row."""
        self._over = self._over + 1 if self.force() > self.capacity else 0
        return self._over >= SLIP_STEPS

    def release(self) -> None:
        """Remove the constraint and let the part collide with the arm again."""
        c = self.world.client
        pb.removeConstraint(self.constraint, physicsClientId=c)
        body = self.world.parts[self.part]
        for arm_link in self._links:
            pb.setCollisionFilterPair(self.arm_body, body, arm_link, -1, 1, physicsClientId=c)
        if self.world.clamps is not None:
            self.world.clamps.let_go(self.part)

    def snapshot(self) -> dict[str, Any]:
        """What recreates this grasp (see :meth:`restore`)."""
        return {"part": self.part, "capacity": self.capacity, "relative": pose_to_list(self.relative)}

    @classmethod
    def restore(cls, world: World, arm_body: int, link: int, data: dict[str, Any]) -> "Attachment":
        """Hold a part again at the relative pose a :meth:`snapshot` recorded."""
        return cls(world, arm_body, link, str(data["part"]), float(data["capacity"]),
                   pose_from_list(data["relative"]))
