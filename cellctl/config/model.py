"""The cell description as plain, validated data (what :func:`cellctl.config.load_cell` returns).

Every item keeps the :class:`~cellctl.config.errors.Mark` of its definition so that later checks
(a backend that cannot find a URDF link, a recipe naming a missing hole) can still point at
``file:line``. Units: metres, radians, kilograms, newtons, N·m, degrees for screw angles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cellctl.config.errors import Mark
from cellctl.config.pose import Pose
from cellctl.hw.tools import ScrewProgram

__all__ = [
    "LimitsSpec", "ToolSpec", "ArmSpec", "StationSpec", "PartSpec", "ScrewSpec", "HoleSpec",
    "ZoneSpec", "CameraSpec", "CellDescription", "TOOL_TYPES", "STATION_TYPES", "PART_SHAPES",
]

TOOL_TYPES = ("parallel_gripper", "vacuum", "screwdriver")
STATION_TYPES = ("input_tray", "fixture", "output_tray", "screw_feeder", "tool_station")
PART_SHAPES = ("box", "cylinder")


@dataclass(frozen=True)
class LimitsSpec:
    """Per-joint velocity (rad/s), acceleration (rad/s²) and jerk (rad/s³) limits."""

    velocity: np.ndarray
    acceleration: np.ndarray
    jerk: np.ndarray


@dataclass(frozen=True)
class ToolSpec:
    """A tool on an arm.

    Attributes:
        name: the tool's name, unique on its arm.
        type: one of :data:`TOOL_TYPES`.
        tcp_link: the URDF link whose frame is the tool centre point.
        model: a URDF attached to the arm's tip link at ``mount`` (None: built into the arm URDF).
        mount: where ``model``'s root sits in the tip link's frame.
        finger_joints: the two prismatic finger joints (parallel gripper only).
        max_width: widest opening, metres (parallel gripper).
        friction: finger/cup friction coefficient used for the holding-force limit.
        suction_force: holding force of the cup at full vacuum, newtons (vacuum).
        tolerance: how far the cup may be from a part's surface and still grip, metres (vacuum);
            how far the screw tip may be from a hole entry and still engage (screwdriver).
    """

    name: str
    type: str
    tcp_link: str
    mark: Mark
    model: Path | None = None
    mount: Pose = field(default_factory=Pose.identity)
    finger_joints: tuple[str, ...] = ()
    max_width: float = 0.0
    friction: float = 1.0
    suction_force: float = 0.0
    tolerance: float = 0.001


@dataclass(frozen=True)
class ArmSpec:
    """An arm: its URDF, where it stands, the joints it drives, limits, home and tools."""

    name: str
    urdf: Path
    base: Pose
    joints: tuple[str, ...]
    tip_link: str
    home: np.ndarray
    limits: LimitsSpec
    tools: dict[str, ToolSpec]
    mark: Mark

    @property
    def dof(self) -> int:
        """Number of driven joints."""
        return len(self.joints)

    def tool_of_type(self, tool_type: str) -> ToolSpec | None:
        """The arm's first tool of a type, or None."""
        return next((t for t in self.tools.values() if t.type == tool_type), None)


@dataclass(frozen=True)
class StationSpec:
    """A station: a box whose top face centre is ``pose``; ``slots`` are poses on that face.

    A ``fixture`` has a pocket (inner size) surrounded by walls; a ``screw_feeder`` presents
    screws of type ``screw`` at its ``pick`` slot every ``feed_time`` seconds; a ``tool_station``
    services a tool held at one of its slots (a bit changer: a recipe's ``change_bit`` step).
    """

    name: str
    type: str
    pose: Pose
    size: np.ndarray
    slots: dict[str, Pose]
    mark: Mark
    pocket: np.ndarray | None = None
    wall_height: float = 0.0
    screw: str | None = None
    feed_time: float = 0.0
    color: tuple[float, float, float, float] = (0.6, 0.6, 0.65, 1.0)


@dataclass(frozen=True)
class PartSpec:
    """A part: a simple shape, its mass, where it starts, and TCP poses (in the part frame) to grasp it.

    The part frame is the shape's centre; a part put on a slot rests on its bottom face.
    """

    name: str
    shape: str
    size: np.ndarray
    mass: float
    color: tuple[float, float, float, float]
    start_station: str
    start_slot: str
    grasps: dict[str, Pose]
    mark: Mark
    friction: float = 0.8

    @property
    def height(self) -> float:
        """Height of the shape along its z axis, metres."""
        return float(self.size[2] if self.shape == "box" else self.size[1])


@dataclass(frozen=True)
class ScrewSpec:
    """A screw type: thread diameter, length and pitch; head size (metres)."""

    name: str
    diameter: float
    length: float
    pitch: float
    head_diameter: float
    head_height: float
    mark: Mark

    @property
    def seat_angle(self) -> float:
        """Rundown angle until the head seats, degrees (thread length over pitch)."""
        return 360.0 * self.length / self.pitch


@dataclass(frozen=True)
class HoleSpec:
    """A screw hole on a part: its entry pose (z out of the hole), the screw and the program.

    ``joins`` names the parts that a good screw fastens to ``part``.
    """

    name: str
    part: str
    pose: Pose
    screw: str
    program: ScrewProgram
    program_name: str
    joins: tuple[str, ...]
    mark: Mark


@dataclass(frozen=True)
class ZoneSpec:
    """A box (size x, y, z) standing on a station, shared by several arms: an interlock zone."""

    name: str
    station: str
    size: np.ndarray
    arms: tuple[str, ...]
    mark: Mark


@dataclass(frozen=True)
class CameraSpec:
    """A fixed camera (pinhole, no distortion) looking at a station, for placement inspection.

    The pose is the camera's optical frame in the world: z along the optical axis (into the
    scene), x to the image's right, y down the image (OpenCV's convention).
    """

    name: str
    pose: Pose
    fov: float
    """Vertical field of view, degrees."""
    resolution: tuple[int, int]
    """Image width and height, pixels."""
    source: str | None
    """Where a real camera's images are (serial backend): a path or ``file://``/``http(s)://`` URL,
    with ``{serial}`` (and optionally ``{camera}``) replaced; relative paths resolve against ``base_dir``."""
    base_dir: Path
    mark: Mark


@dataclass(frozen=True)
class CellDescription:
    """A whole cell; see docs/cell_description.md for the YAML form."""

    name: str
    source: Path
    arms: dict[str, ArmSpec]
    stations: dict[str, StationSpec]
    parts: dict[str, PartSpec]
    screws: dict[str, ScrewSpec]
    programs: dict[str, ScrewProgram]
    holes: dict[str, HoleSpec]
    zones: dict[str, ZoneSpec]
    cameras: dict[str, CameraSpec] = field(default_factory=dict)
