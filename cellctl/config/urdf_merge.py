"""Attach a tool model (a URDF) to an arm's URDF: one robot, the tool a link of the arm.

A tool that is a link of the arm gets exact dynamics, collisions and link states in the simulator
(``sim/urdf_merge.py`` writes the merged file PyBullet loads), and one robot description for a
viewer (:mod:`cellctl.service.description`).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from cellctl.config.pose import Pose

__all__ = ["absolute_meshes", "attach_tool", "mesh_path"]


def mesh_path(filename: str, source: Path) -> Path:
    """The file a URDF mesh ``filename`` (plain, or ``package://`` relative to the URDF) of ``source`` names."""
    if filename.startswith("package://"):
        filename = filename[len("package://"):]
    if filename.startswith("file://"):
        filename = filename[len("file://"):]
    path = Path(filename)
    return path if path.is_absolute() else (source.parent / path).resolve()


def absolute_meshes(root: ET.Element, source: Path) -> None:
    """Make every mesh path of ``root`` (read from ``source``) absolute."""
    for mesh in root.iter("mesh"):
        mesh.set("filename", str(mesh_path(mesh.get("filename", ""), source)))


def _root_link(robot: ET.Element) -> str:
    children = {joint.find("child").get("link") for joint in robot.findall("joint")}  # type: ignore[union-attr]
    roots = [link.get("name") for link in robot.findall("link") if link.get("name") not in children]
    if len(roots) != 1:
        raise ValueError(f"a tool model needs exactly one root link, found {roots}")
    return str(roots[0])


def _rpy(pose: Pose) -> str:
    m = pose.rotation
    # Fixed-axis X-Y-Z angles of the rotation matrix (URDF's convention).
    pitch = -math.asin(max(-1.0, min(1.0, float(m[2, 0]))))
    roll = math.atan2(m[2, 1], m[2, 2])
    yaw = math.atan2(m[1, 0], m[0, 0])
    return f"{roll:.12g} {pitch:.12g} {yaw:.12g}"


def attach_tool(arm: ET.Element, tip_link: str, tool: ET.Element, mount: Pose) -> None:
    """Add the tool's links, joints and materials to ``arm``, its root link fixed to ``tip_link`` at ``mount``."""
    tool_root = _root_link(tool)
    for element in tool:
        if element.tag in ("link", "joint", "material"):
            arm.append(element)
    joint = ET.SubElement(arm, "joint", {"name": f"{tip_link}_to_{tool_root}", "type": "fixed"})
    ET.SubElement(joint, "parent", {"link": tip_link})
    ET.SubElement(joint, "child", {"link": tool_root})
    x, y, z = (f"{v:.12g}" for v in mount.position)
    ET.SubElement(joint, "origin", {"xyz": f"{x} {y} {z}", "rpy": _rpy(mount)})
