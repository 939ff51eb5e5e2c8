"""What a sweep found: yield, NOK causes, per-class failure rates and cycle times, with intervals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cellctl.sweep.ledger import UnitOutcome
from cellctl.sweep.stats import Interval, percentile_interval, wilson

__all__ = ["SweepSummary", "summarise"]


@dataclass(frozen=True)
class SweepSummary:
    """A sweep's figures (see :func:`summarise`)."""

    units: int
    results: dict[str, int]
    """OK / NOK / ABORTED / FAULT / ERROR → units."""
    yield_: Interval
    nok_causes: dict[str, int]
    """Failure class → units not OK whose tightenings failed with it (a unit may have several)."""
    attempts: int
    failure_rates: dict[str, tuple[Interval, float | None]]
    """Failure class → (observed rate per tightening attempt, injected rate or None)."""
    cycle_p50: Interval
    cycle_p95: Interval
    cycle_max: float | None
    cycle_samples: list[float]

    def as_dict(self) -> dict[str, Any]:
        return {"units": self.units, "results": self.results, "yield": self.yield_.as_dict(),
                "nok_causes": self.nok_causes, "tightening_attempts": self.attempts,
                "failure_rates": {k: {**v.as_dict(), "injected": inj} for k, (v, inj) in self.failure_rates.items()},
                "cycle_s": {"p50": self.cycle_p50.as_dict(), "p95": self.cycle_p95.as_dict(), "max": self.cycle_max,
                            "n": len(self.cycle_samples)}}


def summarise(outcomes: Sequence[UnitOutcome], injected: Mapping[str, float],
              confidence: float = 0.95) -> SweepSummary:
    """Figures of ``outcomes`` (one per unit); ``injected`` maps failure class → rate per attempt."""
    results = Counter(o.result for o in outcomes)
    ok = results.get("OK", 0)
    nok_causes = Counter(cause for o in outcomes if o.result != "OK" for cause in sorted(set(o.causes)))
    attempts = sum(o.tightenings for o in outcomes)
    failed = Counter(cause for o in outcomes for cause in o.causes)
    classes = sorted(set(injected) | {c for c in failed if c not in ("fault", "error", "worker died")})
    rates = {c: (wilson(min(failed.get(c, 0), attempts), attempts, confidence), injected.get(c)) for c in classes}
    cycles = [o.cycle_s for o in outcomes if o.cycle_s is not None and o.result in ("OK", "NOK")]
    array = np.asarray(cycles, dtype=float)
    return SweepSummary(len(outcomes), dict(sorted(results.items())), wilson(ok, len(outcomes), confidence),
                        dict(nok_causes.most_common()), attempts, rates,
                        percentile_interval(array, 0.50, confidence), percentile_interval(array, 0.95, confidence),
                        float(array.max()) if array.size else None, cycles)
