"""PyBullet simulation backend of the cell (docs/simulation.md).

:class:`SimSystem` builds a PyBullet world from a cell description and implements the
hardware-interface contract (:class:`cellctl.hw.HardwareSystem`) with one :class:`SimArm` per
arm, on simulation time. Grippers grasp only what they really hold; the screwdriver is a
process model with seeded failure injection (:class:`FailurePlan`).
"""

from sim.quiet_import import import_pybullet

import_pybullet()  # first, so no module below prints the banner

from sim.arm import SimArm  # noqa: E402
from sim.events import SimEvent  # noqa: E402
from sim.injection import FailureKind, FailurePlan  # noqa: E402
from sim.system import SimSystem  # noqa: E402
from sim.tracking import TrackingStats  # noqa: E402

__all__ = ["FailureKind", "FailurePlan", "SimArm", "SimEvent", "SimSystem", "TrackingStats"]
