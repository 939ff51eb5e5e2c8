"""PyBullet simulation backend of the cell (docs/simulation.md).

:class:`SimSystem` builds a PyBullet world from a cell description and implements the
hardware-interface contract (:class:`cellctl.hw.HardwareSystem`) with one :class:`SimArm` per
arm, on simulation time. Grippers grasp only what they really hold; the screwdriver is a
process model with seeded failure injection (:class:`FailurePlan`).
"""

from sim.arm import SimArm
from sim.events import SimEvent
from sim.injection import FailureKind, FailurePlan
from sim.system import SimSystem
from sim.tracking import TrackingStats

__all__ = ["FailureKind", "FailurePlan", "SimArm", "SimEvent", "SimSystem", "TrackingStats"]
