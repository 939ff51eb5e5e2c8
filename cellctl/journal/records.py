"""Rows of the production journal as plain data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UnitRecord:
    id: int
    serial: str
    recipe: str
    recipe_version: str
    cell: str
    started_at: float
    ended_at: float | None
    sim_started: float | None
    sim_ended: float | None
    result: str
    reason: str | None


@dataclass(frozen=True)
class StepRecord:
    id: int
    unit_id: int
    path: str
    kind: str
    arm: str | None
    target: str | None
    attempt: int
    started_at: float
    ended_at: float | None
    result: str
    detail: str | None


@dataclass(frozen=True)
class TighteningRecord:
    """A tightening in the shape of an industrial tightening record."""

    id: int
    unit_id: int
    step_id: int | None
    hole: str
    attempt: int
    command_id: int
    program: str
    program_id: int
    target_torque: float
    torque_min: float
    torque_max: float
    angle_min: float
    angle_max: float
    status: str
    torque: float | None
    angle: float | None
    failure_class: str | None
    final: bool
    curve_points: int
    curve: bytes | None
    started_at: float
    ended_at: float | None

    def curve_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The torque-angle curve: (time s, torque N·m, angle °); empty arrays when absent."""
        if not self.curve or not self.curve_points:
            empty = np.zeros(0)
            return empty, empty, empty
        rows = np.frombuffer(self.curve, dtype="<f4").reshape(3, self.curve_points)
        return rows[0].astype(float), rows[1].astype(float), rows[2].astype(float)


def pack_curve(time: np.ndarray, torque: np.ndarray, angle: np.ndarray) -> tuple[int, bytes]:
    """Pack a curve into (points, blob) for the journal."""
    rows = np.stack([np.asarray(time), np.asarray(torque), np.asarray(angle)]).astype("<f4")
    return int(rows.shape[1]), rows.tobytes()
