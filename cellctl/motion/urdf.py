"""Serial kinematic chains from URDF files.

Only what kinematics needs is read: joints (type, parent, child, origin, axis, limits).
Fixed joints are folded into the next joint's origin (or the tip); every error names the
file, the line and what would be valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cellctl.config.errors import ConfigError
from cellctl.config.xml_nodes import XmlElement as _Element
from cellctl.config.xml_nodes import parse_xml

MOVABLE = {"revolute", "continuous", "prismatic"}
KNOWN = MOVABLE | {"fixed", "floating", "planar"}


class URDFError(ValueError):
    """A URDF file could not be used; the message starts with ``FILE:LINE:``."""


def _parse(path: Path) -> _Element:
    """The ``<robot>`` element, every element keeping its line."""
    try:
        top = parse_xml(path)
    except ConfigError as exc:
        raise URDFError(f"{path}:{exc.mark.line}: {exc.detail}") from None
    robot = top.find("robot")
    if robot is None:
        raise URDFError(f"{path}:1: no <robot> element: this is not a URDF file")
    return robot


@dataclass(frozen=True)
class JointSpec:
    """One URDF joint as kinematics sees it."""

    name: str
    type: str
    parent: str
    child: str
    origin: np.ndarray  # 4x4
    axis: np.ndarray
    lower: float
    upper: float
    velocity: float
    line: int


def rpy_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """URDF's fixed-axis roll-pitch-yaw: R = Rz(yaw) Ry(pitch) Rx(roll)."""
    cr, sr, cp, sp, cy, sy = (math.cos(roll), math.sin(roll), math.cos(pitch), math.sin(pitch),
                              math.cos(yaw), math.sin(yaw))
    return np.array([
        [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
        [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
        [-sp, cp * sr, cp * cr],
    ])


def transform(xyz: tuple[float, float, float] | np.ndarray = (0, 0, 0),
              rpy: tuple[float, float, float] | np.ndarray = (0, 0, 0)) -> np.ndarray:
    """A 4x4 transform from a translation and URDF roll-pitch-yaw angles."""
    t = np.eye(4)
    t[:3, :3] = rpy_matrix(*rpy)
    t[:3, 3] = xyz
    return t


def _floats(path: Path, el: _Element, key: str, default: str, count: int) -> list[float]:
    text = el.attrib.get(key, default)
    try:
        values = [float(v) for v in text.split()]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise URDFError(f"{path}:{el.line}: <{el.tag} {key}=\"{text}\"> must be {count} finite numbers")
    return values


def _joint(path: Path, el: _Element) -> JointSpec:
    name = el.attrib.get("name", "")
    kind = el.attrib.get("type", "")
    if kind not in KNOWN:
        raise URDFError(f"{path}:{el.line}: joint '{name}' has type '{kind}'; valid: {', '.join(sorted(KNOWN))}")
    links = {}
    for tag in ("parent", "child"):
        sub = el.find(tag)
        if sub is None or "link" not in sub.attrib:
            raise URDFError(f"{path}:{el.line}: joint '{name}' needs <{tag} link=\"…\"/>")
        links[tag] = sub.attrib["link"]
    origin = el.find("origin")
    xyz = _floats(path, origin, "xyz", "0 0 0", 3) if origin is not None else [0.0] * 3
    rpy = _floats(path, origin, "rpy", "0 0 0", 3) if origin is not None else [0.0] * 3
    axis_el = el.find("axis")
    axis = np.array(_floats(path, axis_el, "xyz", "1 0 0", 3) if axis_el is not None else [1.0, 0.0, 0.0])
    lower, upper, velocity = -math.inf, math.inf, math.inf
    limit = el.find("limit")
    if kind in ("revolute", "prismatic"):
        if limit is None:
            raise URDFError(f"{path}:{el.line}: {kind} joint '{name}' needs a <limit lower upper velocity effort/>")
        lower = _floats(path, limit, "lower", "0", 1)[0]
        upper = _floats(path, limit, "upper", "0", 1)[0]
        if lower > upper:
            raise URDFError(f"{path}:{limit.line}: joint '{name}' lower limit {lower} is above upper {upper}")
    if limit is not None and "velocity" in limit.attrib:
        velocity = _floats(path, limit, "velocity", "0", 1)[0]
    return JointSpec(name, kind, links["parent"], links["child"], transform(xyz, rpy), axis,
                     lower, upper, velocity, el.line)


@dataclass(frozen=True)
class ChainSpec:
    """The movable joints from base to tip, with fixed transforms folded in."""

    joints: tuple[JointSpec, ...]
    tip: np.ndarray  # fixed transform from the last movable joint frame to the tip link


def _load(urdf_path: str | Path) -> tuple[Path, _Element, list[JointSpec], set[str]]:
    path = Path(urdf_path)
    if not path.is_file():
        raise URDFError(f"{path}: no such URDF file")
    robot = _parse(path)
    joints = [_joint(path, el) for el in robot.children if el.tag == "joint"]
    links = {el.attrib.get("name", "") for el in robot.children if el.tag == "link"}
    return path, robot, joints, links


def _walk(path: Path, robot: _Element, joints: list[JointSpec], links: set[str], base_link: str,
          tip_link: str) -> list[JointSpec]:
    """The joints from base_link down to tip_link, in order."""
    for link in (base_link, tip_link):
        if link not in links:
            raise URDFError(f"{path}:{robot.line}: no link named '{link}'; links: {', '.join(sorted(l for l in links if l))}")
    by_child = {j.child: j for j in joints}
    walk: list[JointSpec] = []
    link = tip_link
    while link != base_link:
        joint = by_child.get(link)
        if joint is None:
            raise URDFError(f"{path}:{robot.line}: link '{tip_link}' does not descend from '{base_link}'")
        walk.append(joint)
        link = joint.parent
    walk.reverse()
    return walk


def root_link(urdf_path: str | Path) -> str:
    """The link that is no joint's child (a URDF's base)."""
    path, robot, joints, links = _load(urdf_path)
    roots = sorted(links - {j.child for j in joints})
    if len(roots) != 1:
        raise URDFError(f"{path}:{robot.line}: expected one root link, found {roots or 'none'}")
    return roots[0]


def link_transform(urdf_path: str | Path, base_link: str, tip_link: str) -> np.ndarray:
    """The fixed transform from base_link to tip_link; every joint between must be fixed."""
    path, robot, joints, links = _load(urdf_path)
    t = np.eye(4)
    for joint in _walk(path, robot, joints, links, base_link, tip_link):
        if joint.type != "fixed":
            raise URDFError(f"{path}:{joint.line}: joint '{joint.name}' between '{base_link}' and "
                            f"'{tip_link}' moves ({joint.type}); a fixed transform needs fixed joints only")
        t = t @ joint.origin
    return t


def read_chain(urdf_path: str | Path, base_link: str, tip_link: str) -> ChainSpec:
    """The serial chain from `base_link` to `tip_link` of a URDF file."""
    path, robot, joints, links = _load(urdf_path)
    walk = _walk(path, robot, joints, links, base_link, tip_link)
    movable: list[JointSpec] = []
    pending = np.eye(4)  # fixed transforms accumulated since the last movable joint
    for joint in walk:
        if joint.type == "fixed":
            pending = pending @ joint.origin
            continue
        if joint.type not in MOVABLE:
            raise URDFError(f"{path}:{joint.line}: joint '{joint.name}' is {joint.type}; a chain needs revolute, continuous, prismatic or fixed joints")
        folded = JointSpec(joint.name, "prismatic" if joint.type == "prismatic" else "revolute", joint.parent,
                           joint.child, pending @ joint.origin, joint.axis, joint.lower, joint.upper,
                           joint.velocity, joint.line)
        movable.append(folded)
        pending = np.eye(4)
    if not movable:
        raise URDFError(f"{path}:{robot.line}: no movable joint between '{base_link}' and '{tip_link}'")
    return ChainSpec(tuple(movable), pending)
