"""Recipe steps as executing leaves: journaled, resumable, made of primitive actions.

A leaf numbers its executions within the unit (attempt 0, 1, … under a retry). Before it
acts it looks in the journal: an execution that already ended OK or FAILED is replayed
(its effect on the part model applied, its result returned) instead of being done again, so a
resumed unit never repeats a completed step. An execution a crash left RUNNING is done again,
and a tightening it had started reuses its tool command id: the screwdriver answers with the
first run's result instead of driving the screw twice.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable

import numpy as np

from cellctl.hw import HardwareError, OutcomeUnknown
from cellctl.hw import BackOutCommand, GripperAction, GripperCommand, ScrewProgram, ToolResult
from cellctl.journal import TighteningRecord
from cellctl.journal.lifecycle import UNKNOWN
from cellctl.motion import IKError, PathError, plan_linear, plan_path, plan_ptp
from cellctl.motion.cartesian import Lin
from cellctl.motion.trajectory import SampledMotion
from cellctl.quality.monitor import observation
from cellctl.recipe import model as rm
from cellctl.supervisor.actions import (
    AcquireZones,
    AskOutcome,
    Action,
    ActionFailed,
    Check,
    Dwell,
    MoveAction,
    Planner,
    ReleaseZones,
    Tool,
    Until,
    join_moves,
)
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.geometry import APPROACH, CLEARANCE, SCREW_APPROACH, lifted
from cellctl.supervisor.placement import inspect_placement
from cellctl.supervisor.tree import Behaviour, Status

DECIDE = ("check the screw in {hole}, then decide: cellctl recover --hole {hole} --decide redo|accept|reject "
          "--operator NAME (redo: the hole is empty; accept: the screw is good; reject: the unit is NOK)")


class StepLeaf(Behaviour):
    """A journaled recipe step (see module docstring)."""

    def __init__(self, step: rm.Step, ctx: CellContext) -> None:
        super().__init__(step.label)
        self.step, self.ctx = step, ctx
        self._actions: list[Action] = []
        self._cleanup: list[Action] = []
        self._index = 0
        self._step_id: int | None = None
        self._in_cleanup = False
        self._failure_reason: str | None = None
        self._start_failed = False
        self.attempt = 0

    # -------------------------------------------------------------- subclass interface
    @abstractmethod
    def plan(self) -> tuple[list[Action], list[Action]]:
        """The actions of one execution, and the clean-up to run if it fails."""

    def effect(self) -> None:
        """Apply the step's result to the part model (after success, and when replayed)."""

    def target(self) -> str | None:
        return None

    # -------------------------------------------------------------- execution
    def update(self) -> Status:
        if self.status is not Status.RUNNING:
            try:
                replayed = self._begin()
            except ActionFailed as exc:  # the step cannot even be planned (e.g. nothing to place)
                return self._finish(Status.FAILURE, str(exc))
            if replayed is not None:
                return replayed
        return self._advance()

    def _begin(self) -> Status | None:
        ctx = self.ctx
        assert ctx.unit is not None
        self.attempt = ctx.next_execution(self.step.path)
        previous = next((s for s in ctx.journal.steps(ctx.unit.id)
                         if s.path == self.step.path and s.attempt == self.attempt), None)
        if previous is not None and previous.result in ("OK", "FAILED"):
            if previous.result == "OK":
                self.effect()
                return Status.SUCCESS
            return self.fail(previous.detail or f"{self.name} failed")
        if previous is not None:
            self._step_id = previous.id
            ctx.journal.end_step(previous.id, "RUNNING", "resumed", ctx.now())
        else:
            self._step_id = ctx.journal.start_step(ctx.unit.id, self.step.path, self.step.kind, self.step.arm,
                                                   self.target(), self.attempt, ctx.now())
        if self.step.arm:
            ctx.current[self.step.arm] = self.name
        self._actions, self._cleanup = (join_moves(program) for program in self.plan())
        self._index, self._in_cleanup, self._failure_reason = 0, False, None
        self._start_current()
        return None

    def _start_current(self) -> None:
        """Start the next action; one that cannot start (e.g. a move that cannot be planned)
        fails like any other action, so the step's clean-up still runs."""
        program = self._cleanup if self._in_cleanup else self._actions
        self._start_failed = False
        if self._index < len(program):
            action = program[self._index]
            try:
                action.start(self.ctx)
            except ActionFailed as exc:
                action.failure, self._start_failed = str(exc), True

    def _advance(self) -> Status:
        while True:
            program = self._cleanup if self._in_cleanup else self._actions
            if self._index >= len(program):
                if self._in_cleanup:
                    return self._finish(Status.FAILURE, self._failure_reason or "failed")
                return self._finish(Status.SUCCESS, None)
            action = program[self._index]
            status = Status.FAILURE if self._start_failed else action.poll(self.ctx)
            if status is Status.RUNNING:
                return status
            if status is Status.FAILURE:
                if self._in_cleanup:  # the clean-up failed too: report the original reason
                    return self._finish(Status.FAILURE, f"{self._failure_reason}; clean-up failed: {action.failure}")
                self._failure_reason = action.failure or f"{self.name} failed"
                self._in_cleanup, self._index = True, 0
            else:
                self._index += 1
            self._start_current()

    def _finish(self, status: Status, reason: str | None) -> Status:
        ctx = self.ctx
        ok = status is Status.SUCCESS
        if ok:
            self.effect()
        if self._step_id is not None:
            ctx.journal.end_step(self._step_id, "OK" if ok else "FAILED", reason, ctx.now())
        if self.step.arm:
            ctx.current.pop(self.step.arm, None)
        return status if ok else self.fail(reason or f"{self.name} failed")

    def halt(self) -> None:
        ctx = self.ctx
        program = self._cleanup if self._in_cleanup else self._actions
        if self.status is Status.RUNNING and self._index < len(program):
            program[self._index].halt(ctx)
        if self._step_id is not None and self.status is Status.RUNNING:
            ctx.journal.end_step(self._step_id, "HALTED", "halted by the supervisor", ctx.now())
        if self.step.arm:
            ctx.current.pop(self.step.arm, None)
        super().halt()


