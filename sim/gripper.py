"""A parallel gripper on an arm URDF's two prismatic finger joints.

CLOSE drives both fingers inward at the commanded speed with the commanded force until they
stall or close; then the grasp test runs: the part must touch *both* fingers. Only then is it
attached (see :mod:`sim.grasp`). One-sided contact is a ``missed_grasp``, no contact ``no_part``.
OPEN releases any held part and opens to the commanded width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pybullet as pb

from cellctl.config.model import ToolSpec
from cellctl.hw.tools import GRIP_SETTLE, GripperAction, GripperCommand, ToolResult
from sim.events import EventLog
from sim.grasp import Attachment
from sim.tool_base import SimTool, nok
from sim.world import ArmBody, World

__all__ = ["ParallelGripper"]

STALL_SPEED = 2e-3
"""Finger speed (m/s) below which the fingers count as stalled."""
STALL_TIME = GRIP_SETTLE
"""Seconds the fingers must be stalled before the grasp is judged."""
FINGER_GAIN = 0.1
"""Per-step position gain of the finger motors at the 1 ms reference step (PyBullet's default there)."""
WIDTH_TOLERANCE = 0.005
"""Metres the closed width may differ from the command's expected part width."""
START_TIME = 0.05
"""Seconds the fingers get to start moving before a stall counts."""


class ParallelGripper(SimTool):
    """See module docstring."""

    def __init__(self, world: World, arm_name: str, arm: ArmBody, spec: ToolSpec, events: EventLog,
                 on_release: Callable[[str], None] | None = None) -> None:
        super().__init__(spec.name)
        self.on_release = on_release
        """Called with a part's name after the gripper let it go (injected placement faults)."""
        self.world, self.arm_name, self.arm, self.spec, self.events = world, arm_name, arm, spec, events
        self.fingers = tuple(arm.joints[name] for name in spec.finger_joints)
        self.tcp = arm.links[spec.tcp_link]
        self.attachment: Attachment | None = None
        self.riders: list[Attachment] = []  # further parts pinched together with the held one
        self._command = GripperCommand(GripperAction.OPEN, spec.max_width)
        self._stalled = 0.0
        self._timeout = 1.0
        self._drive_target = (spec.max_width, 20.0, 0.1)
        self._finger_gain = world.gain(FINGER_GAIN)
        for joint in self.fingers:
            pb.resetJointState(arm.body, joint, spec.max_width / 2, physicsClientId=world.client)
        self._couple_fingers()
        self._drive(spec.max_width, 20.0, 0.1)

    def _couple_fingers(self) -> None:
        """Gear the fingers to each other, as a real parallel gripper's mechanism does: they move
        symmetrically, so closing centres the part between them instead of letting the stronger
        finger push it (and whatever it rests on) sideways."""
        c = self.world.client
        gear = pb.createConstraint(self.arm.body, self.fingers[0], self.arm.body, self.fingers[1], pb.JOINT_GEAR,
                                   [1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], physicsClientId=c)
        pb.changeConstraint(gear, gearRatio=-1.0, erp=self.world.gain(0.1), maxForce=200.0, physicsClientId=c)

    def width(self) -> float:
        """Current opening, metres (sum of both finger joints)."""
        states = pb.getJointStates(self.arm.body, self.fingers, physicsClientId=self.world.client)
        return float(sum(s[0] for s in states))

    def _finger_speed(self) -> float:
        states = pb.getJointStates(self.arm.body, self.fingers, physicsClientId=self.world.client)
        return max(abs(s[1]) for s in states)

    def _drive(self, width: float, force: float, speed: float) -> None:
        self._drive_target = (width, force, speed)
        for joint in self.fingers:
            pb.setJointMotorControl2(self.arm.body, joint, pb.POSITION_CONTROL, targetPosition=width / 2,
                                     positionGain=self._finger_gain, force=force, maxVelocity=speed / 2,
                                     physicsClientId=self.world.client)

    def begin(self, command: object, now: float) -> None:
        assert isinstance(command, GripperCommand)
        self._command = command
        self._stalled = 0.0
        if command.action == GripperAction.OPEN:
            self.release(now)
            goal = min(command.width, self.spec.max_width)
        else:
            if self.attachment is not None:
                self.finish(nok(self.command_id, "already_holding", f"{self.name} already holds "
                                f"{self.attachment.part}; open it first", width=self.width()))
                return
            goal = 0.0
        self._timeout = abs(self.width() - goal) / command.speed + 0.5
        self._drive(goal, command.force, command.speed)

    def advance(self, now: float, elapsed: float) -> None:
        width = self.width()
        if self._command.action == GripperAction.OPEN:
            if abs(width - min(self._command.width, self.spec.max_width)) < 5e-4 or elapsed > self._timeout:
                self.finish(ToolResult(self.command_id, ok=True, status="OK", width=width, message="opened"))
            return
        moving = elapsed < START_TIME or self._finger_speed() >= STALL_SPEED
        self._stalled = 0.0 if moving else self._stalled + self.world.dt
        if self._stalled >= STALL_TIME or width < 5e-4 or elapsed > self._timeout:
            self.finish(self._judge_grasp(now, width))

    def _touching(self, finger: int) -> set[str]:
        contacts = pb.getContactPoints(bodyA=self.arm.body, linkIndexA=finger, physicsClientId=self.world.client)
        return {name for c in contacts if (name := self.world.part_named(c[2])) is not None}

    def _judge_grasp(self, now: float, width: float) -> ToolResult:
        left, right = (self._touching(f) for f in self.fingers)
        both = sorted(left & right)
        if both and abs(width - self._command.width) > WIDTH_TOLERANCE:
            return nok(self.command_id, "missed_grasp", f"missed grasp: the fingers closed on {both[0]} at "
                       f"{width * 1000:.1f} mm, expected {self._command.width * 1000:.1f} ± "
                       f"{WIDTH_TOLERANCE * 1000:.0f} mm; the part is not held by its sides", width=width)
        if both:
            # Every part pinched between both fingers is held (e.g. a stack of equally wide parts);
            # the lowest one counts as the held part, the others ride along.
            part, *riders = sorted(both, key=lambda name: self.world.part_pose(name).position[2])
            capacity = 2.0 * self.spec.friction * self._command.force
            self.attachment = Attachment(self.world, self.arm.body, self.tcp, part, capacity)
            self.riders = [Attachment(self.world, self.arm.body, self.tcp, r, capacity) for r in riders]
            self._drive(width, self._command.force, self._command.speed)  # hold the fingers where they stopped
            also = f" with {', '.join(riders)}" if riders else ""
            self.events.add(now, "grasped", self.arm_name, part, f"width {width * 1000:.1f} mm{also}")
            return ToolResult(self.command_id, ok=True, status="OK", width=width, message=f"holding {part}{also}")
        if left or right:
            touched = sorted(left | right)[0]
            return nok(self.command_id, "missed_grasp", f"missed grasp: {touched} touches only one finger "
                       f"(width {width * 1000:.1f} mm); re-teach the grasp pose or check the part's position",
                       width=width)
        return nok(self.command_id, "no_part", f"no part between the fingers (closed to {width * 1000:.1f} mm); "
                   "check that the part is present and the grasp pose", width=width)

    def release(self, now: float, kind: str = "released", reason: str = "") -> str | None:
        """Let go of the held part (if any); returns its name."""
        if self.attachment is None:
            return None
        part = self.attachment.part
        for held in (self.attachment, *self.riders):
            held.release()
        self.attachment, self.riders = None, []
        if kind == "dropped":  # the grip is gone: the fingers no longer hold the part
            self._drive(self.spec.max_width, self._command.force, self._command.speed)
        self.events.add(now, kind, self.arm_name, part, reason)
        if kind == "released" and self.on_release is not None:
            self.on_release(part)
        return part

    def on_abort(self) -> None:
        self._drive(self.width(), self._command.force, self._command.speed)

    def snapshot(self) -> dict[str, Any]:
        """Finger positions, the finger drive's target, the last command and the held part."""
        states = pb.getJointStates(self.arm.body, self.fingers, physicsClientId=self.world.client)
        c = self._command
        return {"fingers": [float(st[0]) for st in states], "drive": list(self._drive_target),
                "command": [int(c.action), c.width, c.force, c.speed],
                "held": self.attachment.snapshot() if self.attachment is not None else None,
                "riders": [r.snapshot() for r in self.riders]}

    def restore(self, data: dict[str, Any]) -> None:
        """Fingers where they were (at rest), driven as they were, holding what they held."""
        for joint, q in zip(self.fingers, data["fingers"]):
            pb.resetJointState(self.arm.body, joint, float(q), 0.0, physicsClientId=self.world.client)
        action, width, force, speed = data["command"]
        self._command = GripperCommand(GripperAction(action), width, force, speed)
        self._drive(*(float(v) for v in data["drive"]))
        if data["held"] is not None:
            self.attachment = Attachment.restore(self.world, self.arm.body, self.tcp, data["held"])
        self.riders = [Attachment.restore(self.world, self.arm.body, self.tcp, r) for r in data.get("riders", [])]
