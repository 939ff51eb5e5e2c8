"""Judging a measured part against the recipe's tolerances, in words an operator acts on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cellctl.vision.measure import PartMeasurement, PartTarget

__all__ = ["Tolerance", "Verdict", "judge"]


@dataclass(frozen=True)
class Tolerance:
    """How far a part may lie from where it should: ``xy`` mm along each of its axes, ``yaw``
    degrees, and ``size`` mm of its length and width (more means another part: a swap)."""

    xy: float = 0.4
    yaw: float = 1.0
    size: float = 1.5


@dataclass(frozen=True)
class Verdict:
    """One part's verdict: ``ok`` and the reason when not (``problem``: missing, shifted, turned, wrong_part)."""

    part: str
    ok: bool
    problem: str | None
    text: str


def judge(m: PartMeasurement, target: PartTarget, tol: Tolerance,
          others: Sequence[tuple[float, float]] = ()) -> Verdict:
    """The verdict on one measured part. ``others``: the sizes (mm) of the other parts inspected with
    it; an outline of one of those sizes where the part should be is that part, seen beneath it."""
    name = m.part
    if not m.found:
        sides = ", ".join(m.missing_sides)
        seen = m.seen
        if seen is not None and seen.length is not None and seen.width is not None and not any(
                abs(seen.length - a) <= tol.size and abs(seen.width - b) <= tol.size for a, b in others):
            return Verdict(name, False, "wrong_part",
                           f"{name} not found (no edge on side {sides}); a {seen.length:.1f} x {seen.width:.1f} mm "
                           f"part lies where it should be ({name} is {target.size[0] * 1000:.1f} x "
                           f"{target.size[1] * 1000:.1f} mm): a swapped part? check the kit")
        return Verdict(name, False, "missing", f"{name} missing or far off (no edge found on side {sides}); look "
                                               "in the nest and the gripper, then check the part's pick and place")
    assert m.dx is not None and m.dy is not None and m.yaw is not None and m.length is not None and m.width is not None
    length, width = target.size[0] * 1000.0, target.size[1] * 1000.0
    if abs(m.length - length) > tol.size or abs(m.width - width) > tol.size:
        return Verdict(name, False, "wrong_part",
                       f"{name}: the part found measures {m.length:.1f} x {m.width:.1f} mm, {name} is {length:.1f} x "
                       f"{width:.1f} mm (tolerance {tol.size:.1f} mm): a wrong or swapped part; check the kit")
    position = f"x {m.dx:+.2f} mm, y {m.dy:+.2f} mm, yaw {m.yaw:+.2f}°"
    if abs(m.dx) > tol.xy or abs(m.dy) > tol.xy:
        return Verdict(name, False, "shifted", f"{name} shifted: {position} (tolerance {tol.xy:.2f} mm, "
                                               f"{tol.yaw:.1f}°); check the gripper and the part's seat in the nest")
    if abs(m.yaw) > tol.yaw:
        return Verdict(name, False, "turned", f"{name} turned: {position} (tolerance {tol.xy:.2f} mm, "
                                              f"{tol.yaw:.1f}°); check the gripper and the part's seat in the nest")
    return Verdict(name, True, None, f"{name} in place: {position}")
