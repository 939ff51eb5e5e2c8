"""Static checks of a recipe against a cell, before anything moves.

1. References: arms (with the tools a step needs), parts, stations and slots, holes and
   programs, step ids; every problem is reported at the step's ``FILE:LINE:COL``.
2. The supervisor's dry run (:func:`cellctl.supervisor.dry_run.dry_run`): the real step
   implementations plan every motion on virtual arms (start at home), so unreachable poses,
   joint limits and singular straight moves are found with the step that asks for them; every
   alternative of a fallback is planned too.
3. Interlocks: every arm's home must lie outside the interlock zones (steps leave a zone by
   going home before they release it), so two arms never hold a zone at once.
4. An estimated cycle time: motions as planned, tools at their nominal times; sequences add
   up, parallel branches take the longest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cellctl.config import ArmSpec, CellDescription, Mark
from cellctl.motion import JointLimits, Samples
from cellctl.recipe import model as rm
from cellctl.supervisor.dry_run import dry_run
from cellctl.supervisor.geometry import CellGeometry, arm_geometry


@dataclass(frozen=True)
class Problem:
    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


@dataclass
class Validation:
    """The outcome: problems (empty when valid) and what the dry run measured."""

    problems: list[Problem] = field(default_factory=list)
    cycle_time_s: float = 0.0
    motions: int = 0
    zone_steps: dict[str, list[str]] = field(default_factory=dict)  # zone -> step labels using it

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(recipe: rm.Recipe, cell: CellDescription) -> Validation:
    """Check a recipe against a cell (see module docstring)."""
    result = Validation()
    if recipe.cell is not None and recipe.cell != cell.name:
        result.problems.append(Problem(recipe.mark, f"the recipe is written for cell {recipe.cell!r}, "
                                                    f"not {cell.name!r}; use the right cell file or change 'cell'"))
    result.problems.extend(_references(recipe, cell))
    result.problems.extend(_homes_outside_zones(cell))
    result.problems.extend(_quality_programs(recipe, cell))
    if not result.problems:
        planned = dry_run(recipe, cell)
        result.problems.extend(Problem(mark, message) for mark, message in planned.problems)
        result.cycle_time_s, result.motions, result.zone_steps = planned.cycle_time_s, planned.planned, planned.zone_steps
    return result


def _quality_programs(recipe: rm.Recipe, cell: CellDescription) -> list[Problem]:
    """Chart limits given in ``quality.limits`` must name programs of the cell."""
    limits = recipe.quality.limits if recipe.quality is not None else {}
    return [Problem(given.mark or recipe.mark, f"quality.limits: program {name!r} is not in the cell; valid: "
                                               f"{', '.join(cell.programs)}")
            for name, given in limits.items() if name not in cell.programs]


# ------------------------------------------------------------------ references
_TOOLS = {rm.Pick: ("parallel_gripper",), rm.Place: ("parallel_gripper",), rm.Screw: ("vacuum", "screwdriver"),
          rm.BackOut: ("screwdriver",), rm.ChangeBit: ("screwdriver",)}


def _references(recipe: rm.Recipe, cell: CellDescription) -> list[Problem]:
    problems: list[Problem] = []
    ids: dict[str, rm.Step] = {}

    def need(ok: bool, step: rm.Step, message: str) -> bool:
        if not ok:
            problems.append(Problem(step.mark, message))
        return ok

    def valid(name: str | None, options: dict, what: str) -> str:
        return f"{what} {name!r} is not in the cell; valid: {', '.join(sorted(options)) or 'none'}"

    for step in recipe.walk():
        if step.id:
            need(step.id not in ids, step, f"id {step.id!r} is used twice (first at line {ids.get(step.id, step).mark.line})")
            ids.setdefault(step.id, step)
        arm = step.arm
        if arm is not None and need(arm in cell.arms, step, valid(arm, cell.arms, "arm")):
            for tool in _TOOLS.get(type(step), ()):
                need(cell.arms[arm].tool_of_type(tool) is not None, step,
                     f"arm {arm!r} has no {tool} tool, which a {step.kind} step needs")
        if isinstance(step, (rm.Pick, rm.Place)):
            need(step.part in cell.parts, step, valid(step.part, cell.parts, "part"))
        if isinstance(step, rm.Pick) and step.part in cell.parts:
            grasps = cell.parts[step.part].grasps
            need(step.grasp in grasps, step, f"part {step.part!r} has no grasp {step.grasp!r}; valid: {', '.join(grasps)}")
        if isinstance(step, rm.Place):
            if need(step.station in cell.stations, step, valid(step.station, cell.stations, "station")):
                slots = cell.stations[step.station].slots
                need(step.slot in slots, step, f"station {step.station!r} has no slot {step.slot!r}; valid: {', '.join(slots)}")
            if step.onto is not None:
                need(step.onto in cell.parts, step, valid(step.onto, cell.parts, "part (onto)"))
        if isinstance(step, (rm.Screw, rm.BackOut)):
            if need(step.hole in cell.holes, step, valid(step.hole, cell.holes, "hole")) and isinstance(step, rm.Screw):
                program = step.program or cell.holes[step.hole].program_name
                need(program in cell.programs, step, valid(program, cell.programs, "tightening program"))
        if isinstance(step, rm.Inspect):
            for hole in step.holes:
                need(hole in cell.holes, step, valid(hole, cell.holes, "hole"))
            if step.camera is not None:
                need(step.camera in cell.cameras, step, valid(step.camera, cell.cameras, "camera"))
            for part in step.parts:
                if need(part in cell.parts, step, valid(part, cell.parts, "part")):
                    need(cell.parts[part].shape == "box", step, f"part {part!r} is a {cell.parts[part].shape}; "
                         "the camera measures box-shaped parts only (their four straight sides)")
        if isinstance(step, (rm.When, rm.Reject)) and step.hole is not None:
            need(step.hole in cell.holes, step, valid(step.hole, cell.holes, "hole"))
        if isinstance(step, rm.ChangeBit):
            stations = {n: s for n, s in cell.stations.items() if s.type == "tool_station"}
            if need(step.station in stations, step, valid(step.station, stations, "tool station")):
                slots = cell.stations[step.station].slots
                need(step.slot is None or step.slot in slots, step,
                     f"station {step.station!r} has no slot {step.slot!r}; valid: {', '.join(slots)}")
        if isinstance(step, rm.MoveStep):
            spec = cell.arms.get(step.arm_name)
            for target in step.targets:
                if target.named is not None:
                    need(target.named == "home", step, f"named position {target.named!r} is unknown; valid: home")
                if target.joints is not None and spec is not None:
                    _check_joints(step, spec, target.joints, need)
    for step in recipe.walk():
        if isinstance(step, rm.Wait):
            for ref in step.after:
                need(ref in ids, step, f"wait after {ref!r}: no step has that id; ids: {', '.join(sorted(ids)) or 'none'}")
    return problems


def _check_joints(step: rm.Step, spec: ArmSpec, joints: np.ndarray, need: Callable[[bool, rm.Step, str], bool]) -> None:
    if not need(len(joints) == spec.dof, step, f"joints has {len(joints)} values; arm {spec.name!r} has {spec.dof} joints"):
        return
    chain = next(iter(arm_geometry(spec).chains.values()))
    for i, (q, lo, hi) in enumerate(zip(joints, chain.lower, chain.upper)):
        need(lo <= q <= hi, step, f"joints[{i}] ({spec.joints[i]}) = {q} is outside its limits; valid: {lo:.4f} .. {hi:.4f}")


def _homes_outside_zones(cell: CellDescription) -> list[Problem]:
    geometry = CellGeometry(cell)
    problems = []
    for name, arm in geometry.arms.items():
        tool = next(iter(arm.chains))
        home = arm.fk(tool, arm.spec.home)[:3, 3]
        for zone in geometry.zones_containing(name, home):
            problems.append(Problem(arm.spec.mark, f"arm {name!r}: its home puts the tool inside interlock zone "
                                                   f"{zone!r}; steps leave a zone by going home, so home must be outside it"))
    return problems


def plan_motions(recipe: rm.Recipe, cell: CellDescription, rate: float = 200.0) -> dict[str, tuple[Samples, JointLimits]]:
    """Every arm's planned motions of one nominal unit, end to end (motion time, no waiting;
    a fallback's nominal alternative only, so the motions join up)."""
    planned = dry_run(recipe, cell)
    out = {}
    for arm, motions in planned.motions.items():
        if not motions:
            continue
        parts, offset = [], 0.0
        for motion in motions:
            s = motion.sample(rate=rate)
            parts.append((offset, s))
            offset += motion.duration
        fields = {f: np.concatenate([getattr(s, f) for _, s in parts]) for f in ("position", "velocity", "acceleration", "jerk")}
        samples = Samples(time=np.concatenate([o + s.time for o, s in parts]), **fields)
        out[arm] = (samples, planned.limits[arm])
    return out
