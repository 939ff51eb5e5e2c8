"""The supervisor's timing and motion constants, declared once as the node's parameters.

Each is a parameter of the ``/cell/supervisor`` node (type, default, range and meaning in the
table below); the supervisor reads them into a :class:`Tuning` when a run starts and every
step of the unit reads ``ctx.tuning``. A dry run (no node) uses the defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cellctl.motion import CartesianLimits
from cellctl.rt import ParameterDescriptor, ParameterType, Range

# name, default, valid range, meaning: the one place these values are written
_TABLE: tuple[tuple[str, float, Range, str], ...] = (
    ("lead", 0.05, Range(0.002, 1.0),
     "seconds of trajectory time between an arm's τ now and the first setpoint of a motion from rest "
     "(covers the way from the host to the controller)"),
    ("in_position", 2e-3, Range(1e-5, 0.1),
     "rad: every joint this close to its goal (a servo's steady-state error) before the next action starts"),
    ("settled", 1e-2, Range(1e-4, 1.0),
     "rad/s: every joint this slow before the next action starts"),
    ("settle_timeout", 1.0, Range(0.05, 30.0),
     "seconds after a motion's last setpoint for the arm to be in position, else the step fails"),
    ("recovery_lift", 0.05, Range(0.0, 0.3),
     "metres an arm backs straight up before an interrupted unit continues"),
    ("approach_speed", 0.25, Range(0.001, 2.0), "m/s of the straight moves in and out of a pick, place or hole"),
    ("approach_acceleration", 1.5, Range(0.01, 20.0), "m/s² of those straight moves"),
    ("approach_jerk", 15.0, Range(0.1, 500.0), "m/s³ of those straight moves"),
    ("approach_angular_speed", 1.0, Range(0.01, 10.0), "rad/s of the tool's rotation on those straight moves"),
    ("approach_angular_acceleration", 4.0, Range(0.1, 100.0), "rad/s² of that rotation"),
    ("approach_angular_jerk", 40.0, Range(1.0, 1000.0), "rad/s³ of that rotation"),
)

TUNING_PARAMETERS = tuple(ParameterDescriptor(name, ParameterType.DOUBLE, default, meaning, range=valid)
                          for name, default, valid, meaning in _TABLE)
"""The descriptors the supervisor node declares."""


@dataclass(frozen=True)
class Tuning:
    """The values of :data:`TUNING_PARAMETERS` for one run (see the table for their meaning)."""

    lead: float
    in_position: float
    settled: float
    settle_timeout: float
    recovery_lift: float
    approach_speed: float
    approach_acceleration: float
    approach_jerk: float
    approach_angular_speed: float
    approach_angular_acceleration: float
    approach_angular_jerk: float

    @classmethod
    def read(cls, get: Callable[[str], object]) -> "Tuning":
        """The tuning from a parameter getter (e.g. a node's ``get_parameter``)."""
        return cls(**{name: float(get(name)) for name, *_ in _TABLE})  # type: ignore[arg-type]

    @property
    def approach_limits(self) -> CartesianLimits:
        """Tool limits of the straight moves in and out of a pick, place or hole."""
        return CartesianLimits(self.approach_speed, self.approach_acceleration, self.approach_jerk,
                               self.approach_angular_speed, self.approach_angular_acceleration,
                               self.approach_angular_jerk)


DEFAULT_TUNING = Tuning.read({name: default for name, default, *_ in _TABLE}.__getitem__)
"""The defaults (used where no node is running: dry runs, tests)."""
