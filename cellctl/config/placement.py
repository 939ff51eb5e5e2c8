"""Geometric checks of a cell description: holes on their parts, grasps on their parts, slots on their stations.

A value that is well-formed can still put a hole in mid-air (the simulation would then record an
OK tightening half a metre from the part). These checks run while the cell is read, so each
error points at the offending pose's ``FILE:LINE:COL``, names the item, says how far off it is
and what would be valid.

Shapes are the parts' own (a box ``[x, y, z]`` or a cylinder ``[radius, height]``, centred on
the part frame). A hole that ``joins`` other parts sits on top of them: they are stacked,
centred, on the part's top face, and the hole's entry lies on that stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cellctl.config.errors import ConfigError, Mark
from cellctl.config.model import PartSpec, StationSpec
from cellctl.config.pose import Pose

__all__ = ["HOLE_TOLERANCE", "HOLE_MAX_TILT", "SLOT_TOLERANCE", "GRASP_REACH", "Solid", "check_hole", "check_grasp", "check_slot"]

HOLE_TOLERANCE = 0.001
"""Metres a hole entry may lie off its part's surface (a drawing's rounding, not a misplaced hole)."""
SLOT_TOLERANCE = 0.001
"""Metres a slot may lie above or below its station's top face."""
GRASP_REACH = 0.02
"""Metres a grasp's tool centre point may lie away from its part (fingers reach past their TCP)."""
HOLE_MAX_TILT = 30.0
"""Degrees a hole's axis (z, out of the hole) may lean from its surface's outward normal."""


def _mm(metres: float) -> str:
    return f"{metres * 1000:.3g} mm" if abs(metres) < 0.1 else f"{metres:.3g} m"


def _xyz(point: np.ndarray) -> str:
    """``[x, y, z]`` to 4 significant digits, to the micrometre (no ``-0``, no ``4e-08``)."""
    return "[" + ", ".join(f"{round(float(v), 6) + 0.0:.4g}" for v in point) + "]"


