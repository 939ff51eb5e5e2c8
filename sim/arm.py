"""One simulated arm behind the :class:`~cellctl.hw.ArmInterface` contract.

Per physics step the system calls :meth:`SimArm.command` (before the step: the commanded joint
state at the step's end time goes to the joint motors, or straight into the joints in kinematic
mode) and :meth:`SimArm.update` (after it: measure, track, run the tools, watch the grasp).

Dynamic mode drives PyBullet's position motors with velocity feed-forward and the URDF's effort
limits; tracking error is measured. Kinematic mode sets the joints exactly (zero error). A
controlled stop slows down along the queued path (:mod:`sim.setpoints`); an e-stop brakes at
once (category 0: every joint's motor opposes its motion at full effort until the joint stops,
never driving it back), then holds the joints where they stopped; it latches EMERGENCY_STOP and
aborts the running tool commands; motion is refused until :meth:`reset`. A following error
brakes the same way.

Tool commands are de-duplicated by id, as the contract says: re-sending the id of a running
command returns its handle, the id of a completed one a handle with the stored result (the
last ``RESULT_HISTORY`` per arm, kept across a crash when the system has a state file). A
command that was refused (no such tool, inactive, e-stopped, tool busy) never ran and is not
remembered: re-sending its id tries again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
import pybullet as pb

from cellctl.config.model import ArmSpec
from cellctl.hw import (
    ArmInterface, ArmMode, ArmState, BackOutCommand, Fault, GripperCommand, HardwareError, MotionRefused,
    ScrewProgram, StopKind, ToolCommand, ToolHandle, ToolResult, validate_setpoints,
)
from cellctl.hw.player import PlayerLimits, TrajectoryPlayer
from cellctl.motion import JointLimits
from sim import faults
from sim.gripper import ParallelGripper
from sim.screwdriver import Screwdriver
from sim.tool_base import SimTool, nok
from sim.tracking import TrackingMeter, TrackingStats
from sim.vacuum import VacuumCup
from sim.world import ArmBody, World

if TYPE_CHECKING:
    from sim.system import SimSystem

__all__ = ["SimArm"]

POSITION_GAIN = 0.3
"""PyBullet's per-step position gain at the 1 ms reference step (scaled to the world's step: :meth:`World.gain`)."""
VELOCITY_GAIN = 1.0
FOLLOWING_ERROR_LIMIT = 0.2
"""rad: a larger tracking error latches FOLLOWING_ERROR (a collision or an overload)."""
VELOCITY_MARGIN = 1.5
"""Setpoints may imply up to this multiple of the velocity limit (sampling slack) before refusal."""
QUEUE_CAPACITY = 20_000
"""Setpoints an arm may hold queued (20 s at 1 kHz)."""
BRAKED_SPEED = 1e-3
"""rad/s: a braking arm whose every joint is slower than this has stopped; it is held there."""
RESULT_HISTORY = 256
"""Completed tool results remembered per arm for de-duplication by command id."""


class SimArm(ArmInterface):
    """See module docstring."""

    def __init__(self, system: "SimSystem", world: World, spec: ArmSpec, body: ArmBody,
                 tools: dict[str, SimTool], kinematic: bool) -> None:
        self._system, self._world, self.spec, self.body = system, world, spec, body
        self.tools = tools
        self.kinematic = kinematic
        self.limits = JointLimits(spec.limits.velocity, spec.limits.acceleration, spec.limits.jerk, spec.joints)
        infos = [pb.getJointInfo(body.body, j, physicsClientId=world.client) for j in body.joint_index]
        self._efforts = [float(info[10]) for info in infos]
        self._position_gains = [world.gain(POSITION_GAIN)] * spec.dof
        self._player = TrajectoryPlayer(spec.home, PlayerLimits(
            np.asarray(spec.limits.velocity, float), np.asarray(spec.limits.acceleration, float),
            np.asarray(spec.limits.jerk, float), capacity=QUEUE_CAPACITY, velocity_margin=VELOCITY_MARGIN),
            system.now())
        self._commanded = spec.home.copy()
        self._commanded_velocity = np.zeros(spec.dof)
        self._measured = spec.home.copy()
        self._measured_velocity = np.zeros(spec.dof)
        self._measured_effort = np.zeros(spec.dof)
        self._stale = False  # the joints moved since they were last read (reading waits for someone to look)
        self._joint_states: list[tuple[float, ...]] | None = None  # read, velocities and efforts not yet unpacked
        self._faults: list[Fault] = []
        self._applied: tuple[np.ndarray, np.ndarray] | None = None  # motor targets PyBullet holds now
        self._holding = False  # idle, and PyBullet holds the idle commanded state as motor targets
        self._estopped = False
        self._braking = False  # halted: the motors brake (target velocity 0, full effort) until the joints stop
        self._drop_pending: str | None = None
        self._tracking = TrackingMeter(spec.dof)
        self._running: dict[int, ToolHandle] = {}
        self._results: OrderedDict[int, ToolResult] = OrderedDict()
        self._result_kinds: dict[int, str] = {}  # command id -> command type (checked on re-use)
        for tool in tools.values():
            tool.on_finish = self._completed
        if not kinematic:
            for j in body.joint_index:
                pb.setJointMotorControl2(body.body, j, pb.VELOCITY_CONTROL, force=0.0, physicsClientId=world.client)
        self._apply(self._commanded, self._commanded_velocity)

    # ------------------------------------------------------------------ contract
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def dof(self) -> int:
        return self.spec.dof

    @property
    def mode(self) -> ArmMode:
        """What the arm is doing now."""
        if self._estopped:
            return ArmMode.ESTOPPED
        if self._player.stopping:
            return ArmMode.STOPPING
        if self._faults:
            return ArmMode.FAULTED
        if self._braking:
            return ArmMode.STOPPING
        return ArmMode.FOLLOWING if self._player.queue_depth else ArmMode.IDLE

    def read(self) -> ArmState:
        self._measure()
        return ArmState(time=self._system.now(), positions=self._measured.copy(),
                        velocities=self._measured_velocity.copy(), mode=self.mode, faults=tuple(self._faults),
                        queue_depth=self._player.queue_depth, efforts=self._measured_effort.copy(),
                        path_time=self._player.tau, override=self._player.override_now())

    def commanded(self) -> tuple[np.ndarray, np.ndarray]:
        return self._commanded.copy(), self._commanded_velocity.copy()

    @property
    def queue_capacity(self) -> int:
        return QUEUE_CAPACITY

    def submit(self, times: np.ndarray, positions: np.ndarray, *, final: bool = True,
               new_motion: bool = False) -> None:
        self._check_motion_allowed()
        t, q = validate_setpoints(times, positions, self.dof)
        refused = self._player.check(t, q, new_motion)
        if refused is not None:
            raise MotionRefused(f"{self.name}: setpoints refused ({refused[0].value}): {refused[1]}")
        self._player.append(t, q, final, new_motion)

    def set_override(self, target: float) -> None:
        self._player.set_override(self._system.now(), target)

    def _check_motion_allowed(self) -> None:
        if not self._system.is_active:
            raise MotionRefused(f"{self.name}: the system is {self._system.lifecycle_state.name.lower()}; call activate()")
        if self._estopped or self._faults:
            names = ", ".join(f"{f.code} {f.name}" for f in self._faults)
            raise MotionRefused(f"{self.name}: motion refused, faults latched ({names}); remove the cause, "
                                "then call reset()")
        if self._player.stopping or self._braking:
            raise MotionRefused(f"{self.name}: the arm is still stopping; wait until it is idle")

    def stop(self, kind: StopKind = StopKind.CONTROLLED) -> None:
        now = self._system.now()
        if StopKind(kind) is StopKind.EMERGENCY:
            self._estop(now)
        else:
            self._player.stop(now)

    def _estop(self, now: float) -> None:
        self._estopped = True
        if faults.EMERGENCY_STOP not in self._faults:
            self._faults.append(faults.EMERGENCY_STOP)
        self._halt()
        for tool in self.tools.values():
            tool.abort("emergency stop")
        self._system.events.add(now, "estop", self.name, self.name)

    def _halt(self) -> None:
        """Stop now: a kinematic arm where it is commanded; a dynamic arm brakes at full effort
        (a position hold at the e-stop's position would overshoot and swing back) and is held
        where it stopped (:meth:`_hold_when_stopped`)."""
        self._holding = False
        self._measure()
        hold = self._commanded if self.kinematic else self._measured
        was_moving = self.moving
        self._command_rest_at(hold)
        if self.kinematic:
            if was_moving:
                self._system.arm_at_rest()
            return
        self._braking = True
        self._applied = None
        pb.setJointMotorControlArray(self.body.body, self.body.joint_index, pb.VELOCITY_CONTROL,
                                     targetVelocities=[0.0] * self.dof, forces=self._efforts,
                                     physicsClientId=self._world.client)

    def _hold_when_stopped(self) -> None:
        """A braking arm whose joints have stopped is held there by its position motors."""
        self._measure()
        if np.abs(self._measured_velocity).max() >= BRAKED_SPEED:
            return
        self._braking = False
        self._command_rest_at(self._measured)
        self._apply(self._commanded, self._commanded_velocity, compare=False)
        self._system.arm_at_rest()

    def _command_rest_at(self, q: np.ndarray) -> None:
        """Empty the queue; the commanded state is ``q`` (a copy), at rest."""
        self._player.halt(q)
        self._commanded = q.copy()
        self._commanded_velocity = np.zeros(self.dof)

    def reset(self) -> None:
        self._faults.clear()
        self._estopped = False

    def tool_command(self, command: ToolCommand, *, command_id: int | None = None) -> ToolHandle:
        cid = self._system.new_command_id() if command_id is None else command_id
        handle = self._running.get(cid)
        if handle is not None:
            return handle
        handle = ToolHandle(cid, f"{self.name}: {type(command).__name__}")
        stored = self._results.get(cid)
        if stored is not None:
            kind = self._result_kinds.get(cid)
            if kind is not None and kind != type(command).__name__:
                handle.fail(HardwareError(f"{self.name}: command id {cid} was used for a {kind}, not a "
                                          f"{type(command).__name__}; tool command ids must be unique"))
            else:
                handle.finish(stored)
            return handle
        tool = self._tool_for(command)
        if tool is None:
            handle.fail(HardwareError(f"{self.name} has no tool for {type(command).__name__}; its tools: "
                                      f"{', '.join(f'{n} ({t.type})' for n, t in self.spec.tools.items())}"))
        elif not self._system.is_active or self._estopped:
            handle.fail(MotionRefused(f"{self.name}: tool commands are refused while "
                                      f"{'e-stopped' if self._estopped else 'inactive'}"))
        elif tool.busy:
            handle.finish(nok(cid, "busy", f"{tool.name} is still running another command; wait for its result"))
        else:
            self._running[cid] = handle
            self._result_kinds[cid] = type(command).__name__
            tool.start(command, handle, self._system.now())
            self._system.checkpoint()  # a command judged at once (e.g. no_hole) is saved now
        return handle

    def _tool_for(self, command: ToolCommand) -> SimTool | None:
        wanted = (ParallelGripper, VacuumCup) if isinstance(command, GripperCommand) else (
            (Screwdriver,) if isinstance(command, (ScrewProgram, BackOutCommand)) else ())
        return next((t for t in self.tools.values() if isinstance(t, wanted)), None)

    def _completed(self, result: ToolResult) -> None:
        """A started command ended: remember its result by id (and have the system save it)."""
        self._running.pop(result.command_id, None)
        self._results[result.command_id] = result
        evicted = []
        while len(self._results) > RESULT_HISTORY:
            evicted.append(self._results.popitem(last=False)[0])
        self._system.result_completed(self.name, result, evicted)

    # ------------------------------------------------------------------ extras
    def tracking_error(self) -> TrackingStats:
        """Tracking error statistics while following (zero in kinematic mode)."""
        return self._tracking.stats()

    def reset_tracking(self) -> None:
        """Start measuring the tracking error afresh."""
        self._tracking.reset()

    @property
    def moving(self) -> bool:
        """True while setpoints play, a controlled stop runs or the arm brakes."""
        return self._braking or not self._player.idle

    def held_part(self) -> str | None:
        """The part this arm's gripper or cup holds, or None."""
        for tool in self.tools.values():
            attachment = getattr(tool, "attachment", None)
            if attachment is not None:
                return str(attachment.part)
        return None

    def inject_drop(self, reason: str = "injected drop") -> None:
        """Lose the held part at the next step (failure injection for tests)."""
        self._drop_pending = reason

    # ------------------------------------------------------------------ persistence (called by SimSystem)
    def snapshot(self) -> dict[str, Any]:
        """Joint positions, the tools' lasting state and the ids of the remembered results."""
        self._measure()
        return {"positions": self._measured.tolist(), "tools": {n: t.snapshot() for n, t in self.tools.items()},
                "results": list(self._results)}

    def restore(self, data: dict[str, Any], results: dict[int, ToolResult]) -> None:
        """Back to a :meth:`snapshot`: joints set exactly and at rest, IDLE with an empty queue and no
        faults (a crash flushed the queue), tools holding what they held, ``results`` remembered."""
        q = np.array(data["positions"], dtype=float)
        if q.shape != (self.dof,):
            raise HardwareError(f"{self.name}: the state file has {q.size} joint positions, the arm has {self.dof}")
        for j, qj in zip(self.body.joint_index, q):
            pb.resetJointState(self.body.body, j, float(qj), 0.0, physicsClientId=self._world.client)
        self._command_rest_at(q)
        self._holding = False
        self._measured, self._measured_velocity = q.copy(), np.zeros(self.dof)
        self._measured_effort = np.zeros(self.dof)
        self._stale, self._joint_states = False, None
        self._faults.clear()
        self._estopped, self._braking, self._applied = False, False, None
        self._apply(self._commanded, self._commanded_velocity)
        for name, tool_data in data["tools"].items():
            self.tools[name].restore(tool_data)
        self._results = OrderedDict(results)

    def show(self, positions: np.ndarray) -> None:
        """Put the joints at ``positions`` for display only (replaying a recording): no physics
        step, no trajectory, the tools untouched. Not for a cell that runs units."""
        for j, qj in zip(self.body.joint_index, positions):
            pb.resetJointState(self.body.body, j, float(qj), 0.0, physicsClientId=self._world.client)

    # ------------------------------------------------------------------ stepping (called by SimSystem)
    def command(self, t_next: float) -> None:
        """Send the commanded state at ``t_next`` to the joints (before the physics step)."""
        player = self._player
        if self._braking:
            player.advance_time(t_next)  # the brake acts; nothing is commanded until the joints stop
            return
        if self._holding and player.idle and self._system.lean_steps:
            player.advance_time(t_next)  # an idle arm: τ runs on, the commanded state and motor targets hold
            return
        was_moving = self.moving
        sample = player.advance(t_next)
        self._commanded, self._commanded_velocity = sample.position, sample.velocity
        if sample.underrun:
            self._latch(faults.QUEUE_UNDERRUN)
        self._apply(sample.position, sample.velocity, compare=not sample.playing)
        self._holding = not self.kinematic and player.idle
        if was_moving and not self.moving:
            self._system.arm_at_rest()

    def _apply(self, q: np.ndarray, qd: np.ndarray, compare: bool = True) -> None:
        body, client = self.body.body, self._world.client
        if self.kinematic:
            for j, qj in zip(self.body.joint_index, q):
                pb.resetJointState(body, j, float(qj), 0.0, physicsClientId=client)
            return
        if compare and self._system.lean_steps and self._applied is not None and np.array_equal(q, self._applied[0]) \
                and np.array_equal(qd, self._applied[1]):
            return  # PyBullet keeps motor targets: re-sending the same ones (an idle arm) changes nothing
        self._applied = (q.copy(), qd.copy())
        pb.setJointMotorControlArray(
            body, self.body.joint_index, pb.POSITION_CONTROL, targetPositions=q.tolist(), targetVelocities=qd.tolist(),
            positionGains=self._position_gains, velocityGains=[VELOCITY_GAIN] * self.dof,
            forces=self._efforts, physicsClientId=client)

    def update(self, now: float) -> None:
        """Measure, track, run the tools and watch the grasp (after the physics step)."""
        tracking = bool(self._player.queue_depth) and not self._estopped
        if self.kinematic:  # the joints are set, not driven: they are exactly where commanded
            self._measured, self._measured_velocity = self._commanded.copy(), self._commanded_velocity.copy()
            self._joint_states = None
        elif self._braking:
            self._read_joints()
            self._hold_when_stopped()
        elif tracking or not self._system.lean_steps:
            self._read_joints()
        else:  # an idle arm: read when someone looks (the state is the last step's until the next step)
            self._stale = True
        if tracking:
            worst = self._tracking.add(self._commanded, self._measured)
            if not self.kinematic and worst > FOLLOWING_ERROR_LIMIT:
                self._latch(faults.FOLLOWING_ERROR)
                self._halt()
        for tool in self.tools.values():
            tool.step(now)
        if not self._system.lean_steps:
            self.sync_visuals()
        self._watch_grasp(now)

    def _read_joints(self) -> None:
        states = pb.getJointStates(self.body.body, self.body.joint_index, physicsClientId=self._world.client)
        self._measured = np.array([s[0] for s in states])
        self._joint_states = states  # velocities and efforts are unpacked when someone looks
        self._stale = False

    def _measure(self) -> None:
        """Bring the measured joint state up to date if the last steps skipped reading it."""
        if self._stale:
            self._read_joints()
        if self._joint_states is not None:
            states, self._joint_states = self._joint_states, None
            self._measured_velocity = np.array([s[1] for s in states])
            self._measured_effort = np.array([s[3] for s in states])

    def sync_visuals(self) -> None:
        """Move visual-only bodies (a held screw) to where they are; nothing physical depends on them."""
        for tool in self.tools.values():
            if isinstance(tool, VacuumCup):
                tool.follow()

    def _watch_grasp(self, now: float) -> None:
        for tool in self.tools.values():
            attachment = getattr(tool, "attachment", None)
            if attachment is None or not isinstance(tool, (ParallelGripper, VacuumCup)):
                continue
            reason = self._drop_pending
            if reason is None and attachment.slipping():
                reason = f"holding it needed more than the grip's {attachment.capacity:.1f} N"
            if reason is not None:
                part = tool.release(now, kind="dropped", reason=reason)
                self._drop_pending = None
                if part is not None:
                    self._latch(faults.part_dropped(part, reason))
                    self.stop(StopKind.CONTROLLED)
        self._drop_pending = None

    def _latch(self, fault: Fault) -> None:
        if all(f.code != fault.code for f in self._faults):
            self._faults.append(fault)
