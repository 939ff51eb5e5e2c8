"""The screw holes of the cell: where they are now, what they hold, and the joints screws make.

A hole's pose follows its part. A hole that holds a screw (driven OK or not) makes the next
attempt a re-hit. The first OK screw of a hole fastens the parts it ``joins`` to its part with
a fixed constraint: screwed parts move as one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pybullet as pb

from cellctl.config.model import CellDescription, HoleSpec
from cellctl.config.pose import Pose
from sim.events import EventLog
from sim.screws import ScrewVisuals
from sim.world import World

__all__ = ["HoleState", "Holes"]


@dataclass
class HoleState:
    """What happened at one hole."""

    attempts: int = 0
    screw_body: int | None = None
    tight: bool = False
    last_failure: str | None = None


class Holes:
    """Every hole's state, and the joints between parts."""

    def __init__(self, world: World, cell: CellDescription, visuals: ScrewVisuals, events: EventLog) -> None:
        self.world, self.cell, self.visuals, self.events = world, cell, visuals, events
        self.state = {name: HoleState() for name in cell.holes}
        self.joints: dict[tuple[str, str], int] = {}

    def pose(self, name: str) -> Pose:
        """World pose of a hole's entry (z out of the hole)."""
        hole = self.cell.holes[name]
        return self.world.part_pose(hole.part) * hole.pose

    def nearest(self, point: "Pose") -> tuple[str, Pose] | None:
        """The hole whose entry is closest to ``point``'s position, with its pose."""
        best: tuple[float, str, Pose] | None = None
        for name in self.cell.holes:
            pose = self.pose(name)
            distance = float(((pose.position - point.position) ** 2).sum())
            if best is None or distance < best[0]:
                best = (distance, name, pose)
        return None if best is None else (best[1], best[2])

    def seat(self, name: str, body: int) -> None:
        """A driven screw stays in the hole."""
        self.state[name].screw_body = body
        self.visuals.move(body, self.pose(name))

    def fasten(self, now: float, hole: HoleSpec) -> None:
        """Join the hole's parts to its part (once per pair)."""
        for other in hole.joins:
            key = (hole.part, other)
            if key in self.joints:
                continue
            base, child = self.world.parts[hole.part], self.world.parts[other]
            relative = self.world.part_pose(hole.part).inverse() * self.world.part_pose(other)
            self.joints[key] = pb.createConstraint(
                base, -1, child, -1, pb.JOINT_FIXED, [0.0, 0.0, 0.0],
                parentFramePosition=relative.position.tolist(), childFramePosition=[0.0, 0.0, 0.0],
                parentFrameOrientation=relative.quaternion.tolist(), physicsClientId=self.world.client)
            pb.changeConstraint(self.joints[key], maxForce=1000.0, physicsClientId=self.world.client)
            self.events.add(now, "joined", None, other, f"to {hole.part} by {hole.name}")

    def sync_visuals(self) -> None:
        """Move seated screws with their parts (before rendering)."""
        for name, state in self.state.items():
            if state.screw_body is not None:
                self.visuals.move(state.screw_body, self.pose(name))
