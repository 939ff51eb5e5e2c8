"""The primitive actions a step is made of: move, tool command, interlock zone, bookkeeping.

Each action is started once and then polled every control period until it reports SUCCESS or
FAILURE; ``halt`` stops it (a moving arm stops along its path).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

from cellctl.hw import ArmMode, HardwareError, LinkLost, OutcomeUnknown, StopKind, ToolHandle, ToolResult
from cellctl.hw.interface import ToolCommand
from cellctl.motion import IKError, PathError, SampledMotion
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.streaming import MotionStream, MotionTail
from cellctl.supervisor.tree import Status


class ActionFailed(Exception):
    """Raised inside an action to fail it with a message for the operator."""


class Action(ABC):
    """One primitive of a step (see module docstring)."""

    failure: str | None = None

    @abstractmethod
    def start(self, ctx: CellContext) -> None: ...

    @abstractmethod
    def poll(self, ctx: CellContext) -> Status: ...

    def halt(self, ctx: CellContext) -> None:
        """Stop what is in progress (default: nothing)."""


def arm_fault(ctx: CellContext, arm: str) -> str | None:
    """Why an arm cannot move (e-stopped or faulted), or None."""
    state = ctx.system.arms[arm].read()
    if state.mode is ArmMode.ESTOPPED:
        return f"arm {arm} is e-stopped"
    if state.mode is ArmMode.FAULTED:
        faults = "; ".join(str(f) for f in state.faults) or "a latched fault"
        return f"arm {arm} faulted: {faults}"
    return None


Planner = Callable[[CellContext, np.ndarray], SampledMotion]


class MoveAction(Action):
    """Plan from where the arm is when the action starts, stream the motion, then wait until
    the arm is in position (so a tool acts at the pose that was planned, not on the way).

    Planning runs where ``ctx.planning`` says (off the control tick on a real clock, see
    :mod:`cellctl.supervisor.planning`); the move streams once its plan is ready. A move that
    ``hands over`` to the next move of its arm (see :func:`join_moves`) succeeds as soon as its
    last setpoint is queued; the next one is planned from its goal and joined to its end while
    it still plays (see :mod:`cellctl.supervisor.streaming`)."""

    def __init__(self, arm: str, plan: Planner, what: str) -> None:
        self.arm, self.plan, self.what = arm, plan, what
        self.hands_over = False
        self.next_move: MoveAction | None = None
        """The arm's next move in the same program (planned ahead from this one's goal)."""
        self.stream: MotionStream | None = None
        self.goal: np.ndarray | None = None
        self._planned: Future[SampledMotion] | None = None
        self._planned_from: np.ndarray | None = None
        self._after: float | None = None  # trajectory time of the end of the motion this one joins
        self._played_at: float | None = None  # system time the stream was seen played

    def plan_ahead(self, ctx: CellContext, start: np.ndarray) -> None:
        """Start planning from ``start`` (the previous move's goal) before this move starts:
        on a real clock the plan is then ready when the tools in between are done."""
        if self._planned is None:
            self._planned_from = start
            self._planned = ctx.planning.submit(self.arm, self.plan, ctx, start)

    def start(self, ctx: CellContext) -> None:
        tail = ctx.tails.pop(self.arm, None)
        fault = arm_fault(ctx, self.arm)
        if fault:
            raise ActionFailed(fault)
        q = ctx.system.arms[self.arm].read().positions if tail is None else tail.goal
        self._after = None if tail is None else tail.end_tau
        if self._planned_from is None or np.abs(q - self._planned_from).max() > ctx.tuning.in_position:
            self._planned_from = q  # not planned ahead, or the arm is not where that plan starts
            self._planned = ctx.planning.submit(self.arm, self.plan, ctx, q)
        assert self._planned is not None
        if self._planned.done():  # planned inline: a move that cannot be planned fails to start
            failure = self._take_plan(ctx)
            if failure:
                raise ActionFailed(failure)

    def _take_plan(self, ctx: CellContext) -> str | None:
        """Make the stream from the finished plan; why not, if planning failed."""
        assert self._planned is not None
        try:
            motion = self._planned.result()
        except (IKError, PathError) as exc:
            return f"cannot plan {self.what}: {exc}"
        self.stream = MotionStream(ctx.system.arms[self.arm], motion, ctx.queue_depth, after=self._after,
                                   lead=ctx.tuning.lead)
        self.goal = motion.sample([motion.duration]).position[0]
        ctx.streams.add(self.stream)
        if self.next_move is not None:
            self.next_move.plan_ahead(ctx, self.goal)
        return None

    def poll(self, ctx: CellContext) -> Status:
        fault = arm_fault(ctx, self.arm)
        if fault:
            if self.stream is not None:
                ctx.streams.discard(self.stream)
            self.failure = f"{self.what} interrupted: {fault}"
            return Status.FAILURE
        if self.stream is None:
            assert self._planned is not None
            if not self._planned.done():
                return Status.RUNNING
            self.failure = self._take_plan(ctx)
            if self.failure:
                return Status.FAILURE
        assert self.stream is not None and self.goal is not None
        try:
            self.stream.pump(ctx.now())
        except LinkLost:
            raise  # a lost controller is the cell's fault, not the step's: hold the unit
        except (HardwareError, ValueError) as exc:  # refused, or setpoints already late for the arm
            ctx.streams.discard(self.stream)
            self.failure = f"{self.what}: {exc}"
            return Status.FAILURE
        if self.hands_over and self.stream.finished_sending:
            ctx.streams.discard(self.stream)
            assert self.stream.end_tau is not None
            ctx.tails[self.arm] = MotionTail(self.stream.end_tau, self.goal)
            return Status.SUCCESS
        if not self.stream.done():
            return Status.RUNNING
        ctx.streams.discard(self.stream)
        if self._played_at is None:
            self._played_at = ctx.now()
        state = ctx.system.arms[self.arm].read()
        error = float(np.abs(state.positions - self.goal).max())
        tuning = ctx.tuning
        if error <= tuning.in_position and float(np.abs(state.velocities).max()) <= tuning.settled:
            return Status.SUCCESS
        if ctx.now() > self._played_at + tuning.settle_timeout:
            self.failure = (f"{self.what}: arm {self.arm} did not settle within {tuning.in_position} rad of its "
                            f"goal ({error:.2e} rad off {tuning.settle_timeout} s after the motion); check for a "
                            "collision")
            return Status.FAILURE
        return Status.RUNNING

    def halt(self, ctx: CellContext) -> None:
        ctx.tails.pop(self.arm, None)
        if self._planned is not None:
            self._planned.cancel()  # a plan still queued is dropped; one in progress is left unread
        if self.stream is not None:
            ctx.streams.discard(self.stream)
        if self.stream is not None and not self.stream.done():
            try:
                ctx.system.arms[self.arm].stop(StopKind.CONTROLLED)
            except HardwareError:
                pass  # the link is down: the host still sends the stop, and the controller's watchdog stops the arm


def join_moves(actions: list[Action]) -> list[Action]:
    """Link each move of a program to the arm's next move (planned ahead from its goal; other
    actions do not move the arm), and mark a move followed at once by a move of the same arm
    to hand over to it (the arm goes on without stopping for a new lead); returns ``actions``."""
    last: dict[str, MoveAction] = {}
    for index, action in enumerate(actions):
        if not isinstance(action, MoveAction):
            continue
        previous = last.get(action.arm)
        if previous is not None:
            previous.next_move = action
            previous.hands_over = actions[index - 1] is previous
        last[action.arm] = action
    return actions


class Tool(Action):
    """A tool command; FAILURE when the tool judges the result not OK.

    Every command gets an id from the journal's counter (unique in the cell, across restarts):
    the tool de-duplicates by id, so ids must never be reused for another command."""

    def __init__(self, arm: str, command: ToolCommand, what: str,
                 command_id: Callable[[CellContext], int] = lambda ctx: ctx.journal.next_counter("tool_command"),
                 on_result: Callable[[CellContext, ToolResult], None] = lambda ctx, r: None) -> None:
        self.arm, self.command, self.what = arm, command, what
        self._command_id, self._on_result = command_id, on_result
        self.handle: ToolHandle | None = None
        self.result: ToolResult | None = None

    def start(self, ctx: CellContext) -> None:
        fault = arm_fault(ctx, self.arm)
        if fault:
            raise ActionFailed(fault)
        self.handle = ctx.system.arms[self.arm].tool_command(self.command, command_id=self._command_id(ctx))

    def poll(self, ctx: CellContext) -> Status:
        assert self.handle is not None
        if not self.handle.done():
            return Status.RUNNING
        try:
            self.result = self.handle.result(timeout=0.0)
        except (LinkLost, OutcomeUnknown):
            raise  # a lost controller or a lost outcome is the cell's fault, not the step's: hold the unit
        except HardwareError as exc:
            self.failure = f"{self.what}: {exc}"
            return Status.FAILURE
        self._on_result(ctx, self.result)
        if self.result.ok:
            return Status.SUCCESS
        self.failure = f"{self.what}: {self.result.status} ({self.result.failure_class}) {self.result.message}".strip()
        return Status.FAILURE


class AskOutcome(Action):
    """Before a resumed tightening moves anything, ask the tool what became of it: a lost outcome
    (``OutcomeUnknown``) stops the cell here, before a new screw is fetched and brought to a hole
    that may hold one already. A known result or NOT_STARTED lets the step go on (the tightening
    then re-sends its id, which never drives twice)."""

    def __init__(self, arm: str, command_id: int) -> None:
        self.arm, self.command_id = arm, command_id
        self.handle: ToolHandle | None = None

    def start(self, ctx: CellContext) -> None:
        self.handle = ctx.system.arms[self.arm].tool_outcome(self.command_id)

    def poll(self, ctx: CellContext) -> Status:
        if self.handle is None:
            return Status.SUCCESS
        if not self.handle.done():
            return Status.RUNNING
        try:
            self.handle.result(timeout=0.0)
        except (LinkLost, OutcomeUnknown):
            raise
        except HardwareError as exc:
            self.failure = f"asking the outcome of tool command {self.command_id}: {exc}"
            return Status.FAILURE
        return Status.SUCCESS


class AcquireZones(Action):
    """Wait until the interlock zones are free, then hold them for this arm."""

    def __init__(self, arm: str, zones: list[str]) -> None:
        self.arm, self.zones = arm, zones

    def start(self, ctx: CellContext) -> None:
        pass

    def poll(self, ctx: CellContext) -> Status:
        return Status.SUCCESS if ctx.zones.try_acquire(self.zones, self.arm) else Status.RUNNING


class ReleaseZones(Action):
    def __init__(self, arm: str, zones: list[str]) -> None:
        self.arm, self.zones = arm, zones

    def start(self, ctx: CellContext) -> None:
        ctx.zones.release(self.zones, self.arm)

    def poll(self, ctx: CellContext) -> Status:
        return Status.SUCCESS


class Dwell(Action):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = 0.0

    def start(self, ctx: CellContext) -> None:
        self._until = ctx.now() + self.seconds

    def poll(self, ctx: CellContext) -> Status:
        return Status.SUCCESS if ctx.now() >= self._until - 1e-9 else Status.RUNNING


class Until(Action):
    """Wait until a condition on the context holds."""

    def __init__(self, condition: Callable[[CellContext], bool]) -> None:
        self.condition = condition

    def start(self, ctx: CellContext) -> None:
        pass

    def poll(self, ctx: CellContext) -> Status:
        return Status.SUCCESS if self.condition(ctx) else Status.RUNNING


class Check(Action):
    """An instantaneous check: the function returns None (OK) or the reason it is not."""

    def __init__(self, check: Callable[[CellContext], str | None]) -> None:
        self.check = check

    def start(self, ctx: CellContext) -> None:
        pass

    def poll(self, ctx: CellContext) -> Status:
        self.failure = self.check(ctx)
        return Status.FAILURE if self.failure else Status.SUCCESS
