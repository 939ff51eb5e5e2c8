"""Loading a cell description from YAML (see docs/cell_description.md).

Sections are read in dependency order (programs and screws, arms, stations, parts, holes,
zones) so that every cross reference is checked when it is read and its error points at the
referring line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cellctl.config.arm_loader import read_arm
from cellctl.config.camera_loader import read_camera
from cellctl.config.errors import ConfigError
from cellctl.config.layout_loader import read_part, read_station, read_zone
from cellctl.config.model import CellDescription
from cellctl.config.process_loader import read_hole, read_program, read_screw
from cellctl.config.schema import MapReader
from cellctl.config.yaml_nodes import YamlNode, load_yaml_file, parse_yaml

__all__ = ["load_cell", "parse_cell", "demo_cell_path"]

T = TypeVar("T")
SCHEMA_VERSION = 1


def demo_cell_path() -> Path:
    """The built-in demo cell (a phone-assembly cell with a loader and a screwing arm)."""
    return Path(__file__).with_name("demo") / "cell.yaml"


def _section(root: MapReader, key: str, read: Callable[[str, YamlNode, str], T], *, required: bool = True) -> dict[str, T]:
    reader = root.mapping(key) if required else root.optional_mapping(key)
    if reader is None:
        return {}
    return {name: read(name, node, reader.child_path(name)) for name, node in reader.entries()}


def _build(root_node: YamlNode, source: Path) -> CellDescription:
    root = MapReader(root_node, "")
    version = root.integer("version", 1, 1000)
    if version != SCHEMA_VERSION:
        raise ConfigError(root.get("version").mark, f"version={version} is not supported; valid: {SCHEMA_VERSION}")
    name = root.string("cell")
    base_dir = source.parent
    programs = _section(root, "programs", lambda n, node, p: read_program(node, p))
    screws = _section(root, "screws", read_screw)
    arms = _section(root, "arms", lambda n, node, p: read_arm(n, node, p, base_dir))
    if not arms:
        raise ConfigError(root.key_mark("arms"), "arms must define at least one arm")
    stations = _section(root, "stations", lambda n, node, p: read_station(n, node, p, screws))
    parts = _section(root, "parts", lambda n, node, p: read_part(n, node, p, stations))
    holes = _section(root, "holes", lambda n, node, p: read_hole(n, node, p, parts, screws, programs), required=False)
    zones = _section(root, "zones", lambda n, node, p: read_zone(n, node, p, stations, list(arms)), required=False)
    cameras = _section(root, "cameras", lambda n, node, p: read_camera(n, node, p, stations, base_dir), required=False)
    root.finish()
    return CellDescription(name=name, source=source, arms=arms, stations=stations, parts=parts, screws=screws,
                           programs=programs, holes=holes, zones=zones, cameras=cameras)


def parse_cell(text: str, source: str | Path = "<string>") -> CellDescription:
    """Parse a cell description from text; relative file references resolve against ``source``'s directory.

    Raises:
        ConfigError: ``FILE:LINE:COL: message`` for the first problem found.
    """
    return _build(parse_yaml(text, str(source)), Path(source).absolute())


def load_cell(path: str | Path | None = None) -> CellDescription:
    """Load a cell description file (the built-in demo cell when ``path`` is None).

    Raises:
        ConfigError: ``FILE:LINE:COL: message`` for the first problem found.
    """
    path = demo_cell_path() if path is None else Path(path)
    return _build(load_yaml_file(path), path.absolute())
