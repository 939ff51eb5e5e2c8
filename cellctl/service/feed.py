"""The journal, observed: every step, tightening result (and its torque-angle curve), fault and
unit result the supervisor writes is also handed to listeners (the service publishes them, a
recording writes them), after it is safely on disk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellctl.hw.tools import ToolResult
from cellctl.journal import Journal


@dataclass(frozen=True)
class StepInfo:
    unit_id: int
    path: str
    kind: str
    arm: str | None
    target: str | None
    attempt: int


Listener = Callable[[str, dict[str, Any]], None]
"""Called with ("step" | "tightening" | "curve" | "fault" | "unit", fields) for each record written;
the fields are those of the ``cellctl_msgs`` message of that kind (without ``stamp``)."""

KINDS = ("step", "tightening", "curve", "fault", "unit")


class ObservedJournal(Journal):
    """A :class:`Journal` that tells its listeners about steps, tightenings, curves, faults and units."""

    def __init__(self, path: str | Path, listener: Listener | None = None) -> None:
        super().__init__(path)
        self.listeners: list[Listener] = [] if listener is None else [listener]
        self._steps: dict[int, StepInfo] = {}
        self._tightenings: dict[int, tuple[int, str, int, str, Any]] = {}

    def start_step(self, unit_id: int, path: str, kind: str, arm: str | None, target: str | None,
                   attempt: int, clock: float) -> int:
        step_id = super().start_step(unit_id, path, kind, arm, target, attempt, clock)
        info = StepInfo(unit_id, path, kind, arm, target, attempt)
        self._steps[step_id] = info
        self.listener("step", self._step_fields(info, "RUNNING", "", clock))
        return step_id

    def add_listener(self, listener: Listener) -> None:
        """Tell ``listener`` too, after the listeners already added."""
        self.listeners.append(listener)

    def listener(self, kind: str, fields: dict[str, Any]) -> None:
        """Hand one record to every listener."""
        for listener in self.listeners:
            listener(kind, fields)

    def end_unit(self, unit_id: int, result: str, reason: str | None, clock: float) -> None:
        super().end_unit(unit_id, result, reason, clock)
        unit = self.unit(unit_id)
        self.listener("unit", {"unit": unit.serial, "recipe": unit.recipe, "result": result, "reason": reason or "",
                               "cycle_time": float(self.unit_time(unit_id)), "cell_time": clock})

    def end_step(self, step_id: int, result: str, detail: str | None, clock: float) -> None:
        super().end_step(step_id, result, detail, clock)
        info = self._steps.pop(step_id, None)
        if info is not None:
            self.listener("step", self._step_fields(info, result, detail or "", clock))

    def start_tightening(self, unit_id: int, step_id: int | None, hole: str, attempt: int, program_name: str,
                         program: Any, command_id: int, clock: float) -> int:
        tightening_id = super().start_tightening(unit_id, step_id, hole, attempt, program_name, program,
                                                 command_id, clock)
        self._tightenings[tightening_id] = (unit_id, hole, attempt, program_name, program)
        return tightening_id

    def finish_tightening(self, tightening_id: int, result: ToolResult, clock: float) -> None:
        super().finish_tightening(tightening_id, result, clock)
        started = self._tightenings.pop(tightening_id, None)
        if started is None:
            return
        unit_id, hole, attempt, program_name, program = started
        self.listener("tightening", {
            "unit": self.unit(unit_id).serial, "hole": hole, "attempt": attempt, "program": program_name,
            "status": result.status, "torque": float(result.torque), "angle": float(result.angle),
            "torque_min": float(program.torque_min), "torque_max": float(program.torque_max),
            "angle_min": float(program.angle_min), "angle_max": float(program.angle_max),
            "failure_class": result.failure_class or "", "cell_time": clock})
        record = self.tightening(unit_id, hole, attempt)
        if record is not None and record.curve_points:
            time, torque, angle = record.curve_arrays()  # as stored: float32, what a report plots
            self.listener("curve", {"unit": self.unit(unit_id).serial, "hole": hole, "attempt": attempt,
                                    "status": result.status, "time": time.tolist(), "torque": torque.tolist(),
                                    "angle": angle.tolist(), "cell_time": clock})

    def fault(self, unit_id: int | None, source: str, code: int | None, name: str, message: str,
              action: str | None, clock: float) -> None:
        super().fault(unit_id, source, code, name, message, action, clock)
        self.listener("fault", {"unit": self.unit(unit_id).serial if unit_id is not None else "", "source": source,
                                "code": -1 if code is None else int(code), "name": name, "message": message,
                                "action": action or "", "cell_time": clock})

    def _step_fields(self, info: StepInfo, result: str, detail: str, clock: float) -> dict[str, Any]:
        return {"unit": self.unit(info.unit_id).serial, "path": info.path, "kind": info.kind, "arm": info.arm or "",
                "target": info.target or "", "attempt": info.attempt, "result": result, "detail": detail,
                "cell_time": clock}
