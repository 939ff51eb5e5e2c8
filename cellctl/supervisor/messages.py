"""What the supervisor publishes: the cell's state for operators, and a run's summary."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class CellState(str, enum.Enum):
    """States an operator understands (published on ``/cell/supervisor/status``)."""

    IDLE = "idle"            # no unit in progress; ready to run
    RUNNING = "running"
    PAUSING = "pausing"      # decelerating along the path
    PAUSED = "paused"        # stopped on the path; resume continues exactly there
    STOPPING = "stopping"    # aborting: decelerating, then the unit ends ABORTED
    FAULTED = "faulted"      # a fault stopped the cell; see the message; reset to continue
    ESTOPPED = "estopped"    # emergency stop: nothing moves until reset


@dataclass(frozen=True)
class CellStatus:
    """One status message (latched: a late subscriber gets the current one)."""

    state: CellState
    time: float                      # backend clock, s
    unit: str | None = None          # serial of the unit in progress
    unit_index: int = 0              # 1-based
    units_total: int = 0
    arms: tuple[tuple[str, str], ...] = ()  # (arm, what it is doing)
    units_ok: int = 0
    units_nok: int = 0
    message: str = ""


@dataclass
class RunSummary:
    """How a run ended (the CLI's ``--json`` line and exit code come from here)."""

    units_ok: int = 0
    units_nok: int = 0
    units_aborted: int = 0
    cycle_times: list[float] = field(default_factory=list)  # backend seconds per finished unit
    sim_time_s: float = 0.0
    wall_time_s: float = 0.0
    state: CellState = CellState.IDLE
    message: str = ""
    spc_alarms: list[dict[str, object]] = field(default_factory=list)  # unit, hole, program, rule
    quality_paused: bool = False  # a quality alarm ended the run after a unit (recipe: on_alarm: pause)
    hardware_fault: bool = False
    serials: list[str] = field(default_factory=list)  # units finished in this run, resumed ones included
    held: list[str] = field(default_factory=list)  # units left open (resumable): a fault or a stop signal
    resumed: list[str] = field(default_factory=list)  # units of this run that an earlier run had started

    @property
    def cycle_time_s(self) -> float:
        return sum(self.cycle_times) / len(self.cycle_times) if self.cycle_times else 0.0
