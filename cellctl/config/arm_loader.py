"""Reading the ``arms:`` section: URDF, base pose, driven joints, limits, home and tools.

Joint and link names are checked against the URDF (and the tool model) so that a typo points
at its line in the YAML, not at a PyBullet error later.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from cellctl.config.errors import ConfigError
from cellctl.config.model import TOOL_TYPES, ArmSpec, LimitsSpec, ToolSpec
from cellctl.config.paths import resolve_reference
from cellctl.config.pose import Pose, read_pose
from cellctl.config.schema import MapReader, as_string, as_seq
from cellctl.config.urdf_info import UrdfInfo, read_urdf_info
from cellctl.config.yaml_nodes import MapNode, YamlNode

__all__ = ["read_arm", "read_file_reference"]

_MOVABLE = ("revolute", "continuous", "prismatic")


def read_file_reference(reader: MapReader, key: str, base_dir: Path) -> Path:
    """Resolve a file reference at ``key`` (see :mod:`cellctl.config.paths`)."""
    text = reader.string(key)
    try:
        return resolve_reference(text, base_dir)
    except FileNotFoundError as exc:
        raise ConfigError(reader.get(key).mark, f"{reader.child_path(key)}: {exc}; use pybullet_data:<path>, "
                          "sim-assets:<path>, or a path relative to the cell file") from None


def _urdf(reader: MapReader, key: str, path: Path) -> UrdfInfo:
    """The URDF's names and limits; its own errors point into the URDF and name the cell line that uses it."""
    try:
        return read_urdf_info(path)
    except ConfigError as exc:
        raise ConfigError(exc.mark, f"{exc.detail} (URDF of {reader.child_path(key)}, "
                          f"{reader.get(key).mark})") from None
    except OSError as exc:
        raise ConfigError(reader.get(key).mark, f"{reader.child_path(key)}: cannot read {path}: {exc.strerror}") from None


def _link(reader: MapReader, key: str, links: tuple[str, ...], default: str | None = None) -> str:
    name = reader.string(key, default=default)
    if name not in links:
        node = reader.optional(key)
        mark = node.mark if node is not None else reader.mark
        raise ConfigError(mark, f"{reader.child_path(key)}={name!r} is not a link of the URDF; links: {', '.join(links)}")
    return name


def _read_tool(name: str, node: YamlNode, path: str, arm_info: UrdfInfo, base_dir: Path,
               links: list[str]) -> ToolSpec:
    """Read one tool; a tool model's links are appended to ``links`` (the arm's links so far)."""
    reader = MapReader(node, path)
    tool_type = reader.string("type", TOOL_TYPES)
    model = None
    if reader.has("model"):
        model = read_file_reference(reader, "model", base_dir)
        links.extend(_urdf(reader, "model", model).links)
    mount_node = reader.optional("mount")
    mount = Pose.identity() if mount_node is None else read_pose(mount_node, reader.child_path("mount"))
    tcp_link = _link(reader, "tcp_link", tuple(links))
    finger_joints: tuple[str, ...] = ()
    max_width = suction = 0.0
    if tool_type == "parallel_gripper":
        finger_node = reader.get("finger_joints")
        seq = as_seq(finger_node, reader.child_path("finger_joints"), 2)
        finger_joints = tuple(as_string(item, f"{reader.child_path('finger_joints')}[{i}]", list(arm_info.joints))
                              for i, item in enumerate(seq.items))
        max_width = reader.number("max_width", 0.001, 0.5, "m")
    if tool_type == "vacuum":
        suction = reader.number("suction_force", 0.01, 1000.0, "N")
    friction = reader.number("friction", 0.05, 5.0, default=1.0)
    tolerance = reader.number("tolerance", 1e-5, 0.02, "m", default=0.001)
    reader.finish()
    return ToolSpec(name=name, type=tool_type, tcp_link=tcp_link, mark=reader.mark, model=model, mount=mount,
                    finger_joints=finger_joints, max_width=max_width, friction=friction,
                    suction_force=suction, tolerance=tolerance)


def _read_joints(reader: MapReader, info: UrdfInfo) -> tuple[str, ...]:
    seq = as_seq(reader.get("joints"), reader.child_path("joints"))
    movable = [n for n, (kind, _, _) in info.joints.items() if kind in _MOVABLE]
    names = tuple(as_string(item, f"{reader.child_path('joints')}[{i}]", movable) for i, item in enumerate(seq.items))
    if not names or len(set(names)) != len(names):
        raise ConfigError(seq.mark, f"{reader.child_path('joints')} must list distinct movable joints of the URDF")
    return names


def _read_home(reader: MapReader, joints: tuple[str, ...], info: UrdfInfo) -> np.ndarray:
    home = reader.vector("home", len(joints), -4 * math.pi, 4 * math.pi, "rad")
    seq = as_seq(reader.get("home"), reader.child_path("home"))
    for i, (joint, value) in enumerate(zip(joints, home)):
        _, lower, upper = info.joints[joint]
        if not lower <= value <= upper:
            raise ConfigError(seq.items[i].mark, f"{reader.child_path('home')}[{i}]={value} is outside joint "
                              f"{joint}'s URDF range; valid: {lower:g} .. {upper:g} rad")
    return home


def _read_limits(reader: MapReader, dof: int) -> LimitsSpec:
    limits = reader.mapping("limits")
    spec = LimitsSpec(
        velocity=limits.vector("velocity", dof, 1e-3, 20.0, "rad/s"),
        acceleration=limits.vector("acceleration", dof, 1e-3, 500.0, "rad/s²"),
        jerk=limits.vector("jerk", dof, 1e-3, 1e5, "rad/s³"),
    )
    limits.finish()
    return spec


def _has_model(node: YamlNode) -> bool:
    return isinstance(node, MapNode) and "model" in node.values


def read_arm(name: str, node: YamlNode, path: str, base_dir: Path) -> ArmSpec:
    """Read one arm mapping."""
    reader = MapReader(node, path)
    urdf = read_file_reference(reader, "urdf", base_dir)
    info = _urdf(reader, "urdf", urdf)
    base_node = reader.optional("base")
    base = Pose.identity() if base_node is None else read_pose(base_node, reader.child_path("base"))
    joints = _read_joints(reader, info)
    tip_link = _link(reader, "tip_link", info.links)
    home = _read_home(reader, joints, info)
    limits = _read_limits(reader, len(joints))
    tools_reader = reader.mapping("tools")
    # Tools with a model first: a tool without one may use a model link (e.g. a vacuum cup on a driver).
    ordered = sorted(tools_reader.entries(), key=lambda item: not _has_model(item[1]))
    links = list(info.links)
    tools = {tool: _read_tool(tool, tool_node, tools_reader.child_path(tool), info, base_dir, links)
             for tool, tool_node in ordered}
    if not tools:
        raise ConfigError(tools_reader.mark, f"{tools_reader.path} must define at least one tool")
    reader.finish()
    return ArmSpec(name=name, urdf=urdf, base=base, joints=joints, tip_link=tip_link, home=home,
                   limits=limits, tools=tools, mark=reader.mark)
