"""Where a box-shaped part lies, measured from one image of a calibrated camera.

For each of the four sides of the part's top face (where it should be: the expected pose), the
scanlines that cross the side's image (rows for a side that runs up the image, columns for one
that runs across) are searched for the edge within ``search_mm`` of it (:mod:`cellctl.vision.edges`);
every edge point is taken back through the camera onto the plane of the top face and into the
part's expected frame, in mm, and a line is fitted per side. The four lines give the measured
rectangle: its centre's offset (x, y along the part's own axes), its turn (yaw) and its size.
A side with edges on fewer than half of its scanlines counts as not found (the part is missing,
or far off). Then the sides are searched again ``wide_mm`` either side, and what outline is
there (another part beneath, or a swapped part in its place) is measured as ``seen``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cellctl.vision.camera import PinholeCamera
from cellctl.vision.edges import Line, fit_line, scan_edges

__all__ = ["PartTarget", "SideFit", "PartMeasurement", "measure_part", "SIDES"]

SIDES = ("+x", "-x", "+y", "-y")
SPAN = 0.8
"""Share of each side scanned (its middle; the corners are left out)."""
MIN_FOUND = 0.5
"""Share of a side's scanlines that must find its edge for the side to count as found."""


@dataclass(frozen=True)
class PartTarget:
    """A part as it should lie: ``pose`` (4×4, its centre in the world) and ``size`` (x, y, z) in m."""

    name: str
    pose: np.ndarray
    size: tuple[float, float, float]

    def top_point(self, x: float, y: float) -> np.ndarray:
        """World point at (x, y) m on the top face, in the part's frame."""
        return (self.pose @ np.array([x, y, self.size[2] / 2.0, 1.0]))[:3]

    def corners(self) -> np.ndarray:
        """The top face's corners in the world (4, 3), counter-clockwise from (+x, +y)."""
        hx, hy = self.size[0] / 2.0, self.size[1] / 2.0
        return np.array([self.top_point(sx * hx, sy * hy) for sx, sy in ((1, 1), (-1, 1), (-1, -1), (1, -1))])


@dataclass(frozen=True)
class SideFit:
    """One side: its edge points (image pixels, and mm in the part's expected frame) and their line."""

    side: str
    pixels: np.ndarray
    points: np.ndarray
    line: Line | None
    scanlines: int

    @property
    def found(self) -> bool:
        return self.line is not None and self.scanlines > 0 and len(self.points) >= MIN_FOUND * self.scanlines


@dataclass(frozen=True)
class PartMeasurement:
    """What the image says about one part (lengths in mm, angles in degrees, in its expected frame)."""

    part: str
    sides: dict[str, SideFit] = field(default_factory=dict)
    dx: float | None = None
    dy: float | None = None
    yaw: float | None = None
    length: float | None = None
    width: float | None = None
    corners: np.ndarray | None = None
    """The measured top face's corners in the part's expected frame (4, 2) mm, when all sides were found."""
    seen: PartMeasurement | None = None
    """When the part was not found: the outline found by the wide search where it should be, if any."""

    @property
    def found(self) -> bool:
        return self.dx is not None

    @property
    def missing_sides(self) -> list[str]:
        return [s for s in SIDES if s not in self.sides or not self.sides[s].found]


def measure_part(image: np.ndarray, camera: PinholeCamera, target: PartTarget, *, search_mm: float = 3.0,
                 min_contrast: float = 12.0, wide_mm: float | None = 25.0) -> PartMeasurement:
    """Measure one part (see module docstring). ``image``: (H, W) or (H, W, channels), 0..255."""
    img = np.asarray(image, dtype=float)
    sides = {side: _side(img, camera, target, side, search_mm, min_contrast) for side in SIDES}
    if not all(fit.found for fit in sides.values()):
        seen = None
        if wide_mm is not None and wide_mm > search_mm:
            wide = measure_part(img, camera, target, search_mm=wide_mm, min_contrast=min_contrast, wide_mm=None)
            seen = wide if wide.found else None
        return PartMeasurement(target.name, sides, seen=seen)
    lines = {s: f.line for s, f in sides.items()}
    corners = np.array([_intersect(lines[a], lines[b]) for a, b in (("+x", "+y"), ("-x", "+y"), ("-x", "-y"),
                                                                     ("+x", "-y"))])
    centre = corners.mean(axis=0)
    turns = [_turn(lines[s], np.array([0.0, 1.0]) if s.endswith("x") else np.array([1.0, 0.0])) for s in SIDES]
    length = 0.5 * (abs(lines["+x"].distance(lines["-x"].point[None])[0])
                    + abs(lines["-x"].distance(lines["+x"].point[None])[0]))
    width = 0.5 * (abs(lines["+y"].distance(lines["-y"].point[None])[0])
                   + abs(lines["-y"].distance(lines["+y"].point[None])[0]))
    return PartMeasurement(target.name, sides, float(centre[0]), float(centre[1]), math.degrees(float(np.mean(turns))),
                           float(length), float(width), corners)


