"""What a cell description needs to know about a URDF: its link and joint names and joint limits.

Parsed with the standard library, so validating a cell never imports pybullet.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["UrdfInfo", "read_urdf_info"]


@dataclass(frozen=True)
class UrdfInfo:
    """Link names, and joint name → (type, lower, upper) of one URDF."""

    links: tuple[str, ...]
    joints: dict[str, tuple[str, float, float]]


@lru_cache(maxsize=32)
def read_urdf_info(path: Path) -> UrdfInfo:
    """Parse ``path``; raises ValueError when it is not a URDF robot."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path} is not valid XML: {exc}") from None
    if root.tag != "robot":
        raise ValueError(f"{path} is not a URDF: its root element is <{root.tag}>, not <robot>")
    links = tuple(link.get("name", "") for link in root.findall("link"))
    joints: dict[str, tuple[str, float, float]] = {}
    for joint in root.findall("joint"):
        limit = joint.find("limit")
        lower = float(limit.get("lower", "-inf")) if limit is not None else float("-inf")
        upper = float(limit.get("upper", "inf")) if limit is not None else float("inf")
        joints[joint.get("name", "")] = (joint.get("type", ""), lower, upper)
    return UrdfInfo(links, joints)
