"""The picture of an inspection: the camera image with, per part, where it should be and what was measured.

Expected outlines are dashed yellow; measured sides are solid lines (green when the part passed,
red when not) drawn through their edge points; a missing side is marked on its expected place,
and the outline found there instead (another part, dotted orange).
The offset of each part's centre is drawn as an arrow magnified ``MAGNIFY`` times, and the side
of a failed part that moved most is shown enlarged in an inset, so a shift of less than a
millimetre is seen at a glance; each part's verdict is written beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cellctl.vision.camera import PinholeCamera
from cellctl.vision.judge import Verdict
from cellctl.vision.measure import PartMeasurement, PartTarget

__all__ = ["save_overlay", "MAGNIFY"]

MAGNIFY = 20.0


def save_overlay(path: str | Path, image: np.ndarray, camera: PinholeCamera,
                 results: Sequence[tuple[PartTarget, PartMeasurement, Verdict]], title: str) -> Path:
    """Write the annotated PNG (see module docstring); returns its path."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    height, width = image.shape[:2]
    scale = max(1.0, 1000.0 / width)
    fig = Figure(figsize=(width * scale / 100, height * scale / 100 + 0.5), dpi=100)
    ax = fig.add_axes((0, 0, 1, height / (height + 50 / scale)))
    ax.imshow(np.asarray(image, dtype=np.uint8), extent=(0, width, height, 0), interpolation="nearest")
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    for target, measurement, verdict in results:
        _draw_part(ax, camera, target, measurement, verdict)
    insets = [(t, m, v) for t, m, v in results if not v.ok and m.found][:2]
    for i, (target, measurement, verdict) in enumerate(insets):
        _inset(ax, image, camera, target, measurement, verdict, i)
    ax.text(4, height - 4, "yellow dashed: where the part should be; green/red: its measured edges (passed/failed)",
            color="white", fontsize=8, va="bottom", bbox={"fc": "black", "alpha": 0.6, "ec": "none"})
    failed = [v for _, _, v in results if not v.ok]
    fig.suptitle(f"{title}: {'FAILED' if failed else 'OK'}", color="red" if failed else "green", fontsize=14,
                 y=0.995, va="top")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    return out


def _to_pixels(camera: PinholeCamera, target: PartTarget, local_mm: np.ndarray) -> np.ndarray:
    """Pixels of points given in mm on the part's expected top face."""
    local = np.asarray(local_mm, dtype=float) / 1000.0
    world = [target.top_point(float(x), float(y)) for x, y in local]
    return camera.project(np.array(world))


INSET_PX = 14
"""Pixels either side of a side's middle shown in the enlarged inset."""


def _inset(ax: object, image: np.ndarray, camera: PinholeCamera, target: PartTarget, m: PartMeasurement,
           verdict: Verdict, index: int) -> None:
    """An enlarged view of the side of a failed part whose measured line lies farthest from where it should."""
    assert m.dx is not None and m.dy is not None
    side = ("+x" if m.dx > 0 else "-x") if abs(m.dx) >= abs(m.dy) else ("+y" if m.dy > 0 else "-y")
    hx, hy = target.size[0] / 2.0, target.size[1] / 2.0
    sign = 1.0 if side[0] == "+" else -1.0
    middle = target.top_point(sign * hx, 0.0) if side.endswith("x") else target.top_point(0.0, sign * hy)
    u, v = camera.project(middle[None, :])[0]
    inset = ax.inset_axes((0.70 - 0.36 * index, 0.03, 0.28, 0.36))  # type: ignore[attr-defined]
    inset.imshow(np.asarray(image, dtype=np.uint8), extent=(0, camera.width, camera.height, 0), interpolation="nearest")
    _draw_part(inset, camera, target, m, verdict, label=False)
    inset.set_xlim(u - INSET_PX, u + INSET_PX)
    inset.set_ylim(v + INSET_PX * 0.8, v - INSET_PX * 0.8)
    inset.set_xticks([])
    inset.set_yticks([])
    offset = m.dx if side.endswith("x") else m.dy
    inset.set_title(f"{target.name} side {side}, enlarged: {offset:+.2f} mm", fontsize=9, color="white",
                    backgroundcolor="#ff2020")
    for spine in inset.spines.values():
        spine.set_color("#ff2020")
        spine.set_linewidth(2)


def _draw_part(ax: object, camera: PinholeCamera, target: PartTarget, m: PartMeasurement, verdict: Verdict,
               label: bool = True) -> None:
    colour = "#22cc44" if verdict.ok else "#ff2020"
    outline = camera.project(target.corners())
    closed = np.vstack([outline, outline[:1]])
    ax.plot(closed[:, 0], closed[:, 1], "--", color="yellow", lw=1.5, label="expected")  # type: ignore[attr-defined]
    for fit in m.sides.values():
        if len(fit.pixels):
            ax.plot(fit.pixels[:, 0], fit.pixels[:, 1], ".", color=colour, ms=1.5)  # type: ignore[attr-defined]
    if m.corners is not None:
        measured = _to_pixels(camera, target, np.vstack([m.corners, m.corners[:1]]))
        ax.plot(measured[:, 0], measured[:, 1], "-", color=colour, lw=1.8)  # type: ignore[attr-defined]
        if not verdict.ok and label:
            centre = _to_pixels(camera, target, np.array([[0.0, 0.0], [m.dx * MAGNIFY, m.dy * MAGNIFY]]))  # type: ignore[operator]
            ax.annotate("", centre[1], centre[0], arrowprops={"arrowstyle": "->", "color": colour, "lw": 2.5})  # type: ignore[attr-defined]
    else:
        if m.seen is not None and m.seen.corners is not None:  # what lies there instead
            seen = _to_pixels(camera, target, np.vstack([m.seen.corners, m.seen.corners[:1]]))
            ax.plot(seen[:, 0], seen[:, 1], ":", color="orange", lw=2)  # type: ignore[attr-defined]
        for side in m.missing_sides:
            i = {"+x": (0, 3), "-x": (1, 2), "+y": (0, 1), "-y": (2, 3)}[side]
            seg = outline[list(i)]
            ax.plot(seg[:, 0], seg[:, 1], "-", color=colour, lw=4, alpha=0.8)  # type: ignore[attr-defined]
    if not label:
        return
    top = outline[:, 1].min()
    x = float(np.clip(outline[:, 0].mean(), 0, camera.width))
    text = verdict.text if len(verdict.text) < 110 else verdict.text.split(";")[0]
    if m.found and not verdict.ok and verdict.problem == "shifted":
        text += f"  (arrow: offset x{MAGNIFY:.0f})"
    ax.text(x, max(top - 6, 14), text, color="white", ha="center", va="bottom", fontsize=9,  # type: ignore[attr-defined]
            bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "none", "alpha": 0.85})