def _side(image: np.ndarray, camera: PinholeCamera, target: PartTarget, side: str, search_mm: float,
          min_contrast: float) -> SideFit:
    hx, hy = target.size[0] / 2.0, target.size[1] / 2.0
    sign = 1.0 if side[0] == "+" else -1.0
    if side.endswith("x"):
        ends = [target.top_point(sign * hx, t * SPAN * hy) for t in (-1.0, 1.0)]
    else:
        ends = [target.top_point(t * SPAN * hx, sign * hy) for t in (-1.0, 1.0)]
    a, b = camera.project(np.array(ends))
    if not np.all(np.isfinite([a, b])):
        return SideFit(side, np.empty((0, 2)), np.empty((0, 2)), None, 0)
    distance = float(np.linalg.norm(0.5 * (ends[0] + ends[1]) - camera.pose[:3, 3]))
    reach = search_mm / camera.mm_per_pixel(distance)  # pixels either side of the expected edge
    d = b - a
    rows = abs(d[1]) >= abs(d[0])  # a side running up the image is crossed by rows, else by columns
    scan, step = (0, 1) if rows else (1, 0)  # the pixel coordinate along a scanline, and between scanlines
    lo, hi = sorted((a[step], b[step]))
    lines = np.arange(math.ceil(lo - 0.5), math.floor(hi - 0.5) + 1)  # pixel rows (or columns) crossed
    lines = lines[(lines >= 0) & (lines < (camera.height if rows else camera.width))]
    if len(lines) == 0:
        return SideFit(side, np.empty((0, 2)), np.empty((0, 2)), None, 0)
    centres = lines + 0.5
    expected = a[scan] + (centres - a[step]) * d[scan] / d[step]
    first = np.floor(expected - reach).astype(int)
    starts = np.column_stack([first, lines]) if rows else np.column_stack([lines, first])
    found = scan_edges(image, starts, 1 if rows else 0, int(math.ceil(2 * reach)) + 2, min_contrast=min_contrast,
                       expected=expected)
    if not found:
        return SideFit(side, np.empty((0, 2)), np.empty((0, 2)), None, len(lines))
    index = np.array([k for k, _ in found])
    position = np.array([e.position for _, e in found])
    pixels = np.column_stack([position, centres[index]]) if rows else np.column_stack([centres[index], position])
    world = camera.to_plane(pixels, target.top_point(0.0, 0.0), target.pose[:3, 2])
    local = (np.column_stack([world, np.ones(len(world))]) @ np.linalg.inv(target.pose).T)[:, :2] * 1000.0
    line = fit_line(local, floor=0.02)
    return SideFit(side, pixels, local, line, len(lines))


def _intersect(a: Line, b: Line) -> np.ndarray:
    """Where two lines cross (they are not parallel: two neighbouring sides)."""
    matrix = np.column_stack([a.direction, -b.direction])
    t = np.linalg.solve(matrix, b.point - a.point)
    return a.point + t[0] * a.direction


def _turn(line: Line, nominal: np.ndarray) -> float:
    """The angle (rad, counter-clockwise) from the side's nominal direction to its fitted one."""
    d = line.direction if line.direction @ nominal >= 0 else -line.direction
    return math.atan2(nominal[0] * d[1] - nominal[1] * d[0], nominal @ d)
