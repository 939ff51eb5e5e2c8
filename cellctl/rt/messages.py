"""Message, service and helper types in the shapes of the ROS interfaces they mirror.

Messages are frozen dataclasses with tuple fields: a published message is shared, not copied,
between in-process subscribers, so it must not change after publishing. Lists passed in are
converted to tuples; lengths are checked the way ROS conventions require.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Iterable

from cellctl.rt.clock import Duration, Time


def _freeze(obj: object, name: str, values: Iterable[object], item_type: type) -> tuple:
    """Store ``values`` as a tuple of ``item_type`` on frozen dataclass ``obj``; ints pass as floats."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{type(obj).__name__}.{name} must be a sequence, got the string {values!r}")
    items = tuple(values)
    if item_type is float:
        bad = [v for v in items if isinstance(v, bool) or not isinstance(v, (int, float))]
        items = tuple(float(v) for v in items) if not bad else items
    else:
        bad = [v for v in items if not isinstance(v, item_type)]
    if bad:
        raise TypeError(
            f"{type(obj).__name__}.{name} must hold {item_type.__name__} values, got {bad[0]!r}"
        )
    object.__setattr__(obj, name, items)
    return items


def _check_same_length(owner: str, reference: str, count: int, fields: dict[str, tuple]) -> None:
    """Each of ``fields`` must be empty or as long as ``reference`` (ROS convention)."""
    for name, values in fields.items():
        if values and len(values) != count:
            raise ValueError(
                f"{owner}.{name} has {len(values)} entries but {reference} has {count}; "
                "it must be empty or have one entry per joint"
            )


@dataclass(frozen=True)
class Header:
    """``std_msgs/Header``: when and in which frame the data was taken."""

    stamp: Time = Time()
    frame_id: str = ""


@dataclass(frozen=True)
class JointState:
    """``sensor_msgs/JointState``: positions (rad or m), velocities and efforts by joint name."""

    header: Header = Header()
    name: tuple[str, ...] = ()
    position: tuple[float, ...] = ()
    velocity: tuple[float, ...] = ()
    effort: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        names = _freeze(self, "name", self.name, str)
        fields = {f: _freeze(self, f, getattr(self, f), float) for f in ("position", "velocity", "effort")}
        _check_same_length("JointState", "name", len(names), fields)


@dataclass(frozen=True)
class JointTrajectoryPoint:
    """``trajectory_msgs/JointTrajectoryPoint``: one waypoint, timed from the trajectory start."""

    positions: tuple[float, ...] = ()
    velocities: tuple[float, ...] = ()
    accelerations: tuple[float, ...] = ()
    effort: tuple[float, ...] = ()
    time_from_start: Duration = Duration()

    def __post_init__(self) -> None:
        for name in ("positions", "velocities", "accelerations", "effort"):
            _freeze(self, name, getattr(self, name), float)


@dataclass(frozen=True)
class JointTrajectory:
    """``trajectory_msgs/JointTrajectory``: waypoints for named joints, strictly increasing in time."""

    header: Header = Header()
    joint_names: tuple[str, ...] = ()
    points: tuple[JointTrajectoryPoint, ...] = ()

    def __post_init__(self) -> None:
        names = _freeze(self, "joint_names", self.joint_names, str)
        points = _freeze(self, "points", self.points, JointTrajectoryPoint)
        previous: Duration | None = None
        for index, point in enumerate(points):
            fields = {
                f"points[{index}].{f}": getattr(point, f)
                for f in ("positions", "velocities", "accelerations", "effort")
            }
            _check_same_length("JointTrajectory", "joint_names", len(names), fields)
            if previous is not None and point.time_from_start <= previous:
                raise ValueError(
                    f"JointTrajectory.points[{index}].time_from_start = {point.time_from_start!r} "
                    f"is not after the previous point's {previous!r}; times must strictly increase"
                )
            previous = point.time_from_start


class DiagnosticLevel(IntEnum):
    """``diagnostic_msgs/DiagnosticStatus`` levels."""

    OK = 0
    WARN = 1
    ERROR = 2
    STALE = 3


@dataclass(frozen=True)
class KeyValue:
    """``diagnostic_msgs/KeyValue``."""

    key: str
    value: str


@dataclass(frozen=True)
class DiagnosticStatus:
    """``diagnostic_msgs/DiagnosticStatus``: the health of one component, with details."""

    level: DiagnosticLevel = DiagnosticLevel.OK
    name: str = ""
    message: str = ""
    hardware_id: str = ""
    values: tuple[KeyValue, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", DiagnosticLevel(self.level))
        _freeze(self, "values", self.values, KeyValue)


class Trigger:
    """``std_srvs/Trigger``: ask for something to happen, get success and a message."""

    @dataclass(frozen=True)
    class Request:
        """No fields."""

    @dataclass(frozen=True)
    class Response:
        """Whether it worked, and a human-readable message."""

        success: bool = False
        message: str = ""


class SetBool:
    """``std_srvs/SetBool``: switch something on or off."""

    @dataclass(frozen=True)
    class Request:
        """The wanted setting."""

        data: bool = False

    @dataclass(frozen=True)
    class Response:
        """Whether it worked, and a human-readable message."""

        success: bool = False
        message: str = ""