@dataclass(frozen=True)
class Solid:
    """A box (``radius`` None) or an upright cylinder, centred at ``(0, 0, centre_z)`` of a part frame.

    Attributes:
        half: half extents (x, y, z); a cylinder's x and y are its radius.
        centre_z: the centre's height in the part frame.
        radius: set for a cylinder.
    """

    half: np.ndarray
    centre_z: float = 0.0
    radius: float | None = None

    @classmethod
    def of(cls, part: PartSpec, extra_height: float = 0.0) -> Solid:
        """The part's shape, grown upwards by ``extra_height`` (parts stacked on its top face)."""
        half_z = part.height / 2
        if part.shape == "box":
            half = np.array([part.size[0] / 2, part.size[1] / 2, half_z + extra_height / 2])
            return cls(half, extra_height / 2)
        radius = float(part.size[0])
        return cls(np.array([radius, radius, half_z + extra_height / 2]), extra_height / 2, radius)

    @property
    def top(self) -> float:
        """Height of the top face in the part frame."""
        return self.centre_z + float(self.half[2])

    def signed_distance(self, point: np.ndarray) -> float:
        """Distance to the surface: positive outside, negative inside."""
        p = np.asarray(point, dtype=float) - np.array([0.0, 0.0, self.centre_z])
        if self.radius is None:
            q = np.abs(p) - self.half
        else:
            q = np.array([float(np.hypot(p[0], p[1])) - self.radius, abs(p[2]) - self.half[2]])
        return float(np.linalg.norm(np.maximum(q, 0.0)) + min(float(q.max()), 0.0))

    def footprint_excess(self, xy: np.ndarray) -> float:
        """How far (metres) a point's x, y lie outside the top face (0 when over it)."""
        if self.radius is None:
            return float(np.linalg.norm(np.maximum(np.abs(xy[:2]) - self.half[:2], 0.0)))
        return max(float(np.hypot(xy[0], xy[1])) - self.radius, 0.0)

    def normal(self, point: np.ndarray) -> np.ndarray:
        """The outward normal of the face nearest to ``point``."""
        p = np.asarray(point, dtype=float) - np.array([0.0, 0.0, self.centre_z])
        if self.radius is not None and float(np.hypot(p[0], p[1])) - self.radius > abs(p[2]) - self.half[2]:
            radial = np.array([p[0], p[1], 0.0])
            return radial / max(float(np.linalg.norm(radial)), 1e-12)
        axis = 2 if self.radius is not None else int(np.argmax(np.abs(p) - self.half))
        out = np.zeros(3)
        out[axis] = 1.0 if p[axis] >= 0.0 else -1.0
        return out

    def hit_by(self, origin: np.ndarray, direction: np.ndarray) -> bool:
        """True when the ray from ``origin`` along ``direction`` meets the solid's bounding box."""
        low = np.array([-self.half[0], -self.half[1], self.centre_z - self.half[2]])
        high = np.array([self.half[0], self.half[1], self.centre_z + self.half[2]])
        t_near, t_far = 0.0, np.inf
        for axis in range(3):
            if abs(direction[axis]) < 1e-12:
                if not low[axis] <= origin[axis] <= high[axis]:
                    return False
                continue
            t1, t2 = sorted(((low[axis] - origin[axis]) / direction[axis], (high[axis] - origin[axis]) / direction[axis]))
            t_near, t_far = max(t_near, t1), min(t_far, t2)
        return t_near <= t_far

    def describe(self) -> str:
        """``box 0.15 × 0.07 × 0.008 m`` or ``cylinder r 0.02 m × 0.01 m``."""
        if self.radius is None:
            return "box " + " × ".join(f"{2 * h:.4g}" for h in self.half) + " m"
        return f"cylinder r {self.radius:.4g} m × {2 * self.half[2]:.4g} m"

    def footprint_text(self) -> str:
        """Where over the top face a point is, e.g. ``|x| <= 0.075, |y| <= 0.035``."""
        if self.radius is None:
            return f"|x| <= {self.half[0]:.4g}, |y| <= {self.half[1]:.4g}"
        return f"within {self.radius:.4g} m of the axis"

    def on_top_text(self) -> str:
        """Where on the top face a point is valid, e.g. ``z = 0.01 with |x| <= 0.075, |y| <= 0.035``."""
        return f"z = {self.top:.4g} with {self.footprint_text()}"


def check_hole(name: str, part: PartSpec, pose: Pose, joins: tuple[str, ...], parts: Mapping[str, PartSpec],
               mark: Mark, path: str) -> None:
    """A hole entry must lie on its part's surface, or on the parts it joins, stacked on the part's top;
    its axis must point out of that surface (within :data:`HOLE_MAX_TILT`).

    Raises:
        ConfigError: at ``mark``, naming the hole, the part, the distance and where it would be valid.
    """
    stacked = [parts[p] for p in joins]
    solid = Solid.of(part, sum(p.height for p in stacked))
    _hole_on_surface(name, part, stacked, solid, pose.position, mark, path)
    for other in stacked:
        _hole_through(name, other, pose.position, mark, path)
    _hole_axis_out(name, part, solid, pose, mark, path)


def _hole_on_surface(name: str, part: PartSpec, stacked: list[PartSpec], solid: Solid, entry: np.ndarray,
                     mark: Mark, path: str) -> None:
    """The entry lies on ``solid`` (the part with its stack) within :data:`HOLE_TOLERANCE`."""
    off = solid.signed_distance(entry)
    if abs(off) <= HOLE_TOLERANCE:
        return
    with_stack = f", with {', '.join(f'{p.name} ({p.height:g} m)' for p in stacked)} stacked on top" if stacked else ""
    where = "outside" if off > 0 else "inside"
    raise ConfigError(mark, f"{path}: hole {name}'s entry {_xyz(entry)} lies {_mm(abs(off))} {where} the surface "
                      f"of part {part.name} ({Solid.of(part).describe()}{with_stack}); a hole entry must lie on that "
                      f"surface within {_mm(HOLE_TOLERANCE)}, e.g. on top: {solid.on_top_text()}")


