"""Reading ``cameras:``: fixed cameras for placement inspection (see docs/cell_description.md).

Each camera is range-checked as it is read, and checked against the cell: the station it looks
at must lie in front of it and inside its image, and a ``source`` (the serial backend's images)
must be a path or URL whose only fields are ``{serial}`` and ``{camera}``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from cellctl.config.errors import ConfigError
from cellctl.config.model import CameraSpec, StationSpec
from cellctl.config.pose import read_pose
from cellctl.config.schema import MapReader
from cellctl.config.yaml_nodes import YamlNode

__all__ = ["read_camera", "SOURCE_FIELDS", "URL_SCHEMES"]

SOURCE_FIELDS = ("serial", "camera")
URL_SCHEMES = ("file://", "http://", "https://")


def read_camera(name: str, node: YamlNode, path: str, stations: Mapping[str, StationSpec],
                base_dir: Path) -> CameraSpec:
    """Read one camera (see :class:`~cellctl.config.model.CameraSpec`)."""
    from cellctl.vision.camera import PinholeCamera  # numpy only; no cycle at import time

    reader = MapReader(node, path)
    pose = read_pose(reader.get("pose"), reader.child_path("pose"))
    fov = reader.number("fov", 1.0, 150.0, "°")
    resolution = reader.vector("resolution", 2, 16, 8192, "px")
    if np.any(resolution != np.round(resolution)):
        raise ConfigError(reader.get("resolution").mark, f"{reader.child_path('resolution')} must be whole pixels "
                          f"[width, height], got {resolution.tolist()}")
    station = reader.string("station", list(stations))
    source = _source(reader) if reader.has("source") else None
    reader.optional("source")
    reader.finish()
    camera = PinholeCamera(int(resolution[0]), int(resolution[1]), fov, pose.matrix)
    centre = stations[station].pose.position
    pixel = camera.project(centre[None, :])[0]
    inside = np.all(np.isfinite(pixel)) and 0 <= pixel[0] < camera.width and 0 <= pixel[1] < camera.height
    if not inside:
        where = "behind the camera" if not np.all(np.isfinite(pixel)) else f"at pixel ({pixel[0]:.0f}, {pixel[1]:.0f})"
        raise ConfigError(reader.get("pose").mark, f"{path}: station {station!r} is not in camera {name}'s view "
                          f"(its centre is {where}, the image is {camera.width} x {camera.height}); point the "
                          "camera's z axis (optical axis) at it, e.g. rpy: [3.1415927, 0, 0] looks straight down")
    return CameraSpec(name, pose, fov, (camera.width, camera.height), source, base_dir, reader.mark)


def _source(reader: MapReader) -> str:
    text = reader.string("source")
    mark = reader.get("source").mark
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise ConfigError(mark, f"{reader.child_path('source')}: {text!r} is not a valid pattern ({exc}); "
                          "write e.g. images/{serial}.png") from None
    unknown = sorted(fields - set(SOURCE_FIELDS))
    if unknown:
        raise ConfigError(mark, f"{reader.child_path('source')}: unknown field {{{unknown[0]}}} in {text!r}; valid: "
                          f"{', '.join('{' + f + '}' for f in SOURCE_FIELDS)}")
    if text.startswith(URL_SCHEMES[1:]) and "serial" not in fields:
        raise ConfigError(mark, f"{reader.child_path('source')}: the URL {text!r} must contain {{serial}} (one image "
                          "per unit)")
    if "://" in text and not text.startswith(URL_SCHEMES):
        raise ConfigError(mark, f"{reader.child_path('source')}: {text!r} has an unknown URL scheme; valid: a path, "
                          f"or {', '.join(URL_SCHEMES)}")
    return text
