"""The primitive actions a step is made of: move, tool command, interlock zone, bookkeeping.

Each action is started once and then polled every control period until it reports SUCCESS or
FAILURE; ``halt`` stops it (a moving arm stops along its path).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from cellctl.hw import ArmMode, HardwareError, StopKind, ToolHandle, ToolResult
from cellctl.hw.interface import ToolCommand
from cellctl.motion import IKError, PathError, SampledMotion
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.streaming import MotionStream
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
    the arm is in position (so a tool acts at the pose that was planned, not on the way)."""

    def __init__(self, arm: str, plan: Planner, what: str) -> None:
        self.arm, self.plan, self.what = arm, plan, what
        self.stream: MotionStream | None = None
        self.goal: np.ndarray | None = None
        self._played_at: float | None = None  # system time the stream was seen played

    def start(self, ctx: CellContext) -> None:
        fault = arm_fault(ctx, self.arm)
        if fault:
            raise ActionFailed(fault)
        q = ctx.system.arms[self.arm].read().positions
        try:
            motion = self.plan(ctx, q)
        except (IKError, PathError) as exc:
            raise ActionFailed(f"cannot plan {self.what}: {exc}") from None
        self.stream = MotionStream(ctx.system.arms[self.arm], motion, ctx.queue_depth, lead=ctx.tuning.lead)
        self.goal = motion.sample([motion.duration]).position[0]
        ctx.streams.add(self.stream)

    def poll(self, ctx: CellContext) -> Status:
        assert self.stream is not None
        fault = arm_fault(ctx, self.arm)
        if fault:
            ctx.streams.discard(self.stream)
            self.failure = f"{self.what} interrupted: {fault}"
            return Status.FAILURE
        try:
            self.stream.pump(ctx.now())
        except (HardwareError, ValueError) as exc:  # refused, or setpoints already late for the arm
            ctx.streams.discard(self.stream)
            self.failure = f"{self.what}: {exc}"
            return Status.FAILURE
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
        if self.stream is not None:
            ctx.streams.discard(self.stream)
        if self.stream is not None and not self.stream.done():
            try:
                ctx.system.arms[self.arm].stop(StopKind.CONTROLLED)
            except HardwareError:
                pass  # the link is gone: the controller's watchdog stops the arm


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
        except HardwareError as exc:
            self.failure = f"{self.what}: {exc}"
            return Status.FAILURE
        self._on_result(ctx, self.result)
        if self.result.ok:
            return Status.SUCCESS
        self.failure = f"{self.what}: {self.result.status} ({self.result.failure_class}) {self.result.message}".strip()
        return Status.FAILURE


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
