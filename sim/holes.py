"""The screw holes of the cell: where they are now, what they hold, and the joints screws make.

A hole's pose follows its part. A hole that holds a screw (driven OK or not) makes the next
attempt a re-hit, until the screw is backed out (:meth:`Holes.remove`). The first OK screw of a
hole fastens the parts it ``joins`` to its part with a fixed constraint: screwed parts move as
one. Removing an OK screw releases a joint that no other OK screw still makes. Attempts count
per unit (for failure injection): a back-out keeps them, :meth:`Holes.reset` (next kit) clears them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


from cellctl.config.model import CellDescription, HoleSpec
from cellctl.config.pose import Pose
from sim.events import EventLog
from sim.screws import ScrewVisuals
from sim.state_file import pose_from_list, pose_to_list
from sim.world import World

__all__ = ["HoleState", "Holes"]

JOINT_FORCE = 1000.0
"""Newtons a screwed joint may apply."""


@dataclass
class HoleState:
    """What happened at one hole (in the current unit)."""

    attempts: int = 0
    screw_body: int | None = None
    tight: bool = False
    last_failure: str | None = None
    torque: float = 0.0
    """Final torque the screw in the hole was left at, N·m (its breakaway on a back-out)."""
    angle: float = 0.0
    """Angle the screw in the hole was driven, degrees (undone by a back-out)."""


class Holes:
    """Every hole's state, and the joints between parts."""

    def __init__(self, world: World, cell: CellDescription, visuals: ScrewVisuals, events: EventLog) -> None:
        self.world, self.cell, self.visuals, self.events = world, cell, visuals, events
        self.state = {name: HoleState() for name in cell.holes}
        self.kit = 0
        """Kits presented so far (the unit number the screws' random draws and drifts use)."""
        self.joints: dict[tuple[str, str], int] = {}
        self._joint_poses: dict[tuple[str, str], Pose] = {}

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
            if key not in self.joints:
                relative = self.world.part_pose(hole.part).inverse() * self.world.part_pose(other)
                self._join(key, relative)
                self.events.add(now, "joined", None, other, f"to {hole.part} by {hole.name}")

    def _join(self, key: tuple[str, str], relative: Pose) -> None:
        self.joints[key] = self.world.fix(self.world.parts[key[0]], self.world.parts[key[1]], relative, JOINT_FORCE)
        self._joint_poses[key] = relative

    def _unjoin(self, key: tuple[str, str]) -> None:
        self.world.unfix(self.joints.pop(key))
        del self._joint_poses[key]

    def remove(self, now: float, name: str) -> None:
        """A backed-out screw leaves the hole: the next drive there is a first drive again.

        The attempt counter is kept (a forced failure of the first attempt does not recur). A
        joint this screw made is released unless another OK screw joins the same parts.
        """
        state = self.state[name]
        if state.screw_body is not None:
            self.visuals.remove(state.screw_body)
        was_tight = state.tight
        self.state[name] = HoleState(attempts=state.attempts)
        if was_tight:
            self._release_joints(now, self.cell.holes[name])

    def _release_joints(self, now: float, hole: HoleSpec) -> None:
        for other in hole.joins:
            key = (hole.part, other)
            still_held = any(self.state[h.name].tight for h in self.cell.holes.values()
                             if h.part == hole.part and other in h.joins)
            if key in self.joints and not still_held:
                self._unjoin(key)
                self.events.add(now, "unjoined", None, other, f"from {hole.part}: {hole.name} backed out")

    def reset(self) -> None:
        """A fresh unit: no joints, no seated screws, every counter at zero."""
        for key in list(self.joints):
            self._unjoin(key)
        for state in self.state.values():
            if state.screw_body is not None:
                self.visuals.remove(state.screw_body)
        self.state = {name: HoleState() for name in self.cell.holes}

    def sync_visuals(self) -> None:
        """Move seated screws with their parts (before rendering)."""
        for name, state in self.state.items():
            if state.screw_body is not None:
                self.visuals.move(state.screw_body, self.pose(name))

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        """Hole states and joints as plain numbers (see :mod:`sim.persistence`)."""
        holes = {}
        for name, state in self.state.items():
            record = asdict(state)
            record["screw"] = record.pop("screw_body") is not None
            holes[name] = record
        joints = [{"parts": list(key), "pose": pose_to_list(pose)}
                  for key, pose in self._joint_poses.items()]
        return {"holes": holes, "joints": joints, "kit": self.kit}

    def restore(self, data: dict[str, Any]) -> None:
        """Recreate hole states, seated screws and joints from :meth:`snapshot` (parts already placed)."""
        self.reset()
        self.kit = int(data.get("kit", 0))
        for name, record in data["holes"].items():
            record = dict(record)
            screwed = record.pop("screw")
            self.state[name] = HoleState(**record)
            if screwed:
                hole = self.cell.holes[name]
                self.seat(name, self.visuals.create(self.cell.screws[hole.screw], self.pose(name)))
        for joint in data["joints"]:
            self._join((joint["parts"][0], joint["parts"][1]), pose_from_list(joint["pose"]))
