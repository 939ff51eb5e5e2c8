"""A vacuum cup at a tool centre point: picks screws from a feeder, or parts by their surface.

Vacuum on (GripperCommand CLOSE) waits ``BUILD_TIME`` for the vacuum to build, then tests:
a presented screw whose head lies within ``tolerance`` of the cup (and is coaxial within
``MAX_TILT``) is picked; else a part whose surface lies within ``tolerance`` along the cup's
axis is attached (see :mod:`sim.grasp`). Nothing there: NOK ``no_part``. Vacuum off releases.
A held screw follows the cup kinematically (screws are visual only, see :mod:`sim.screws`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pybullet as pb

from cellctl.config.model import ScrewSpec, ToolSpec
from cellctl.config.pose import Pose
from cellctl.hw.errors import HardwareError
from cellctl.hw.tools import VACUUM_BUILD, GripperAction, GripperCommand, ToolResult
from sim.events import EventLog
from sim.grasp import Attachment
from sim.screws import FLIP, ScrewFeeder, ScrewVisuals
from sim.tool_base import SimTool, nok
from sim.world import ArmBody, World

__all__ = ["VacuumCup", "HeldScrew"]

BUILD_TIME = VACUUM_BUILD
"""Seconds for the vacuum to build (or to vent on release)."""
MAX_TILT = math.radians(5.0)


class HeldScrew:
    """A screw on the cup: its type and visual body."""

    def __init__(self, spec: ScrewSpec, body: int) -> None:
        self.spec = spec
        self.body = body


class VacuumCup(SimTool):
    """See module docstring."""

    def __init__(self, world: World, arm_name: str, arm: ArmBody, spec: ToolSpec, events: EventLog,
                 feeders: list[ScrewFeeder], visuals: ScrewVisuals) -> None:
        super().__init__(spec.name)
        self.world, self.arm_name, self.arm, self.spec, self.events = world, arm_name, arm, spec, events
        self.feeders, self.visuals = feeders, visuals
        self.tcp = arm.links[spec.tcp_link]
        self.attachment: Attachment | None = None
        self.screw: HeldScrew | None = None
        self._action = GripperAction.OPEN

    def tcp_pose(self) -> Pose:
        """World pose of the cup."""
        return self.world.link_pose(self.arm.body, self.tcp)

    def begin(self, command: object, now: float) -> None:
        assert isinstance(command, GripperCommand)
        self._action = command.action
        if command.action == GripperAction.OPEN:
            self.release(now)

    def advance(self, now: float, elapsed: float) -> None:
        if elapsed < BUILD_TIME:
            return
        if self._action == GripperAction.OPEN:
            self.finish(ToolResult(self.command_id, ok=True, status="OK", message="vacuum off"))
            return
        self.finish(self._pick(now))

    def _pick(self, now: float) -> ToolResult:
        if self.screw is not None or self.attachment is not None:
            return ToolResult(self.command_id, ok=True, status="OK", message="already holding")
        cup = self.tcp_pose()
        for feeder in self.feeders:
            if feeder.presenting and self._at_screw(cup, feeder.pick_pose):
                self.screw = HeldScrew(feeder.screw, feeder.take(now))
                self.events.add(now, "screw_picked", self.arm_name, feeder.spec.name, feeder.screw.name)
                return ToolResult(self.command_id, ok=True, status="OK", message=f"holding a {feeder.screw.name} screw")
        part = self._part_under(cup)
        if part is not None:
            self.attachment = Attachment(self.world, self.arm.body, self.tcp, part, self.spec.suction_force)
            self.events.add(now, "grasped", self.arm_name, part, "vacuum")
            return ToolResult(self.command_id, ok=True, status="OK", message=f"holding {part}")
        return nok(self.command_id, "no_part", "no vacuum: nothing under the cup within "
                   f"{self.spec.tolerance * 1000:.1f} mm; check the pick pose and that the feeder presents a screw")

    def _at_screw(self, cup: Pose, screw: Pose) -> bool:
        offset = np.linalg.norm(cup.position - screw.position)
        axis_dot = float(-(cup.rotation[:, 2] @ screw.rotation[:, 2]))
        return offset <= self.spec.tolerance and axis_dot >= math.cos(MAX_TILT)

    def _part_under(self, cup: Pose) -> str | None:
        axis = cup.rotation[:, 2]
        start = cup.position - axis * self.spec.tolerance
        end = cup.position + axis * self.spec.tolerance
        hit = pb.rayTest(start.tolist(), end.tolist(), physicsClientId=self.world.client)[0]
        return self.world.part_named(hit[0]) if hit[0] >= 0 else None

    def follow(self) -> None:
        """Move a held screw with the cup (every step in the GUI; before an image otherwise)."""
        if self.screw is not None:
            self.visuals.move(self.screw.body, self.tcp_pose() * FLIP)

    def take_screw(self) -> HeldScrew | None:
        """Hand the held screw to the screwdriver (it stays on the bit while driven)."""
        screw, self.screw = self.screw, None
        return screw

    def lose_screw(self, now: float, reason: str) -> None:
        """The screw falls off the cup (it leaves the model)."""
        if self.screw is not None:
            self.visuals.remove(self.screw.body)
            self.events.add(now, "screw_lost", self.arm_name, self.screw.spec.name, reason)
            self.screw = None

    def release(self, now: float, kind: str = "released", reason: str = "") -> str | None:
        """Vent: drop a held screw, release a held part; returns the part's name, if any."""
        self.lose_screw(now, "vacuum off")
        if self.attachment is None:
            return None
        part = self.attachment.part
        self.attachment.release()
        self.attachment = None
        self.events.add(now, kind, self.arm_name, part, reason)
        return part

    def snapshot(self) -> dict[str, Any]:
        """Vacuum on or off, the held screw's type and the held part."""
        return {"action": int(self._action), "screw": self.screw.spec.name if self.screw is not None else None,
                "held": self.attachment.snapshot() if self.attachment is not None else None}

    def restore(self, data: dict[str, Any]) -> None:
        """Hold again what the cup held (a screw gets a new visual body on the cup)."""
        self._action = GripperAction(data["action"])
        if data["screw"] is not None:
            spec = next((f.screw for f in self.feeders if f.screw.name == data["screw"]), None)
            if spec is None:
                raise HardwareError(f"{self.arm_name}.{self.name}: the state file says it holds a {data['screw']} "
                                    "screw, but no feeder of this cell presents that type")
            self.screw = HeldScrew(spec, self.visuals.create(spec, self.tcp_pose() * FLIP))
        if data["held"] is not None:
            self.attachment = Attachment.restore(self.world, self.arm.body, self.tcp, data["held"])