def _hole_through(name: str, joined: PartSpec, entry: np.ndarray, mark: Mark, path: str) -> None:
    """The entry lies over ``joined`` (the screw passes through every part it joins)."""
    solid = Solid.of(joined)
    excess = solid.footprint_excess(entry)
    if excess > HOLE_TOLERANCE:
        raise ConfigError(mark, f"{path}: hole {name} at x={entry[0]:.4g}, y={entry[1]:.4g} lies {_mm(excess)} "
                          f"beyond part {joined.name} ({solid.describe()}), which it joins; a screw that joins "
                          f"{joined.name} must pass through it: {solid.footprint_text()}")


def _hole_axis_out(name: str, part: PartSpec, solid: Solid, pose: Pose, mark: Mark, path: str) -> None:
    """The hole's z axis leans at most :data:`HOLE_MAX_TILT` from the nearest face's outward normal."""
    axis, normal = pose.rotation[:, 2], solid.normal(pose.position)
    tilt = float(np.degrees(np.arccos(np.clip(axis @ normal, -1.0, 1.0))))
    if tilt > HOLE_MAX_TILT:
        raise ConfigError(mark, f"{path}: hole {name}'s axis (its z, out of the hole: {_xyz(axis)} in the part "
                          f"frame) is {tilt:.0f}° from the outward normal {_xyz(normal)} of part {part.name}'s "
                          f"surface there; it must point out of the surface within {HOLE_MAX_TILT:g}°, e.g. no "
                          "rotation (rpy [0, 0, 0]) for a hole on the top face")


def check_grasp(name: str, part: PartSpec, pose: Pose, mark: Mark, path: str) -> None:
    """A grasp's tool centre point must lie within :data:`GRASP_REACH` of its part, its z axis pointing at it.

    Raises:
        ConfigError: at ``mark``, naming the grasp, the part and the distance.
    """
    solid = Solid.of(part)
    tcp, axis = pose.position, pose.rotation[:, 2]
    off = solid.signed_distance(tcp)
    if off > GRASP_REACH:
        raise ConfigError(mark, f"{path}: grasp {name}'s tool centre point {_xyz(tcp)} lies {_mm(off)} from part "
                          f"{part.name} ({solid.describe()}, centred on the part frame); a grasp must be within "
                          f"{_mm(GRASP_REACH)} of its part, e.g. above the top face at z = {solid.top:.4g} .. "
                          f"{solid.top + GRASP_REACH:.4g} with rpy [3.1415927, 0, 0]")
    if off > 0 and not solid.hit_by(tcp, axis):
        raise ConfigError(mark, f"{path}: grasp {name}'s approach axis (the tool's z, {_xyz(axis)} in the part frame) "
                          f"points away from part {part.name}; the tool's z must point at the part, e.g. "
                          "rpy [3.1415927, 0, 0] for a grasp from above")


def check_slot(name: str, station: StationSpec, pose: Pose, mark: Mark, path: str) -> None:
    """A slot must lie on its station's top face (inside the pocket of a fixture).

    Raises:
        ConfigError: at ``mark``, naming the slot, the station and the distance.
    """
    face = station.pocket if station.pocket is not None else station.size[:2]
    what = "pocket" if station.pocket is not None else "top face"
    xy = pose.position[:2]
    lateral = float(np.linalg.norm(np.maximum(np.abs(xy) - np.asarray(face) / 2, 0.0)))
    height = float(pose.position[2])
    if lateral > 0.0 or abs(height) > SLOT_TOLERANCE:
        raise ConfigError(mark, f"{path}: slot {name} at {_xyz(pose.position)} lies "
                          f"{_mm(float(np.hypot(lateral, height)))} off the {what} of station {station.name} "
                          f"({face[0]:.4g} × {face[1]:.4g} m, centred on the station pose); a slot must lie on it: "
                          f"|x| <= {face[0] / 2:.4g}, |y| <= {face[1] / 2:.4g}, z = 0 "
                          f"(within {_mm(SLOT_TOLERANCE)})")
