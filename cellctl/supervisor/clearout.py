"""The clear-out: what a NOK or aborted unit left in the cell is taken out before the next unit.

A unit can stop anywhere: a part in an arm's fingers, a half-built stack in the nest. The
journal knows where each part is (:mod:`cellctl.journal.lifecycle`); the clear-out is planned
from that, with the recipe's own arms and the same journaled pick and place steps a recipe uses:

1. every arm that holds a part opens its tool over a tray: a part the unit had not placed yet
   goes back to the slot it was taken from; a stack (a part with others on it) to the reject tray;
2. every stack left on a station that is not a tray (the nest, a fixture) is picked by
   the arm that put its bottom part there, and placed on the reject tray.

The reject tray is the output tray whose name contains ``nok`` (else the last output tray).
A recipe may instead write its own clear-out in a ``recover:`` section (one step tree, run with
the part model seeded from the journal, so a ``pick`` finds each part where the unit left it).
The steps are journaled under the unit (paths ``recover.…``), so a clear-out interrupted in its
turn is resumed like any unit: steps already done are not done again.
"""

from __future__ import annotations

import numpy as np

from cellctl.config import CellDescription
from cellctl.config.errors import Mark
from cellctl.journal.lifecycle import TRAYS, UnitState
from cellctl.recipe import Recipe
from cellctl.recipe import model as rm
from cellctl.supervisor.builder import build
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.tree import Behaviour


class ClearOutError(ValueError):
    """The cell has nowhere to put a rejected unit (no output tray)."""


def reject_tray(cell: CellDescription) -> tuple[str, str]:
    """(station, slot) where cleared-out stacks go (see module docstring)."""
    trays = [name for name, spec in cell.stations.items() if spec.type == "output_tray" and spec.slots]
    if not trays:
        raise ClearOutError(f"cell {cell.name!r} has no output tray with a slot to clear a unit out to; "
                            "add one (type: output_tray) or take the unit out by hand")
    station = next((t for t in trays if "nok" in t.lower()), trays[-1])
    return station, next(iter(cell.stations[station].slots))


def plan_steps(state: UnitState, cell: CellDescription, recipe: Recipe) -> list[rm.Step]:
    """The clear-out's pick and place steps (see module docstring), in order."""
    mark = Mark(str(recipe.source), 0, 0)
    station, slot = reject_tray(cell)
    stacked_on = {loc.onto for loc in state.moved.values() if loc.onto}
    placed = {part for part, loc in state.moved.items() if not loc.arm} | stacked_on
    steps: list[rm.Step] = []
    for arm, part in sorted(state.held().items()):
        if part in placed:
            steps.append(rm.Place(mark, f"recover.place.{part}", arm_name=arm, part=part, station=station, slot=slot))
        else:
            spec = cell.parts[part]
            steps.append(rm.Place(mark, f"recover.return.{part}", arm_name=arm, part=part,
                                  station=spec.start_station, slot=spec.start_slot))
    for part, loc in state.moved.items():
        if loc.station and cell.stations[loc.station].type not in TRAYS:
            arm = state.pickers.get(part) or next(iter(cell.arms))
            steps += [rm.Pick(mark, f"recover.pick.{part}", arm_name=arm, part=part),
                      rm.Place(mark, f"recover.place.{part}", arm_name=arm, part=part, station=station, slot=slot)]
    return steps


def seed_part_model(ctx: CellContext, state: UnitState) -> None:
    """Put the context's part model where the journal says the unit's parts are."""
    geometry = ctx.geometry
    poses: dict[str, np.ndarray] = {name: geometry.start_pose(name) for name in ctx.cell.parts}
    held: dict[str, str] = {}

    def pose_of(part: str, seen: frozenset[str] = frozenset()) -> np.ndarray:
        loc = state.moved.get(part)
        if loc is None or loc.arm or part in seen:
            return poses[part]
        if loc.onto:
            return geometry.resting_on_part(part, pose_of(loc.onto, seen | {part}), loc.onto)
        return geometry.resting_on_slot(part, loc.station or "", loc.slot or "")

    for part, loc in state.moved.items():
        if loc.arm:
            held[part] = loc.arm
    ctx.parts.poses = {part: pose_of(part) for part in poses}
    ctx.parts.held = held


def prepare(ctx: CellContext, recipe: Recipe, state: UnitState) -> Behaviour:
    """The clear-out of ``state``'s unit as a behaviour tree bound to ``ctx`` (ready to tick): the
    recipe's ``recover`` section if it has one, else the plan of :func:`plan_steps`."""
    ctx.start_unit(state.unit)
    seed_part_model(ctx, state)
    if recipe.recover is not None:
        return build(recipe.recover, ctx)
    steps = plan_steps(state, ctx.cell, recipe)
    mark = Mark(str(recipe.source), 0, 0)
    return build(rm.Sequence(mark, "recover", steps=tuple(steps)), ctx)
