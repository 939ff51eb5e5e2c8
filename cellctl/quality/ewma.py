"""The exponentially weighted moving average chart, for slow drifts the run rules see late.

``e_t = lam * x_t + (1 - lam) * e_{t-1}``, ``e_0`` = the centre line; the limits widen from the
first point to their steady state ``centre ± L * sigma * sqrt(lam / (2 - lam))``. The defaults
(lam = 0.2, L = 2.962) give an in-control average run length of about 500 points (Montgomery's
table for the EWMA chart); a 1.5-sigma shift is found in about 5 to 7 points on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Ewma"]


@dataclass
class Ewma:
    """A running EWMA statistic in sigma units (fed standardised points)."""

    lam: float = 0.2
    width: float = 2.962
    value: float = 0.0
    count: int = 0

    def update(self, z: float) -> int:
        """Add a standardised point; +1/-1 when the statistic leaves its limit above/below, else 0."""
        self.value = self.lam * z + (1.0 - self.lam) * self.value
        self.count += 1
        return 1 if self.value > self.limit() else -1 if self.value < -self.limit() else 0

    def limit(self) -> float:
        """The current half-width of the limits, in sigmas."""
        return self.width * math.sqrt(self.lam / (2.0 - self.lam) * (1.0 - (1.0 - self.lam) ** (2 * self.count)))

    def restart(self) -> None:
        """Back to the centre line (after an alarm has been acted on)."""
        self.value, self.count = 0.0, 0
