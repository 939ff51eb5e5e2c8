"""The robot description a viewer draws: each arm's URDF, with its tool models attached, in
primitive geometry that any viewer loads without files.

The arms' URDFs draw their links with mesh files (``package://`` or relative paths into PyBullet's
data or the cell's folder) that a viewer on another machine, Foxglove in a browser, or a recording
opened next year cannot reach. So each mesh becomes a box: the mesh's bounding box in its link's
frame (from the link's collision mesh when it has one, a few hundred kB instead of the visual
meshes' megabytes), with the visual's colour. Primitive shapes (box, cylinder, sphere) are kept
as they are. Link and joint names are those of the URDF the simulator loads (tools attached at
their mounts, :mod:`cellctl.config.urdf_merge`), so joint states name the same joints.
"""

from __future__ import annotations

import copy
import math
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import numpy as np

from cellctl.config import ArmSpec
from cellctl.config.urdf_merge import attach_tool, mesh_path

_VERTEX = re.compile(rb"^v[ \t]+(\S+)[ \t]+(\S+)[ \t]+(\S+)", re.MULTILINE)
_STL_VERTEX = re.compile(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)")


def robot_description(arm: ArmSpec) -> str:
    """The URDF text of ``arm`` with its tools attached, meshes drawn as boxes (see module docstring)."""
    robot = _primitive(ET.parse(arm.urdf).getroot(), arm.urdf)
    for tool in arm.tools.values():
        if tool.model is not None:
            attach_tool(robot, arm.tip_link, _primitive(ET.parse(tool.model).getroot(), tool.model), tool.mount)
    return ET.tostring(robot, encoding="unicode")


def _primitive(robot: ET.Element, source: Path) -> ET.Element:
    """``robot`` (read from ``source``) with every link's shapes as primitive visuals, no collisions."""
    for link in robot.findall("link"):
        visuals, collisions = link.findall("visual"), link.findall("collision")
        material = next((copy.deepcopy(m) for v in visuals for m in v.findall("material")), None)
        shapes = collisions if any(c.find("geometry/mesh") is not None for c in collisions) else visuals
        for element in visuals + collisions:
            link.remove(element)
        for shape in shapes:
            link.append(_visual(shape, source, material))
    return robot


def _visual(shape: ET.Element, source: Path, material: ET.Element | None) -> ET.Element:
    """A ``<visual>`` drawing ``shape`` (a visual or collision element) with a primitive geometry."""
    origin = shape.find("origin")
    xyz = _floats(origin.get("xyz") if origin is not None else None, 0.0)
    rpy = _floats(origin.get("rpy") if origin is not None else None, 0.0)
    geometry = shape.find("geometry")
    mesh = geometry.find("mesh") if geometry is not None else None
    visual = ET.Element("visual")
    if mesh is not None:
        low, high = _bounds(mesh_path(mesh.get("filename", ""), source))
        scale = _floats(mesh.get("scale"), 1.0)
        centre, size = (low + high) / 2 * scale, np.maximum((high - low) * np.abs(scale), 1e-4)
        xyz = xyz + _rotation(rpy) @ centre
        geometry = ET.Element("geometry")
        ET.SubElement(geometry, "box", {"size": " ".join(f"{v:.6g}" for v in size)})
    ET.SubElement(visual, "origin", {"xyz": " ".join(f"{v:.9g}" for v in xyz),
                                     "rpy": " ".join(f"{v:.9g}" for v in rpy)})
    if geometry is not None:
        visual.append(copy.deepcopy(geometry))
    if material is not None:
        visual.append(copy.deepcopy(material))
    return visual


def _floats(text: str | None, default: float) -> np.ndarray:
    values = [float(v) for v in text.split()] if text else []
    return np.array(values if len(values) == 3 else [default] * 3)


def _rotation(rpy: np.ndarray) -> np.ndarray:
    """URDF's fixed-axis roll, pitch, yaw: Rz(yaw) Ry(pitch) Rx(roll)."""
    (cr, sr), (cp, sp), (cy, sy) = ((math.cos(a), math.sin(a)) for a in rpy)
    return np.array([[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
                     [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
                     [-sp, cp * sr, cp * cr]])


@lru_cache(maxsize=64)
def _bounds(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The axis-aligned bounds (low, high) of an OBJ or STL mesh's vertices; a 1 cm cube when the
    file cannot be read or holds no vertices we read (a viewer then still draws the link, small)."""
    try:
        return _read_bounds(path)
    except (OSError, ValueError):
        return np.full(3, -0.005), np.full(3, 0.005)


def _read_bounds(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = path.read_bytes()
    count = int.from_bytes(data[80:84], "little") if len(data) >= 84 else -1
    if path.suffix.lower() == ".stl" and len(data) == 84 + 50 * count:  # binary STL (else ASCII)
        records = np.frombuffer(data, dtype=np.uint8, count=50 * count, offset=84).reshape(count, 50)
        vertices = records[:, 12:48].copy().view("<f4").reshape(-1, 3).astype(float)
    else:
        pattern = _STL_VERTEX if path.suffix.lower() == ".stl" else _VERTEX
        vertices = np.array(pattern.findall(data), dtype=float).reshape(-1, 3)
    if not len(vertices) or not np.isfinite(vertices).all():
        raise ValueError(f"{path}: no vertices")
    return vertices.min(axis=0), vertices.max(axis=0)
