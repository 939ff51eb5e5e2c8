"""Tracking-error statistics of an arm: commanded minus measured joint positions."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["TrackingStats", "TrackingMeter"]


@dataclass(frozen=True)
class TrackingStats:
    """Tracking error while following setpoints (rad).

    Attributes:
        samples: physics steps measured (while following only).
        max_abs: largest |error| of any joint.
        rms: root mean square of the per-step largest joint error.
        max_per_joint: largest |error| per joint, shape (dof,).
    """

    samples: int
    max_abs: float
    rms: float
    max_per_joint: np.ndarray

    def __str__(self) -> str:
        return f"tracking error: max {self.max_abs:.2e} rad, rms {self.rms:.2e} rad over {self.samples} steps"


class TrackingMeter:
    """Accumulates tracking errors step by step."""

    def __init__(self, dof: int) -> None:
        self._dof = dof
        self.reset()

    def reset(self) -> None:
        """Forget everything measured."""
        self._n = 0
        self._sum_sq = 0.0
        self._max = np.zeros(self._dof)

    def add(self, commanded: np.ndarray, measured: np.ndarray) -> float:
        """Record one step; returns its largest joint error."""
        error = np.abs(commanded - measured)
        self._n += 1
        worst = float(error.max())
        self._sum_sq += worst * worst
        np.maximum(self._max, error, out=self._max)
        return worst

    def stats(self) -> TrackingStats:
        """The statistics so far."""
        rms = math.sqrt(self._sum_sq / self._n) if self._n else 0.0
        return TrackingStats(self._n, float(self._max.max()) if self._n else 0.0, rms, self._max.copy())
