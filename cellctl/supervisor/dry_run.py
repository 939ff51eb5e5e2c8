"""The supervisor's dry run: a recipe's steps planned exactly as a run would plan them, on
virtual arms that start at home, with no hardware at all.

``cellctl validate`` (through :mod:`cellctl.recipe.validate`) and the planned-motion plots use
it. Each leaf is built with the real step implementation (:data:`~cellctl.supervisor.leaves.LEAVES`)
and asked for its actions; motions are planned from where the previous motion of the same arm
ended, tool actions and dwells count their nominal time, and the leaf's effect on the parts is
applied. Every alternative of a fallback is planned from the same state, and the run continues
from the first (nominal) one, whose motions alone are kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np

from cellctl.config import CellDescription, Mark
from cellctl.hw import BackOutCommand, GripperCommand, ScrewProgram
from cellctl.journal import Journal
from cellctl.motion import IKError, JointLimits, PathError, SampledMotion
from cellctl.recipe import Recipe
from cellctl.recipe import model as rm
from cellctl.supervisor.actions import AcquireZones, Dwell, MoveAction, Tool
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.geometry import CellGeometry
from cellctl.supervisor.leaves import LEAVES

GRIPPER_SECONDS = 0.5  # nominal gripper or vacuum action
BACK_OUT_SECONDS = 1.0  # nominal back-out of one screw
SEATING_SECONDS = 0.2  # a screw's seating after its rundown at full speed


@dataclass
class DryRun:
    """What a dry run found: problems at their steps, and the nominal path as planned."""

    problems: list[tuple[Mark, str]] = field(default_factory=list)
    cycle_time_s: float = 0.0
    motions: dict[str, list[SampledMotion]] = field(default_factory=dict)  # arm -> nominal motions, in order
    limits: dict[str, JointLimits] = field(default_factory=dict)  # arm -> its joint limits
    zone_steps: dict[str, list[str]] = field(default_factory=dict)  # zone -> step labels using it
    planned: int = 0  # motions planned, every fallback alternative's included


class _NoHardware:
    """The hardware of a dry run: there is none, and asking for it is a programming error."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"a dry run plans only and has no hardware (a step asked for system.{name})")


def dry_run(recipe: Recipe, cell: CellDescription) -> DryRun:
    """Plan one nominal unit of ``recipe`` on ``cell`` (see module docstring)."""
    return _Planner(cell).run(recipe)


class _Planner:
    def __init__(self, cell: CellDescription) -> None:
        geometry = CellGeometry(cell)
        journal = Journal(":memory:")
        self.ctx = CellContext(system=_NoHardware(), cell=cell, geometry=geometry, journal=journal)  # type: ignore[arg-type]
        self.ctx.start_unit(journal.start_unit("DRY", "dry run", "0", cell.name, 0.0))
        self.q = {name: np.array(spec.home, dtype=float) for name, spec in cell.arms.items()}
        self.result = DryRun(motions={name: [] for name in cell.arms},
                             limits={name: arm.limits for name, arm in geometry.arms.items()})

    def run(self, recipe: Recipe) -> DryRun:
        self.result.cycle_time_s = self._time(recipe.root)
        end_of_unit = self._snapshot()
        for branch in recipe.maintenance.values():  # planned from where a unit ends; not in the cycle time
            self._time(branch)
            self._restore(end_of_unit)
        return self.result

    def _time(self, step: rm.Step) -> float:
        if isinstance(step, (rm.Sequence, rm.Retry)):
            return sum(self._time(child) for child in step.steps)
        if isinstance(step, rm.Parallel):
            return max(self._time(child) for child in step.steps)
        if isinstance(step, rm.Fallback):
            return self._fallback(step)
        return self._leaf(step)

    def _fallback(self, step: rm.Fallback) -> float:
        saved = self._snapshot()
        nominal_state, nominal_time = None, 0.0
        for i, child in enumerate(step.steps):
            self._restore(saved)
            duration = self._time(child)
            if i == 0:
                nominal_state, nominal_time = self._snapshot(), duration
        assert nominal_state is not None
        self._restore(nominal_state)
        return nominal_time

    def _snapshot(self) -> tuple:
        ctx = self.ctx
        planned = {arm: list(motions) for arm, motions in self.result.motions.items()}  # motions are immutable
        return copy.deepcopy((self.q, ctx.parts.poses, ctx.parts.held, ctx.finished_ids)) + (planned,)

    def _restore(self, state: tuple) -> None:
        q, poses, held, finished = copy.deepcopy(state[:4])
        self.q, self.ctx.parts.poses, self.ctx.parts.held, self.ctx.finished_ids = q, poses, held, finished
        # the motions planned up to the snapshot: an alternative's are not on the nominal path
        self.result.motions = {arm: list(motions) for arm, motions in state[4].items()}

    def _problem(self, step: rm.Step, message: str) -> None:
        self.result.problems.append((step.mark, message))

    def _leaf(self, step: rm.Step) -> float:
        leaf = LEAVES[type(step)](step, self.ctx)
        try:
            actions, _ = leaf.plan()
        except Exception as exc:  # noqa: BLE001 - any planning failure is a recipe problem here
            self._problem(step, f"{step.label}: {exc}")
            return 0.0
        total = 0.0
        for action in actions:
            if isinstance(action, MoveAction):
                try:
                    motion = action.plan(self.ctx, self.q[action.arm])
                except (IKError, PathError, ValueError) as exc:
                    what = step.label if action.what == step.label else f"{step.label}: {action.what}"
                    self._problem(step, f"{what}: {exc}")
                    return total
                total += motion.duration
                self.q[action.arm] = motion.sample([motion.duration]).position[0]
                self.result.motions[action.arm].append(motion)
                self.result.planned += 1
            elif isinstance(action, Tool):
                total += tool_seconds(action.command)
            elif isinstance(action, Dwell):
                total += action.seconds
            elif isinstance(action, AcquireZones):
                for zone in action.zones:
                    self.result.zone_steps.setdefault(zone, []).append(f"{step.label} ({action.arm})")
        leaf.effect()
        if step.id:
            self.ctx.finished_ids.add(step.id)
        return total


def tool_seconds(command: object) -> float:
    """A tool command's nominal duration."""
    if isinstance(command, ScrewProgram):
        return command.angle_max / (command.max_speed * 6.0) + SEATING_SECONDS  # rundown at full speed + seating
    if isinstance(command, BackOutCommand):
        return BACK_OUT_SECONDS
    if isinstance(command, GripperCommand):
        return GRIPPER_SECONDS
    return 0.0
