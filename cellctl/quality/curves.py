"""Torque–angle curve shape: a principal-component model of a program's good curves.

A curve is resampled on angle into a fixed vector (torque over the target torque, bin means):
:data:`RUNDOWN_BINS` over the rundown (from the end of engage to ``seat_window`` degrees before
the end) and :data:`SEAT_BINS` over the last ``seat_window`` degrees (the seating, where a hard
joint, a yielding or stripping thread shows). The model keeps the mean and the components that
explain ``explained`` of the good curves' variance; a curve's squared residual off that subspace
(SPE, or Q) is compared with a limit. The limit is fitted to the leave-one-out residuals of the
training curves (Box's scaled chi-square: g·chi2(h), g = var / 2 mean, h = 2 mean² / var, the
quantile by the Wilson–Hilferty approximation), because the in-sample residuals of a few
dozen curves underestimate what a new curve leaves off the subspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = ["resample", "CurveModel", "fit_curve_model", "RUNDOWN_BINS", "SEAT_BINS"]

RUNDOWN_BINS = 24
SEAT_BINS = 24
ENGAGE_ANGLE = 90.0


def _bin_means(angle: np.ndarray, torque: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    edges = np.linspace(lo, hi, bins + 1)
    index = np.clip(np.searchsorted(edges, angle, side="right") - 1, 0, bins - 1)
    inside = (angle >= lo) & (angle <= hi)
    sums = np.bincount(index[inside], torque[inside], bins)
    counts = np.bincount(index[inside], None, bins)
    centres = 0.5 * (edges[:-1] + edges[1:])
    filled = counts > 0
    if not filled.any():
        return np.zeros(bins)
    means = sums[filled] / counts[filled]
    return np.interp(centres, centres[filled], means)


def resample(angle: np.ndarray, torque: np.ndarray, target: float, seat_window: float = 45.0) -> np.ndarray:
    """The curve as a vector of :data:`RUNDOWN_BINS` + :data:`SEAT_BINS` torques over ``target``."""
    angle = np.asarray(angle, dtype=float)
    torque = np.asarray(torque, dtype=float) / target
    end = float(angle[-1]) if angle.size else 0.0
    split = max(end - seat_window, ENGAGE_ANGLE)
    return np.concatenate([_bin_means(angle, torque, ENGAGE_ANGLE, split, RUNDOWN_BINS),
                           _bin_means(angle, torque, split, max(end, split + 1e-9), SEAT_BINS)])


@dataclass(frozen=True)
class CurveModel:
    """Mean, components (rows), score variances and the SPE and T² limits of a program's good curves."""

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    limit: float
    """SPE limit."""
    t2_limit: float
    n: int

    def scores(self, vector: np.ndarray) -> tuple[float, float]:
        """(SPE, T²) of a resampled curve: its squared residual off the model's subspace, and its
        Hotelling distance inside it (a shape the good curves vary along, but too far)."""
        centred = vector - self.mean
        t = self.components @ centred
        residual = centred - self.components.T @ t
        return float(residual @ residual), float(np.sum(t * t / self.variances))

    def spe(self, vector: np.ndarray) -> float:
        """Squared residual of a resampled curve off the model's subspace."""
        return self.scores(vector)[0]

    def flags(self, vector: np.ndarray) -> bool:
        """True when the curve's shape is off the good curves (SPE or T² beyond its limit)."""
        spe, t2 = self.scores(vector)
        return spe > self.limit or t2 > self.t2_limit


def _model(x: np.ndarray, explained: float, max_components: int) -> CurveModel:
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    var = s ** 2
    share = np.cumsum(var) / var.sum() if var.sum() > 0 else np.ones_like(var)
    k = min(int(np.searchsorted(share, explained) + 1), max_components, max(1, x.shape[0] - 2))
    variances = np.maximum(var[:k] / max(x.shape[0] - 1, 1), 1e-12)
    return CurveModel(mean, vt[:k], variances, 0.0, 0.0, x.shape[0])


def _box_limit(q: np.ndarray, alpha: float) -> float:
    """Quantile 1 - alpha of g·chi2(h) matched to the mean and variance of ``q`` (Wilson–Hilferty)."""
    m, v = float(np.mean(q)), float(np.var(q, ddof=1))
    if m <= 0.0 or v <= 0.0:
        return float(np.max(q)) * 2.0 + 1e-12
    g, h = v / (2.0 * m), 2.0 * m * m / v
    z = NormalDist().inv_cdf(1.0 - alpha)
    chi2 = h * max(1.0 - 2.0 / (9.0 * h) + z * np.sqrt(2.0 / (9.0 * h)), 0.0) ** 3
    return g * float(chi2)


def fit_curve_model(vectors: np.ndarray, *, explained: float = 0.9, max_components: int = 5,
                    alpha: float = 1e-5, margin: float = 2.0) -> CurveModel:
    """Learn a model from good curves' vectors (rows; at least 5): limits at the 1 - ``alpha``
    quantile of the scaled chi-square fitted to the leave-one-out SPE and T², times ``margin``
    (a fit to a few dozen values underestimates the tail; docs/quality.md gives the measured rates).

    Raises:
        ValueError: fewer than 5 curves.
    """
    x = np.asarray(vectors, dtype=float)
    if x.shape[0] < 5:
        raise ValueError(f"a curve model needs at least 5 good curves, got {x.shape[0]}")
    loo = np.array([_model(np.delete(x, i, axis=0), explained, max_components).scores(x[i])
                    for i in range(x.shape[0])])
    model = _model(x, explained, max_components)
    return CurveModel(model.mean, model.components, model.variances, margin * _box_limit(loo[:, 0], alpha),
                      margin * _box_limit(loo[:, 1], alpha), model.n)
