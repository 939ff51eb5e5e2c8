"""Reading the cell layout: ``stations:``, ``parts:`` and interlock ``zones:``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cellctl.config.errors import ConfigError, Mark
from cellctl.config.model import PART_SHAPES, STATION_TYPES, PartSpec, ScrewSpec, StationSpec, ZoneSpec
from cellctl.config.placement import check_grasp, check_slot
from cellctl.config.pose import Pose, read_pose
from cellctl.config.schema import MapReader, as_seq, as_string
from cellctl.config.yaml_nodes import YamlNode

__all__ = ["read_station", "read_part", "read_zone"]


def _color(reader: MapReader, default: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    if not reader.has("color"):
        reader.optional("color")
        return default
    rgba = reader.vector("color", 4, 0.0, 1.0)
    return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))


def _poses(reader: MapReader, key: str) -> dict[str, Pose]:
    poses_reader = reader.mapping(key)
    poses = {name: read_pose(node, poses_reader.child_path(name)) for name, node in poses_reader.entries()}
    if not poses:
        raise ConfigError(poses_reader.mark, f"{poses_reader.path} must name at least one pose")
    return poses


def _located(reader: MapReader, key: str) -> dict[str, tuple[Mark, str]]:
    """Where each pose of the (already read) mapping at ``key`` is written, and its dotted path."""
    poses_reader = reader.mapping(key)
    return {name: (node.mark, poses_reader.child_path(name)) for name, node in poses_reader.entries()}


def read_station(name: str, node: YamlNode, path: str, screws: Mapping[str, ScrewSpec]) -> StationSpec:
    """Read one station (see :class:`~cellctl.config.model.StationSpec`)."""
    reader = MapReader(node, path)
    station_type = reader.string("type", STATION_TYPES)
    pose = read_pose(reader.get("pose"), reader.child_path("pose"))
    size = reader.vector("size", 3, 0.005, 5.0, "m")
    slots = _poses(reader, "slots")
    pocket, wall, screw, feed = None, 0.0, None, 0.0
    if station_type == "fixture":
        pocket = reader.vector("pocket", 2, 0.001, 5.0, "m")
        if np.any(pocket >= size[:2]):
            raise ConfigError(reader.get("pocket").mark, f"{reader.child_path('pocket')} must be smaller than "
                              f"the station's size {size[:2].tolist()} to leave room for walls")
        wall = reader.number("wall_height", 0.0005, 0.2, "m")
    if station_type == "screw_feeder":
        screw = reader.string("screw", list(screws))
        feed = reader.number("feed_time", 0.0, 60.0, "s", default=0.3)
        if "pick" not in slots:
            raise ConfigError(reader.get("slots").mark, f"{reader.child_path('slots')} of a screw feeder needs a "
                              f"'pick' slot; got {', '.join(slots)}")
    color = _color(reader, (0.6, 0.6, 0.65, 1.0))
    reader.finish()
    station = StationSpec(name=name, type=station_type, pose=pose, size=size, slots=slots, mark=reader.mark,
                          pocket=pocket, wall_height=wall, screw=screw, feed_time=feed, color=color)
    for slot, (mark, slot_path) in _located(reader, "slots").items():
        check_slot(slot, station, slots[slot], mark, slot_path)
    return station


def read_part(name: str, node: YamlNode, path: str, stations: Mapping[str, StationSpec]) -> PartSpec:
    """Read one part: shape (box: [x, y, z]; cylinder: [radius, height]), mass, start slot and grasps."""
    reader = MapReader(node, path)
    shape = reader.string("shape", PART_SHAPES)
    size = reader.vector("size", 3 if shape == "box" else 2, 0.0005, 2.0, "m")
    mass = reader.number("mass", 1e-4, 50.0, "kg")
    start = reader.mapping("start")
    station = start.string("station", list(stations))
    slot = start.string("slot", list(stations[station].slots))
    start.finish()
    grasps = _poses(reader, "grasps")
    friction = reader.number("friction", 0.05, 5.0, default=0.8)
    color = _color(reader, (0.2, 0.5, 0.2, 1.0))
    reader.finish()
    part = PartSpec(name=name, shape=shape, size=size, mass=mass, color=color, start_station=station,
                    start_slot=slot, grasps=grasps, mark=reader.mark, friction=friction)
    for grasp, (mark, grasp_path) in _located(reader, "grasps").items():
        check_grasp(grasp, part, grasps[grasp], mark, grasp_path)
    return part


def read_zone(name: str, node: YamlNode, path: str, stations: Mapping[str, StationSpec], arms: list[str]) -> ZoneSpec:
    """Read one interlock zone: a box on a station that several arms share."""
    reader = MapReader(node, path)
    station = reader.string("station", list(stations))
    size = reader.vector("size", 3, 0.001, 10.0, "m")
    seq = as_seq(reader.get("arms"), reader.child_path("arms"))
    members = tuple(as_string(item, f"{reader.child_path('arms')}[{i}]", arms) for i, item in enumerate(seq.items))
    if len(set(members)) < 2:
        raise ConfigError(seq.mark, f"{reader.child_path('arms')} must name at least two different arms "
                          "(a zone only one arm enters needs no interlock)")
    reader.finish()
    return ZoneSpec(name=name, station=station, size=size, arms=members, mark=reader.mark)
