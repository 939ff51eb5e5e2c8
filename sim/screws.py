"""Screws as visual-only bodies: on the feeder, on the vacuum cup, and seated in holes.

Screws never collide and have no mass (screw-sized rigid bodies are unstable in PyBullet); the
screwdriver's process model (:mod:`sim.screw_model`) stands in for their physics. A screw's
frame is the centre of the top of its head, z pointing out of the head.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pybullet as pb

from cellctl.config.model import ScrewSpec, StationSpec
from cellctl.config.pose import Pose
from sim.world import World

__all__ = ["ScrewVisuals", "ScrewFeeder", "FLIP"]

FLIP = Pose(np.zeros(3), np.array([1.0, 0.0, 0.0, 0.0]))
"""A half turn about x: maps a tool frame (z out of the tool) to a screw frame (z out of the head)."""


class ScrewVisuals:
    """Creates and moves screw bodies of one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._shapes: dict[str, int] = {}

    def _shape(self, screw: ScrewSpec) -> int:
        if screw.name not in self._shapes:
            c = self.world.client
            self._shapes[screw.name] = pb.createVisualShapeArray(
                shapeTypes=[pb.GEOM_CYLINDER, pb.GEOM_CYLINDER],
                radii=[screw.head_diameter / 2, screw.diameter / 2],
                lengths=[screw.head_height, screw.length],
                rgbaColors=[[0.2, 0.2, 0.22, 1.0], [0.55, 0.55, 0.6, 1.0]],
                visualFramePositions=[[0, 0, -screw.head_height / 2], [0, 0, -screw.head_height - screw.length / 2]],
                physicsClientId=c,
            )
        return self._shapes[screw.name]

    def create(self, screw: ScrewSpec, pose: Pose) -> int:
        """A new screw body at ``pose``."""
        return pb.createMultiBody(0.0, -1, self._shape(screw), *pose.as_tuple(), physicsClientId=self.world.client)

    def move(self, body: int, pose: Pose) -> None:
        """Move a screw body."""
        pb.resetBasePositionAndOrientation(body, *pose.as_tuple(), physicsClientId=self.world.client)

    def remove(self, body: int) -> None:
        """Delete a screw body (a screw that fell off the cell's model)."""
        pb.removeBody(body, physicsClientId=self.world.client)


class ScrewFeeder:
    """Presents one screw at its ``pick`` slot; a taken screw is replaced after ``feed_time``."""

    def __init__(self, spec: StationSpec, screw: ScrewSpec, visuals: ScrewVisuals) -> None:
        self.spec, self.screw, self.visuals = spec, screw, visuals
        self.pick_pose = spec.pose * spec.slots["pick"] * Pose(np.array([0.0, 0.0, screw.head_height]),
                                                               np.array([0.0, 0.0, 0.0, 1.0]))
        self._body: int | None = visuals.create(screw, self.pick_pose)
        self._next_feed: float | None = None
        self.fed = 1

    def step(self, now: float) -> None:
        """Present the next screw when it is due."""
        if self._next_feed is not None and now >= self._next_feed:
            self._body = self.visuals.create(self.screw, self.pick_pose)
            self._next_feed = None
            self.fed += 1

    @property
    def presenting(self) -> bool:
        """True when a screw waits at the pick slot."""
        return self._body is not None

    def take(self, now: float) -> int:
        """Take the presented screw (the caller checked :attr:`presenting`)."""
        body, self._body = self._body, None
        assert body is not None
        self._next_feed = now + self.spec.feed_time
        return body

    def snapshot(self) -> dict[str, Any]:
        """Whether a screw is presented, when the next one is due, how many were fed."""
        return {"presenting": self.presenting, "next_feed": self._next_feed, "fed": self.fed}

    def restore(self, data: dict[str, Any]) -> None:
        """Present (or not) as the snapshot says."""
        if self._body is not None and not data["presenting"]:
            self.visuals.remove(self._body)
            self._body = None
        elif self._body is None and data["presenting"]:
            self._body = self.visuals.create(self.screw, self.pick_pose)
        self._next_feed = data["next_feed"]
        self.fed = int(data["fed"])