# ------------------------------------------------------------------ motion helpers
def ptp_to_pose(arm: str, tool: str, pose: np.ndarray) -> Planner:
    def plan(ctx: CellContext, q: np.ndarray) -> SampledMotion:
        geo = ctx.geometry.arms[arm]
        goal = geo.ik(tool, pose, seed=q)
        return plan_ptp(q, goal, geo.limits)
    return plan


GOOD_TIME_SCALE = 0.5  # a straight move slowed below this by the joints: look for a better posture


def ptp_above(arm: str, tool: str, work: WorkPose) -> Planner:
    """PTP above the work pose in a posture from which the straight move in is fast: the
    straight path is planned back up from each candidate work posture (best first; for a
    symmetric tool, of every turn about its axis, least wrist motion first) and the first that
    keeps its speed (else the fastest) gives the approach posture and the work pose to use."""
    def plan(ctx: CellContext, q: np.ndarray) -> SampledMotion:
        geo = ctx.geometry.arms[arm]
        chain = geo.chain(tool)
        candidates: list[tuple[np.ndarray, np.ndarray]] = []
        last_error: Exception | None = None
        for pose in work.variants():
            try:
                candidates += [(pose, q_work) for q_work in geo.ik_candidates(tool, pose, seeds=[q])]
            except IKError as exc:
                last_error = exc
        if work.turn_free:  # least motion from where the arm is
            candidates.sort(key=lambda c: float(np.abs(c[1] - q).max()))
        best, best_scale = None, -1.0
        for pose, q_work in candidates:
            try:
                up = plan_linear(chain, q_work, geo.to_base(lifted(pose, work.height)), geo.limits,
                                 ctx.tuning.approach_limits)
            except PathError as exc:
                last_error = exc
                continue
            if up.time_scale > best_scale:
                best, best_scale = (pose, up), up.time_scale
            if up.time_scale >= GOOD_TIME_SCALE:
                break
        if best is None:
            assert last_error is not None  # no candidate at all: every pose raised IKError
            raise last_error
        work.pose = best[0]
        return plan_ptp(q, best[1].sample([best[1].duration]).position[0], geo.limits)
    return plan


def ptp_to_joints(arm: str, joints: np.ndarray) -> Planner:
    def plan(ctx: CellContext, q: np.ndarray) -> SampledMotion:
        return plan_ptp(q, joints, ctx.geometry.arms[arm].limits)
    return plan


