"""Attach a tool model (a URDF) to an arm's URDF, producing one merged URDF file.

A tool that is a link of the arm gets exact dynamics, collisions and link states for free,
which a separate body held by a constraint would only approximate. Mesh paths of both files
are made absolute so that the merged file can live anywhere.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from cellctl.config.pose import Pose

__all__ = ["merge_tool"]


def _absolute_meshes(root: ET.Element, source: Path) -> None:
    for mesh in root.iter("mesh"):
        name = mesh.get("filename", "")
        if name.startswith("package://"):
            name = name[len("package://"):]
        if not Path(name).is_absolute():
            mesh.set("filename", str((source.parent / name).resolve()))


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


def merge_tool(arm_urdf: Path, tip_link: str, tool_urdf: Path, mount: Pose, out_dir: Path, name: str) -> Path:
    """Write ``out_dir/name.urdf``: the arm with the tool's root link fixed to ``tip_link`` at ``mount``."""
    arm = ET.parse(arm_urdf).getroot()
    tool = ET.parse(tool_urdf).getroot()
    _absolute_meshes(arm, arm_urdf)
    _absolute_meshes(tool, tool_urdf)
    tool_root = _root_link(tool)
    for element in tool:
        if element.tag in ("link", "joint", "material"):
            arm.append(element)
    joint = ET.SubElement(arm, "joint", {"name": f"{tip_link}_to_{tool_root}", "type": "fixed"})
    ET.SubElement(joint, "parent", {"link": tip_link})
    ET.SubElement(joint, "child", {"link": tool_root})
    x, y, z = (f"{v:.12g}" for v in mount.position)
    ET.SubElement(joint, "origin", {"xyz": f"{x} {y} {z}", "rpy": _rpy(mount)})
    out = out_dir / f"{name}.urdf"
    ET.ElementTree(arm).write(out, encoding="unicode")
    return out
