"""Reading the screw process: ``programs:`` (tightening programs), ``screws:`` and ``holes:``."""

from __future__ import annotations

from collections.abc import Mapping

from cellctl.config.errors import ConfigError
from cellctl.config.model import HoleSpec, PartSpec, ScrewSpec
from cellctl.config.placement import check_hole
from cellctl.config.pose import read_pose
from cellctl.config.schema import MapReader, as_seq, as_string, as_vector
from cellctl.config.yaml_nodes import YamlNode
from cellctl.hw.tools import ScrewProgram

__all__ = ["read_program", "read_screw", "read_hole"]


def _window(reader: MapReader, key: str, low: float, high: float, unit: str) -> tuple[float, float]:
    node = reader.get(key)
    values = as_vector(node, reader.child_path(key), 2, low, high, unit)
    if values[0] > values[1]:
        raise ConfigError(node.mark, f"{reader.child_path(key)}=[{values[0]:g}, {values[1]:g}] is empty; "
                          "write [min, max] with min <= max")
    return float(values[0]), float(values[1])


def read_program(node: YamlNode, path: str) -> ScrewProgram:
    """Read one tightening program; the target torque must lie inside the torque window."""
    reader = MapReader(node, path)
    program_id = reader.integer("id", 0, 65535)
    target = reader.number("target_torque", 1e-4, 50.0, "N·m")
    torque_min, torque_max = _window(reader, "torque_window", 0.0, 50.0, "N·m")
    angle_min, angle_max = _window(reader, "angle_window", 0.0, 36000.0, "deg")
    if not torque_min <= target <= torque_max:
        raise ConfigError(reader.get("target_torque").mark,
                          f"{reader.child_path('target_torque')}={target:g} N·m lies outside torque_window "
                          f"[{torque_min:g}, {torque_max:g}]; the target must be inside the window")
    program = ScrewProgram(
        program_id=program_id, target_torque=target, torque_min=torque_min, torque_max=torque_max,
        angle_min=angle_min, angle_max=angle_max,
        max_speed=reader.number("max_speed", 1.0, 5000.0, "rpm", default=600.0),
        timeout=reader.number("timeout", 0.01, 600.0, "s", default=5.0),
    )
    reader.finish()
    return program


def read_screw(name: str, node: YamlNode, path: str) -> ScrewSpec:
    """Read one screw type."""
    reader = MapReader(node, path)
    spec = ScrewSpec(
        name=name,
        diameter=reader.number("diameter", 0.0005, 0.02, "m"),
        length=reader.number("length", 0.0005, 0.05, "m"),
        pitch=reader.number("pitch", 0.00005, 0.005, "m"),
        head_diameter=reader.number("head_diameter", 0.0005, 0.04, "m"),
        head_height=reader.number("head_height", 0.0001, 0.02, "m"),
        mark=reader.mark,
    )
    reader.finish()
    if spec.head_diameter <= spec.diameter:
        raise ConfigError(reader.get("head_diameter").mark,
                          f"{reader.child_path('head_diameter')} must exceed the thread diameter {spec.diameter:g} m")
    return spec


def _reference(reader: MapReader, key: str, known: Mapping[str, object], what: str) -> str:
    name = reader.string(key)
    if name not in known:
        raise ConfigError(reader.get(key).mark, f"{reader.child_path(key)}={name!r} is not a defined {what}; "
                          f"defined: {', '.join(known) or '(none)'}")
    return name


def read_hole(name: str, node: YamlNode, path: str, parts: Mapping[str, PartSpec],
              screws: Mapping[str, ScrewSpec], programs: Mapping[str, ScrewProgram]) -> HoleSpec:
    """Read one screw hole; its part, screw, program and joined parts must be defined."""
    reader = MapReader(node, path)
    part = _reference(reader, "part", parts, "part")
    pose = read_pose(reader.get("pose"), reader.child_path("pose"))
    screw = _reference(reader, "screw", screws, "screw type")
    program_name = _reference(reader, "program", programs, "program")
    joins_node = reader.optional("joins")
    joins: tuple[str, ...] = ()
    if joins_node is not None:
        seq = as_seq(joins_node, reader.child_path("joins"))
        others = [p for p in parts if p != part]
        joins = tuple(as_string(item, f"{reader.child_path('joins')}[{i}]", others) for i, item in enumerate(seq.items))
    reader.finish()
    check_hole(name, parts[part], pose, joins, parts, reader.get("pose").mark, reader.child_path("pose"))
    return HoleSpec(name=name, part=part, pose=pose, screw=screw, program=programs[program_name],
                    program_name=program_name, joins=joins, mark=reader.mark)
