"""Sweep statistics with honest intervals, numpy only.

- yield: the Wilson score interval (good coverage even at 0 % or 100 % and small n);
- percentiles (p50, p95 of the cycle time): the distribution-free order-statistic interval, whose
  bounds are two observed values chosen from the binomial distribution of how many samples fall
  below the true percentile. When n is too small for the requested confidence the interval's
  open side is None (unbounded) instead of a made-up number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = ["Interval", "wilson", "binomial_cdf", "percentile_interval", "z_for"]


@dataclass(frozen=True)
class Interval:
    """An estimate and its confidence interval; a None bound is unbounded (too few samples)."""

    estimate: float
    low: float | None
    high: float | None
    confidence: float

    def as_dict(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "confidence": self.confidence}


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for ``confidence`` (0.95 → 1.96)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval of a proportion; ``trials`` = 0 gives the whole [0, 1]."""
    if not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return Interval(float("nan"), 0.0, 1.0, confidence)
    z = z_for(confidence)
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(p, low, high, confidence)


def binomial_cdf(n: int, p: float) -> np.ndarray:
    """P(B <= k) for k = 0..n of a Binomial(n, p), computed in log space (stable for large n)."""
    k = np.arange(n + 1)
    if p <= 0.0:
        return np.ones(n + 1)
    if p >= 1.0:
        return (k >= n).astype(float)
    log_comb = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
    pmf = np.exp(log_comb + k * math.log(p) + (n - k) * math.log1p(-p))
    return np.minimum(np.cumsum(pmf), 1.0)


def percentile_interval(samples: np.ndarray | list[float], q: float, confidence: float = 0.95) -> Interval:
    """The ``q``-quantile (0 < q < 1) of ``samples`` with its order-statistic confidence interval.

    The bounds are the sorted samples x(l) and x(u) (1-based ranks) with
    P(l <= B < u) >= confidence for B ~ Binomial(n, q), each tail at most (1 - confidence) / 2.
    A tail that cannot be met with n samples leaves that bound None.
    """
    x = np.sort(np.asarray(samples, dtype=float))
    n = x.size
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q}")
    if n == 0:
        return Interval(float("nan"), None, None, confidence)
    estimate = float(np.quantile(x, q))
    alpha = (1.0 - confidence) / 2.0
    cdf = binomial_cdf(n, q)  # cdf[k] = P(B <= k)
    # lower rank l: the largest l with P(B <= l - 1) <= alpha  (then P(x(l) > true q) <= alpha)
    lows = np.nonzero(cdf[:n] <= alpha)[0]  # candidate l - 1 = k
    low = float(x[lows[-1]]) if lows.size else None  # rank l = k + 1 → index k
    # upper rank u: the smallest u with P(B >= u) <= alpha, i.e. 1 - P(B <= u - 1) <= alpha
    highs = np.nonzero(1.0 - cdf[:n] <= alpha)[0]  # candidate u - 1 = k
    high = float(x[highs[0]]) if highs.size else None  # rank u = k + 1 → index k
    return Interval(estimate, low, high, confidence)
