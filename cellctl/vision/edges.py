"""Sub-pixel edges along scanlines, and straight lines fitted through them (numpy only).

A camera pixel integrates the light over its area, so across a straight edge the pixel values
step from one side's colour to the other's through a ramp whose samples are the covered share
of each pixel. :func:`step_edge` projects a colour profile onto its step (so any pair of colours
gives one monotonic profile), takes the differences of neighbouring samples (located at the
pixel boundaries) and returns the centroid of the difference lobe around the strongest one. For
an area-sampled step that centroid is the edge's position exactly (the ramp's differences sum to
the step, and their first moment telescopes to it); blur and noise move it by a fraction of a
pixel. :func:`fit_line` fits a line through the edge points of many scanlines by total least
squares, dropping points far off it, so the staircase of an edge that is nearly parallel to the
pixel grid and a few disturbed scanlines average out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EdgePoint", "Line", "step_edge", "fit_line", "scan_edges"]

LOBE = 3
"""Samples either side of the strongest difference taken into the centroid (a ramp up to 6 px wide)."""


@dataclass(frozen=True)
class EdgePoint:
    """An edge on a profile: ``position`` in samples from the profile's start (sample ``i`` covers
    ``[i, i + 1)``), and the step's ``contrast`` (the colour distance across it)."""

    position: float
    contrast: float


def step_edge(profile: np.ndarray, *, min_contrast: float, expected: float | None = None) -> EdgePoint | None:
    """The sub-pixel edge on a profile (N,) or (N, channels), or None when no step reaches
    ``min_contrast``. With several steps, the one nearest ``expected`` among those at least half
    as strong as the strongest."""
    p = np.asarray(profile, dtype=float)
    if p.ndim == 1:
        p = p[:, None]
    if len(p) < 4:
        return None
    ends = max(1, len(p) // 8)
    step = p[-ends:].mean(axis=0) - p[:ends].mean(axis=0)
    norm = float(np.linalg.norm(step))
    # Along the step's colour direction (or, with no net step, the strongest channel's).
    direction = step / norm if norm > 1e-9 else np.eye(p.shape[1])[int(np.argmax(np.ptp(p, axis=0)))]
    scalar = p @ direction
    diff = np.diff(scalar)  # diff[i] sits at the boundary between samples i and i + 1: position i + 1
    magnitude = np.abs(diff)
    strongest = float(magnitude.max())
    if strongest <= 0.0:
        return None
    peaks = _peaks(magnitude, 0.5 * strongest)
    if expected is not None:
        peak = min(peaks, key=lambda i: abs(i + 1 - expected))
    else:
        peak = max(peaks, key=lambda i: magnitude[i])
    signed = np.sign(diff[peak]) * diff
    lo, hi = peak, peak + 1  # the ramp: the run of same-signed differences around the peak
    while lo > 0 and peak - lo < LOBE and signed[lo - 1] > 0:
        lo -= 1
    while hi < len(diff) and hi - peak <= LOBE and signed[hi] > 0:
        hi += 1
    lobe = signed[lo:hi]
    contrast = float(lobe.sum())
    if contrast < min_contrast:
        return None
    positions = np.arange(lo, hi) + 1.0
    return EdgePoint(float(positions @ lobe / contrast), contrast)


def _peaks(magnitude: np.ndarray, floor: float) -> list[int]:
    """Indices of local maxima of ``magnitude`` at or above ``floor`` (plateaus give their first index)."""
    left = np.concatenate([[-np.inf], magnitude[:-1]])
    right = np.concatenate([magnitude[1:], [-np.inf]])
    found = np.flatnonzero((magnitude >= floor) & (magnitude > left) & (magnitude >= right))
    return found.tolist() or [int(np.argmax(magnitude))]


def scan_edges(image: np.ndarray, starts: np.ndarray, axis: int, length: int, *, min_contrast: float,
               expected: np.ndarray | None = None) -> list[tuple[int, EdgePoint]]:
    """Edges on scanlines along image rows (``axis`` 1: u varies) or columns (``axis`` 0: v varies).

    ``starts`` (K, 2) are the first pixels (column, row) of each scanline; each runs ``length``
    pixels towards increasing u (or v). Returns (scanline index, edge) for the scanlines that
    have one; an edge's ``position`` is then the u (or v) coordinate of the edge in the image.
    ``expected`` (K,): where each scanline's edge should be (same coordinate), to choose among steps.
    """
    height, width = image.shape[:2]
    out = []
    for k, (u0, v0) in enumerate(np.asarray(starts, dtype=int)):
        if axis == 1:
            if not (0 <= v0 < height):
                continue
            a, b = max(0, u0), min(width, u0 + length)
            profile, origin = image[v0, a:b], a
        else:
            if not (0 <= u0 < width):
                continue
            a, b = max(0, v0), min(height, v0 + length)
            profile, origin = image[a:b, u0], a
        edge = step_edge(profile, min_contrast=min_contrast,
                         expected=None if expected is None else float(expected[k]) - origin)
        if edge is not None:
            out.append((k, EdgePoint(origin + edge.position, edge.contrast)))
    return out


@dataclass(frozen=True)
class Line:
    """A straight line through ``point`` along the unit ``direction``; ``rms`` of the kept points'
    distances to it, ``used`` of ``total`` points kept."""

    point: np.ndarray
    direction: np.ndarray
    rms: float
    used: int
    total: int

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Signed distances of points (N, 2) from the line (positive to the left of its direction)."""
        normal = np.array([-self.direction[1], self.direction[0]])
        return (np.asarray(points, dtype=float) - self.point) @ normal


def fit_line(points: np.ndarray, *, reject: float = 3.0, rounds: int = 3, floor: float = 0.0) -> Line | None:
    """Total-least-squares line through points (N, 2); points farther than ``reject`` robust sigmas
    (1.4826 · median absolute distance, at least ``floor``) are dropped and the line refitted, up to
    ``rounds`` times. None with fewer than 2 points."""
    pts = np.asarray(points, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    total = len(pts)
    keep = np.ones(total, dtype=bool)
    line = None
    for _ in range(rounds + 1):
        if keep.sum() < 2:
            return line
        line = _tls(pts[keep], total)
        distance = np.abs(line.distance(pts))
        sigma = max(1.4826 * float(np.median(distance[keep])), floor)
        new_keep = distance <= reject * sigma if sigma > 0 else keep
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return line


def _tls(pts: np.ndarray, total: int) -> Line:
    centre = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
    direction = vt[0] / np.linalg.norm(vt[0])
    if direction[np.argmax(np.abs(direction))] < 0:  # a canonical sign: the larger component positive
        direction = -direction
    normal = np.array([-direction[1], direction[0]])
    rms = float(np.sqrt(np.mean(((pts - centre) @ normal) ** 2)))
    return Line(centre, direction, rms, len(pts), total)