class WorkPose:
    """A work pose and the height it is approached from. For a tool that is symmetric about
    its axis (a screwdriver bit, a suction cup) the approach may turn the pose about that axis,
    to the turn that needs the least wrist motion; the moves in and out then use that turn."""

    def __init__(self, pose: np.ndarray, height: float, turn_free: bool) -> None:
        self.pose, self.height, self.turn_free = pose, height, turn_free

    @property
    def above(self) -> np.ndarray:
        return lifted(self.pose, self.height)

    def variants(self) -> list[np.ndarray]:
        """The pose itself first, then (for a symmetric tool) turned about the tool axis."""
        if not self.turn_free:
            return [self.pose]
        return [self.pose, *(self.pose @ _turn(angle) for angle in np.linspace(0.0, 2 * np.pi, TURNS, endpoint=False)[1:])]


TURNS = 8  # turns about a symmetric tool's axis tried for its work posture


def _turn(angle: float) -> np.ndarray:
    t = np.eye(4)
    t[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    return t


def lin_to(arm: str, tool: str, pose: Callable[[], np.ndarray]) -> Planner:
    """A straight move to ``pose()`` (read when the move starts)."""
    def plan(ctx: CellContext, q: np.ndarray) -> SampledMotion:
        geo = ctx.geometry.arms[arm]
        return plan_linear(geo.chain(tool), q, geo.to_base(pose()), geo.limits, ctx.tuning.approach_limits)
    return plan


def approach_sequence(arm: str, tool: str, target: np.ndarray, height: float, what: str,
                      turn_free: bool = False) -> tuple[list[Action], list[Action]]:
    """PTP above, LIN down — and the LIN back up, for after the work."""
    work = WorkPose(target, height, turn_free)
    down = [MoveAction(arm, ptp_above(arm, tool, work), f"{what}: approach"),
            MoveAction(arm, lin_to(arm, tool, lambda: work.pose), f"{what}: move in")]
    up = [MoveAction(arm, lin_to(arm, tool, lambda: work.above), f"{what}: retreat")]
    return down, up


def guarded(arm: str, zones: list[str], home: np.ndarray, work: list[Action]) -> list[Action]:
    """Hold the interlock zones around ``work`` and leave them (to home) before releasing."""
    if not zones:
        return work
    return [AcquireZones(arm, zones), *work, MoveAction(arm, ptp_to_joints(arm, home), "leave the shared zone"),
            ReleaseZones(arm, zones)]


def retreat_cleanup(arm: str, zones: list[str], home: np.ndarray) -> list[Action]:
    """After a failure: back to home, then release the zones."""
    return [MoveAction(arm, ptp_to_joints(arm, home), "retreat to home"), ReleaseZones(arm, zones)]


# ------------------------------------------------------------------ the steps
class PickLeaf(StepLeaf):
    step: rm.Pick

    def target(self) -> str:
        return self.step.part

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        geo = ctx.geometry.arms[s.arm]
        tool = geo.tool_of_type("parallel_gripper")
        spec = ctx.cell.parts[s.part]
        grasp = ctx.geometry.grasp(s.part, ctx.parts.poses[s.part], s.grasp)
        zones = ctx.geometry.zones_containing(s.arm, grasp[:3, 3])
        down, up = approach_sequence(s.arm, tool, grasp, APPROACH, f"pick {s.part}")
        open_wide = GripperCommand(GripperAction.OPEN, width=float(geo.spec.tools[tool].max_width))
        # The fingers are open when a pick starts (every pick and place ends open), except after
        # an interruption while holding the part: then going down puts it back where it was
        # taken from, and opening there lets it go before gripping it again.
        work = [*down, Tool(s.arm, open_wide, "open the gripper"),
                Tool(s.arm, GripperCommand(GripperAction.CLOSE, width=float(spec.size[1]), force=20.0),
                     f"grasp {s.part} (missed grasp?)"), *up]
        cleanup = [Tool(s.arm, open_wide, "open the gripper"), *retreat_cleanup(s.arm, zones, geo.spec.home)]
        return guarded(s.arm, zones, geo.spec.home, work), cleanup

    def effect(self) -> None:
        self.ctx.parts.held[self.step.part] = self.step.arm


class PlaceLeaf(StepLeaf):
    step: rm.Place

    def target(self) -> str:
        return f"{self.step.part}@{self.step.onto or self.step.station + '/' + self.step.slot}"

    def resting_pose(self) -> np.ndarray:
        s, geo = self.step, self.ctx.geometry
        if s.onto:
            return geo.resting_on_part(s.part, self.ctx.parts.poses[s.onto], s.onto)
        return geo.resting_on_slot(s.part, s.station, s.slot)

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        if ctx.parts.held.get(s.part) != s.arm:
            raise ActionFailed(f"arm {s.arm} does not hold {s.part}: pick it first")
        geo = ctx.geometry.arms[s.arm]
        tool = geo.tool_of_type("parallel_gripper")
        release = ctx.geometry.grasp(s.part, lifted(self.resting_pose(), CLEARANCE), "top")
        zones = ctx.geometry.zones_containing(s.arm, release[:3, 3])
        down, up = approach_sequence(s.arm, tool, release, APPROACH, f"place {s.part}")
        width = float(geo.spec.tools[tool].max_width)
        work = [*down, Tool(s.arm, GripperCommand(GripperAction.OPEN, width=width), f"release {s.part}"), *up]
        return guarded(s.arm, zones, geo.spec.home, work), retreat_cleanup(s.arm, zones, geo.spec.home)

    def effect(self) -> None:
        ctx, s = self.ctx, self.step
        old = ctx.parts.poses.get(s.part)
        new = self.resting_pose()
        ctx.parts.held.pop(s.part, None)
        # Parts stacked on the moved one travel with it.
        if old is not None:
            moved = new @ np.linalg.inv(old)
            for other, pose in list(ctx.parts.poses.items()):
                if other != s.part and other not in ctx.parts.held and _on_top_of(pose, old):
                    ctx.parts.poses[other] = moved @ pose
        ctx.parts.poses[s.part] = new


def _on_top_of(pose: np.ndarray, base: np.ndarray) -> bool:
    """True for a part stacked on (directly above, within 2 cm) another part's old pose."""
    d = pose[:3, 3] - base[:3, 3]
    return float(np.hypot(d[0], d[1])) < 0.02 and 0.0 < d[2] < 0.03


class ScrewLeaf(StepLeaf):
    step: rm.Screw
    _tightening: int = 0  # journal row of the tightening in progress

    def target(self) -> str:
        return self.step.hole

    def update(self) -> Status:
        try:
            return super().update()
        except OutcomeUnknown as exc:
            if self._tightening:
                self.ctx.journal.set_tightening_status(self._tightening, UNKNOWN, "outcome_unknown")
            raise OutcomeUnknown(f"{self.step.hole}: {exc}; {DECIDE.format(hole=self.step.hole)}",
                                 exc.command_id) from None

    def program(self) -> tuple[str, ScrewProgram]:
        hole = self.ctx.cell.holes[self.step.hole]
        name = self.step.program or hole.program_name
        return name, self.ctx.cell.programs[name]

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        geo = ctx.geometry.arms[s.arm]
        hole = ctx.cell.holes[s.hole]
        pickup, driver = geo.tool_of_type("vacuum"), geo.tool_of_type("screwdriver")
        feeder = ctx.geometry.feeder_pick(hole.screw)
        drive = ctx.geometry.driving_pose(s.hole, ctx.parts.poses[hole.part])
        zones = ctx.geometry.zones_containing(s.arm, drive[:3, 3])
        fetch_down, fetch_up = approach_sequence(s.arm, pickup, feeder, SCREW_APPROACH, "fetch a screw", turn_free=True)
        drive_down, drive_up = approach_sequence(s.arm, driver, drive, SCREW_APPROACH, f"drive {s.hole}",
                                                 turn_free=True)
        name, program = self.program()
        done = self._finished_tightening()
        if done is not None and done.status == UNKNOWN:
            raise OutcomeUnknown(f"{s.hole}: the outcome of tightening {done.command_id} is unknown and no "
                                 f"operator has decided; {DECIDE.format(hole=s.hole)}", done.command_id)
        if done is not None:  # a crash came between the tightening's result and the step's end
            return [Check(lambda ctx: None if done.status == "OK" else
                          f"tighten {s.hole}: {done.status} ({done.failure_class})")], []
        tighten = Tool(s.arm, program, f"tighten {s.hole} with {name}", command_id=self._command_id,
                       on_result=self._record)
        # Drop whatever the cup may still hold (a resumed step) before taking a fresh screw.
        fetch = [Tool(s.arm, GripperCommand(GripperAction.OPEN), "clear the cup"), *fetch_down,
                 Tool(s.arm, GripperCommand(GripperAction.CLOSE), "pick up a screw"), *fetch_up]
        work = fetch + guarded(s.arm, zones, geo.spec.home, [*drive_down, tighten, *drive_up])
        unfinished = self._unfinished_tightening()
        if unfinished is not None:  # an interruption came while it drove: ask before moving
            self._tightening = unfinished.id
            work.insert(0, AskOutcome(s.arm, unfinished.command_id))
        return work, retreat_cleanup(s.arm, zones, geo.spec.home)

    def _unfinished_tightening(self) -> TighteningRecord | None:
        ctx = self.ctx
        assert ctx.unit is not None
        return next((t for t in ctx.journal.tightenings(ctx.unit.id)
                     if t.hole == self.step.hole and t.status == "RUNNING"), None)

    def _finished_tightening(self) -> TighteningRecord | None:
        """This execution's tightening if it already has a result (only after a crash)."""
        ctx = self.ctx
        assert ctx.unit is not None
        return next((t for t in ctx.journal.tightenings(ctx.unit.id)
                     if t.step_id == self._step_id and t.status not in ("RUNNING", "VOID")), None)

    def _command_id(self, ctx: CellContext) -> int:
        """The tool command id of this tightening: an unfinished one's (resume) or a new one."""
        assert ctx.unit is not None
        rows = [t for t in ctx.journal.tightenings(ctx.unit.id) if t.hole == self.step.hole]
        unfinished = self._unfinished_tightening()
        if unfinished is not None:
            self._tightening = unfinished.id
            return unfinished.command_id
        command_id = ctx.journal.next_counter("tool_command")
        name, program = self.program()
        self._tightening = ctx.journal.start_tightening(ctx.unit.id, self._step_id, self.step.hole, len(rows),
                                                        name, program, command_id, ctx.now())
        return command_id

    def _record(self, ctx: CellContext, result: ToolResult) -> None:
        ctx.journal.finish_tightening(self._tightening, result, ctx.now())
        if ctx.quality is not None:  # SPC and curve shape (docs/quality.md); the reaction comes at the unit's end
            name, program = self.program()
            window = (program.target_torque, program.torque_min, program.torque_max)
            ctx.quality.observe(observation(name, self.step.hole, window, result, ctx.unit.id if ctx.unit else None,
                                            self._tightening), ctx.now())


class MoveLeaf(StepLeaf):
    step: rm.MoveStep

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        geo = ctx.geometry.arms[s.arm]
        tool = next(iter(geo.chains))
        first = s.targets[0]
        if first.named is not None or first.joints is not None:
            joints = geo.spec.home if first.named == "home" else first.joints
            return [MoveAction(s.arm, ptp_to_joints(s.arm, joints), self.name)], []
        if s.mode == "ptp":
            return [MoveAction(s.arm, ptp_to_pose(s.arm, tool, first.pose.matrix), self.name)], []

        def plan_cartesian(ctx: CellContext, q: np.ndarray) -> SampledMotion:
            moves = [Lin(geo.to_base(t.pose.matrix), blend=t.blend) for t in s.targets]
            return plan_path(geo.chain(tool), q, moves, geo.limits, ctx.tuning.approach_limits)
        return [MoveAction(s.arm, plan_cartesian, self.name)], []


class WaitLeaf(StepLeaf):
    step: rm.Wait

    def plan(self) -> tuple[list[Action], list[Action]]:
        if self.step.after:
            return [Until(lambda ctx: set(self.step.after) <= ctx.finished_ids)], []
        return [Dwell(self.step.seconds)], []


class BackOutLeaf(StepLeaf):
    """Reverse the screwdriver on a hole; the screw leaves on the bit and is dropped at the feeder's bin."""

    step: rm.BackOut

    def target(self) -> str:
        return self.step.hole

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        geo = ctx.geometry.arms[s.arm]
        hole = ctx.cell.holes[s.hole]
        driver = geo.tool_of_type("screwdriver")
        drive = ctx.geometry.driving_pose(s.hole, ctx.parts.poses[hole.part])
        zones = ctx.geometry.zones_containing(s.arm, drive[:3, 3])
        down, up = approach_sequence(s.arm, driver, drive, SCREW_APPROACH, f"back out {s.hole}", turn_free=True)
        program = ctx.cell.programs[hole.program_name]
        work = [*down, Tool(s.arm, BackOutCommand(program.program_id, timeout=program.timeout),
                            f"back out {s.hole}"), *up]
        return guarded(s.arm, zones, geo.spec.home, work), retreat_cleanup(s.arm, zones, geo.spec.home)


BIT_CLEARANCE = 0.002
"""Metres between the bit tip and the tool station's top face while the station swaps the bit."""


class ChangeBitLeaf(StepLeaf):
    """The screwdriver's bit into a tool station's slot, a dwell while it is swapped, back up; the
    backend is told the bit is new (:meth:`cellctl.hw.HardwareSystem.tool_serviced`)."""

    step: rm.ChangeBit

    def target(self) -> str:
        return self.step.station

    def plan(self) -> tuple[list[Action], list[Action]]:
        s, ctx = self.step, self.ctx
        geo = ctx.geometry.arms[s.arm]
        driver = geo.tool_of_type("screwdriver")
        at = ctx.geometry.station_slot_down(s.station, s.slot, BIT_CLEARANCE)
        zones = ctx.geometry.zones_containing(s.arm, at[:3, 3])
        down, up = approach_sequence(s.arm, driver, at, SCREW_APPROACH, f"change the bit at {s.station}",
                                     turn_free=True)
        work = [*down, Dwell(s.seconds), Check(lambda ctx: self._serviced(ctx, driver)), *up]
        return guarded(s.arm, zones, geo.spec.home, work), retreat_cleanup(s.arm, zones, geo.spec.home)

    def _serviced(self, ctx: CellContext, tool: str) -> str | None:
        try:
            ctx.system.tool_serviced(self.step.arm, tool, "bit_change")
        except HardwareError as exc:
            return f"bit change at {self.step.station}: {exc}"
        return None


class InspectLeaf(StepLeaf):
    step: rm.Inspect

    def target(self) -> str:
        return ",".join(self.step.holes + self.step.parts)

    def plan(self) -> tuple[list[Action], list[Action]]:
        checks = [Check(self._verdict)] if self.step.holes else []
        if self.step.camera is not None:  # the camera measures where the parts lie (docs/quality.md)
            checks.append(Check(lambda ctx: inspect_placement(ctx, self.step, self._step_id, self.attempt)))
        return checks, []

    def _verdict(self, ctx: CellContext) -> str | None:
        assert ctx.unit is not None
        final = {t.hole: t for t in ctx.journal.tightenings(ctx.unit.id) if t.final}
        bad = []
        for hole in self.step.holes:
            record = final.get(hole)
            if record is None:
                bad.append(f"{hole} not tightened")
            elif record.status != "OK":
                bad.append(f"{hole} {record.status} ({record.failure_class})")
        return "inspection: " + ", ".join(bad) if bad else None


def _tightenings_of(ctx: CellContext, hole: str) -> list[TighteningRecord]:
    """The hole's finished tightenings in the current unit, oldest first."""
    assert ctx.unit is not None
    return [t for t in ctx.journal.tightenings(ctx.unit.id) if t.hole == hole and t.status != "RUNNING"]


def _outcome(record: TighteningRecord | None) -> str:
    """``OK``, the failure class of a NOK tightening, or ``not tightened``."""
    if record is None:
        return "not tightened"
    return "OK" if record.status == "OK" else record.failure_class or record.status


def tightening_history(ctx: CellContext, hole: str) -> str:
    """What the hole's tightenings in this unit were: ``try 1 missing_screw, try 2 OK``."""
    tries = [f"try {i} {_outcome(t)}" for i, t in enumerate(_tightenings_of(ctx, hole), start=1)]
    return ", ".join(tries) if tries else "not tightened"


class RejectLeaf(StepLeaf):
    step: rm.Reject

    def plan(self) -> tuple[list[Action], list[Action]]:
        return [], []

    def effect(self) -> None:
        reason = self.step.reason
        if self.step.hole is not None:
            reason = f"{reason} ({tightening_history(self.ctx, self.step.hole)})"
        self.ctx.rejected.append(reason)


class WhenLeaf(StepLeaf):
    """Succeeds when the hole's latest tightening failed with one of the listed classes (see rm.When)."""

    step: rm.When

    def target(self) -> str:
        return self.step.hole

    def plan(self) -> tuple[list[Action], list[Action]]:
        return [Check(self._verdict)], []

    def _verdict(self, ctx: CellContext) -> str | None:
        done = _tightenings_of(ctx, self.step.hole)
        last = done[-1] if done else None
        if last is not None and last.status != "OK" and last.failure_class in self.step.failures:
            return None
        return f"{self.step.hole}'s last tightening was {_outcome(last)}, not {' or '.join(self.step.failures)}"


LEAVES: dict[type[rm.Step], type[StepLeaf]] = {
    rm.Pick: PickLeaf, rm.Place: PlaceLeaf, rm.Screw: ScrewLeaf, rm.BackOut: BackOutLeaf, rm.MoveStep: MoveLeaf,
    rm.Wait: WaitLeaf,
    rm.Inspect: InspectLeaf, rm.Reject: RejectLeaf, rm.When: WhenLeaf, rm.ChangeBit: ChangeBitLeaf,
}
