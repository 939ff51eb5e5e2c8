"""The camera part of the ``inspect`` step: take the unit's image, measure the parts, judge, journal.

The image comes from the backend (:meth:`cellctl.hw.HardwareSystem.capture`: rendered by the
simulation, read from a file or URL on a real cell) and is measured by the same code either way
(:mod:`cellctl.vision`). Where each part should be is where the recipe put it (the supervisor's
part model). Each part's result is a row of the journal's ``inspections``; a failed inspection
also leaves its annotated picture beside the journal, its path in the row.
"""

from __future__ import annotations

from pathlib import Path

from cellctl.hw import HardwareError
from cellctl.recipe import model as rm
from cellctl.supervisor.context import CellContext
from cellctl.vision import PartTarget, PinholeCamera, Tolerance, judge, measure_part
from cellctl.vision.overlay import save_overlay

__all__ = ["inspect_placement", "picture_path", "SEARCH_MM"]

SEARCH_MM = 3.0
"""How far (mm) from where each side should be its edge is searched (at least 4 tolerances)."""


def picture_path(journal_path: Path, serial: str, step: rm.Step, attempt: int) -> Path:
    """Where a failed inspection's picture goes: ``<journal>-inspections/<serial>-<step>-<attempt>.png``."""
    folder = journal_path.parent / f"{journal_path.stem}-inspections"
    return folder / f"{serial}-step{step.path}-{attempt}.png"


def inspect_placement(ctx: CellContext, step: rm.Inspect, step_id: int | None, attempt: int) -> str | None:
    """Measure the step's parts in the camera's image; None when all lie in place, else why not."""
    assert ctx.unit is not None and step.camera is not None
    spec = ctx.cell.cameras[step.camera]
    held = [f"{part} is still held by {ctx.parts.held[part]}" for part in step.parts if part in ctx.parts.held]
    if held:
        return f"placement by {step.camera}: {', '.join(held)}"
    try:
        image = ctx.system.capture(spec, ctx.unit.serial)
    except HardwareError as exc:
        return f"placement by {step.camera}: no image ({exc})"
    camera = PinholeCamera(spec.resolution[0], spec.resolution[1], spec.fov, spec.pose.matrix)
    tolerance = Tolerance(step.tolerance, step.yaw_tolerance)
    results = []
    sizes = {part: tuple(float(v) for v in ctx.cell.parts[part].size) for part in step.parts}
    for part in step.parts:
        target = PartTarget(part, ctx.parts.poses[part], sizes[part])  # type: ignore[arg-type]
        measured = measure_part(image, camera, target, search_mm=max(SEARCH_MM, 4 * step.tolerance))
        others = [(s[0] * 1000.0, s[1] * 1000.0) for p, s in sizes.items() if p != part]
        results.append((target, measured, judge(measured, target, tolerance, others)))
    failed = [verdict for _, _, verdict in results if not verdict.ok]
    picture = None
    if failed:
        path = picture_path(Path(ctx.journal.path), ctx.unit.serial, step, attempt)
        picture = str(save_overlay(path, image, camera, results, f"{ctx.unit.serial} {step.label}"))
    for target, m, verdict in results:
        ctx.journal.add_inspection(unit_id=ctx.unit.id, step_id=step_id, at=ctx.now(), camera=step.camera,
                                   part=target.name, ok=int(verdict.ok), problem=verdict.problem, dx=m.dx, dy=m.dy,
                                   yaw=m.yaw, length=m.length, width=m.width, tolerance=step.tolerance,
                                   message=verdict.text, image=None if verdict.ok else picture)
    if not failed:
        return None
    return f"placement by {step.camera}: {'; '.join(v.text for v in failed)} (picture: {picture})"
