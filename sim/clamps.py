"""Fixture clamps: a part let go in a fixture's pocket is clamped there until an arm takes it.

A screwdriving nest holds its part while the screws go in; without a clamp, a stack of boxes
resting on a box creeps in PyBullet (a steady yaw of up to 2 mrad/s after a crash restore was
measured, enough to put the last hole 1.3 mm off the taught pose). The clamp is what a real nest's
pneumatic clamp does: when a tool lets go of a part whose centre lies over a fixture's pocket and
whose underside is within ``REACH`` of the pocket floor, the part is held to the fixture by a fixed
constraint, seated on the floor with the x, y and yaw the robot left it at (so a misplaced part
stays misplaced, for inspection to find). A part resting on another part is not clamped: the
screws join it to the part below. Grasping a clamped part opens its clamp first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from cellctl.config.model import StationSpec
from cellctl.config.pose import Pose
from sim.world import World

__all__ = ["CLAMP_FORCE", "REACH", "FixtureClamps"]

CLAMP_FORCE = 200.0
"""Newtons the clamp may apply (the part's weight is below 1 N; an arm pulling on it wins only by grasping it)."""
REACH = 0.003
"""Metres between a part's underside and the pocket floor within which the clamp closes on it."""


class FixtureClamps:
    """The clamps of every fixture in one world (see module docstring)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.fixtures = [s for s in world.cell.stations.values() if s.type == "fixture" and s.pocket is not None]
        self._held: dict[str, int] = {}  # part → its clamp's constraint

    def clamped(self) -> set[str]:
        """The parts clamped now."""
        return set(self._held)

    def _seat(self, part: str) -> tuple[StationSpec, Pose] | None:
        """The fixture whose pocket holds ``part`` and the part's seated pose in the fixture frame."""
        spec = self.world.cell.parts[part]
        pose = self.world.part_pose(part)
        for fixture in self.fixtures:
            assert fixture.pocket is not None
            local = fixture.pose.inverse() * pose
            x, y, z = local.position
            underside = z - spec.height / 2
            if abs(x) <= fixture.pocket[0] / 2 and abs(y) <= fixture.pocket[1] / 2 and abs(underside) <= REACH:
                q = local.quaternion
                yaw = math.atan2(2 * (q[3] * q[2] + q[0] * q[1]), 1 - 2 * (q[1] ** 2 + q[2] ** 2))
                seated = Pose(np.array([x, y, spec.height / 2]), np.array([0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2)]))
                return fixture, seated
        return None

    def let_go(self, part: str) -> None:
        """A tool let go of ``part``: clamp it if it lies in a fixture's pocket."""
        found = self._seat(part)
        if found is not None and part not in self._held:
            self._clamp(part, found[0].name, found[1])

    def take(self, part: str) -> None:
        """An arm grasps ``part``: open its clamp, if it has one."""
        constraint = self._held.pop(part, None)
        if constraint is not None:
            self.world.unfix(constraint)

    def _clamp(self, part: str, fixture: str, seated: Pose) -> None:
        self._held[part] = self.world.fix(self.world.static[fixture], self.world.parts[part],
                                          self._top(fixture) * seated, CLAMP_FORCE)

    def _top(self, fixture: str) -> Pose:
        """The fixture's top-face frame in its box body's frame (the body's origin is the box centre)."""
        half = self.world.cell.stations[fixture].size[2] / 2
        return Pose(np.array([0.0, 0.0, half]), np.array([0.0, 0.0, 0.0, 1.0]))

    def restore(self, clamped: Iterable[str] | None = None) -> None:
        """After a crash restore (parts placed, before the arms take up their grasps): the parts
        ``clamped`` when the world was saved are clamped again where they lie; a grasp restored
        next opens its clamp. ``None`` (a state file that did not record them): every part lying in
        a pocket, as before they were recorded; that also clamps a part no clamp held (one put
        there rather than let go there), which the world as saved did not have."""
        for part in list(self._held):
            self.take(part)
        for part in self.world.parts if clamped is None else clamped:
            self.let_go(part)
