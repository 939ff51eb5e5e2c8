"""What every executing step can see: the backend, the geometry, the journal, the unit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellctl.config import CellDescription
from cellctl.hw import HardwareSystem
from cellctl.journal import Journal, UnitRecord
from cellctl.quality.monitor import QualityMonitor
from cellctl.supervisor.geometry import CellGeometry
from cellctl.supervisor.planning import MotionPlanning
from cellctl.supervisor.streaming import DEFAULT_DEPTH, MotionStream, MotionTail
from cellctl.supervisor.tuning import DEFAULT_TUNING, Tuning


class ZoneLocks:
    """Interlock zones held by at most one arm at a time."""

    def __init__(self) -> None:
        self.holders: dict[str, str] = {}

    def try_acquire(self, zones: list[str], arm: str) -> bool:
        """All of ``zones`` for ``arm``, or none (no partial holds, so no deadlock)."""
        if any(self.holders.get(z, arm) != arm for z in zones):
            return False
        for zone in zones:
            self.holders[zone] = arm
        return True

    def release(self, zones: list[str], arm: str) -> None:
        for zone in zones:
            if self.holders.get(zone) == arm:
                del self.holders[zone]

    def release_all(self) -> None:
        self.holders.clear()


@dataclass
class PartLocations:
    """Where each part is believed to be: a world pose, or held by an arm."""

    poses: dict[str, np.ndarray] = field(default_factory=dict)
    held: dict[str, str] = field(default_factory=dict)  # part -> arm

    def reset(self, geometry: CellGeometry) -> None:
        self.poses = {name: geometry.start_pose(name) for name in geometry.cell.parts}
        self.held = {}


@dataclass
class CellContext:
    """Shared by the supervisor and every step of the running unit."""

    system: HardwareSystem
    cell: CellDescription
    geometry: CellGeometry
    journal: Journal
    queue_depth: float = DEFAULT_DEPTH  # seconds of setpoints kept queued ahead of each arm
    tuning: Tuning = DEFAULT_TUNING  # the supervisor's timing and motion parameters for this run
    zones: ZoneLocks = field(default_factory=ZoneLocks)
    parts: PartLocations = field(default_factory=PartLocations)
    unit: UnitRecord | None = None
    rejected: list[str] = field(default_factory=list)
    current: dict[str, str] = field(default_factory=dict)  # arm -> label of the step it runs
    executions: dict[str, int] = field(default_factory=dict)  # step path -> executions this unit
    finished_ids: set[str] = field(default_factory=set)  # ids of steps finished in this unit
    streams: set[MotionStream] = field(default_factory=set)  # motions being streamed now
    tails: dict[str, MotionTail] = field(default_factory=dict)  # arm -> a motion the next move joins
    planning: MotionPlanning = field(default_factory=MotionPlanning.inline)  # where moves are planned
    quality: QualityMonitor | None = None  # the recipe's quality checks (docs/quality.md)

    def start_unit(self, unit: UnitRecord) -> None:
        """Forget the previous unit's bookkeeping; parts are back at their start slots."""
        self.unit = unit
        self.rejected = []
        self.current = {}
        self.executions = {}
        self.finished_ids = set()
        self.streams = set()
        self.tails = {}
        self.parts.reset(self.geometry)

    def now(self) -> float:
        return self.system.now()

    def next_execution(self, path: str) -> int:
        """The attempt number of a step's next execution in this unit (0, 1, …)."""
        attempt = self.executions.get(path, 0)
        self.executions[path] = attempt + 1
        return attempt
