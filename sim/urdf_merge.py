"""Attach a tool model (a URDF) to an arm's URDF, producing one merged URDF file for PyBullet.

The merging itself (also used for the robot description a recording and the Foxglove live view
publish) is :mod:`cellctl.config.urdf_merge`; this writes its result where PyBullet can load it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from cellctl.config.pose import Pose
from cellctl.config.urdf_merge import absolute_meshes, attach_tool

__all__ = ["merge_tool"]


def merge_tool(arm_urdf: Path, tip_link: str, tool_urdf: Path, mount: Pose, out_dir: Path, name: str) -> Path:
    """Write ``out_dir/name.urdf``: the arm with the tool's root link fixed to ``tip_link`` at ``mount``.
    Mesh paths of both files are made absolute so that the merged file can live anywhere."""
    arm = ET.parse(arm_urdf).getroot()
    tool = ET.parse(tool_urdf).getroot()
    absolute_meshes(arm, arm_urdf)
    absolute_meshes(tool, tool_urdf)
    attach_tool(arm, tip_link, tool, mount)
    out = out_dir / f"{name}.urdf"
    ET.ElementTree(arm).write(out, encoding="unicode")
    return out
