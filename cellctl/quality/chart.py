"""The individuals / moving-range chart of one characteristic (a hole's final torque).

Limits come from the recipe (centre and sigma given) or are learned from the first ``learn``
good points: the centre is their mean and sigma the mean moving range over d2 = 1.128 (the
within-process spread, which a slow drift does not inflate the way a plain standard deviation
would). Once limits are set every point is standardised and checked against the run rules
(:mod:`cellctl.quality.rules`), the moving-range limit (D4 = 3.267 times the mean moving
range: the spread itself jumped) and the EWMA (:mod:`cellctl.quality.ewma`). After a signal
the rule window and the EWMA start afresh, so one cause raises one alarm, not one per point.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from cellctl.quality.ewma import Ewma
from cellctl.quality.rules import MAX_RUN, RULES, violated

__all__ = ["Limits", "Signal", "IndividualsChart", "D2", "D4"]

D2 = 1.128
"""Mean moving range of two normal points over sigma."""
D4 = 3.267
"""Upper limit of the moving-range chart over its mean (n = 2)."""


@dataclass(frozen=True)
class Limits:
    """A chart's centre line and sigma; ``source`` is ``learned`` or ``given``; ``n`` points learned from."""

    center: float
    sigma: float
    source: str = "learned"
    n: int = 0

    def zone(self, value: float) -> float:
        """``value`` in sigmas from the centre."""
        return (value - self.center) / self.sigma


@dataclass(frozen=True)
class Signal:
    """A chart signal: ``rule`` is 1..4 (run rules), ``ewma`` or ``mr``; ``side`` +1 up, -1 down."""

    rule: str
    side: int
    z: float
    ewma: float


@dataclass
class IndividualsChart:
    """See module docstring. Feed it with :meth:`add`; it returns the signal the point raises, if any."""

    learn: int = 20
    rules: tuple[int, ...] = RULES
    ewma_lambda: float = 0.2
    ewma_width: float = 2.962
    zone: float = 3.0
    """Rule 1's limit in sigmas (the rules' zones scale with it; the moving-range limit too)."""
    run: int = 8
    """Rule 4's run length."""
    mr: bool = True
    """Check the moving range against D4 (scaled like the zones)."""
    use_ewma: bool = True
    """Raise the EWMA's signals (it is always computed, for the report)."""
    limits: Limits | None = None
    learning: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    """Every point since the limits were set (for Cp/Cpk and the report)."""
    _z: deque = field(default_factory=lambda: deque(maxlen=MAX_RUN))
    _ewma: Ewma | None = None
    _last: float | None = None

    def __post_init__(self) -> None:
        self._ewma = Ewma(self.ewma_lambda, self.ewma_width)

    @property
    def ewma(self) -> Ewma:
        assert self._ewma is not None
        return self._ewma

    def add(self, value: float) -> Signal | None:
        """Add a good point; the signal it completes, or None (always None while learning)."""
        previous, self._last = self._last, value
        if self.limits is None:
            self.learning.append(value)
            if len(self.learning) >= self.learn:
                self.limits = learn_limits(self.learning)
            return None
        self.values.append(value)
        limits = self.limits
        z = limits.zone(value)
        self._z.append(z)
        rule = violated(list(self._z), self.rules, zone=self.zone, run=self.run)
        drift = self.ewma.update(z)
        signal = None
        if rule is not None:
            signal = Signal(str(rule[0]), rule[1], z, self.ewma.value)
        elif drift and self.use_ewma:
            signal = Signal("ewma", drift, z, self.ewma.value)
        elif self.mr and previous is not None and abs(value - previous) > D4 * D2 * self.zone / 3.0 * limits.sigma:
            signal = Signal("mr", 1, z, self.ewma.value)
        if signal is not None:  # the rules, the EWMA and the moving range start afresh after it
            self._z.clear()
            self.ewma.restart()
            self._last = None
        return signal

    def restart(self) -> None:
        """Start the rules, the EWMA and the moving range afresh (after maintenance: a new baseline);
        the limits stay."""
        self._z.clear()
        self.ewma.restart()
        self._last = None

    def capability(self, low: float, high: float) -> tuple[float, float] | None:
        """(Cp, Cpk) now: the mean of the last :data:`RECENT` points (the learning points if none
        yet) with the within sigma of the limits; None before there are limits."""
        if self.limits is None:
            return None
        data = (self.values or self.learning)[-RECENT:]
        mean = float(np.mean(data)) if data else self.limits.center
        sigma = self.limits.sigma
        return (high - low) / (6.0 * sigma), min(high - mean, mean - low) / (3.0 * sigma)


SIGMA_FLOOR = 1e-12
RECENT = 10
"""Points whose mean Cpk is computed from: the process as it is now, not as it was on average."""


def learn_limits(points: list[float]) -> Limits:
    """Centre and within sigma (mean moving range / d2) of ``points`` (at least two)."""
    data = np.asarray(points, dtype=float)
    mr = np.abs(np.diff(data))
    sigma = max(float(mr.mean()) / D2, SIGMA_FLOOR) if mr.size else SIGMA_FLOOR
    return Limits(float(data.mean()), sigma, "learned", int(data.size))
