"""The charts' state as the journal holds it (for ``cellctl report --spc``): no settings needed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from cellctl.quality.chart import RECENT, learn_limits

__all__ = ["chart_rows"]


def chart_rows(journal: Any) -> list[dict[str, Any]]:
    """One row per (program, hole): points, limits, last point, EWMA, Cp/Cpk against the window, alarms.

    Cp/Cpk use the chart's within sigma (the limits'; before limits exist, the points' own) and
    the mean of the last :data:`~cellctl.quality.chart.RECENT` points.
    """
    windows = {t.program: (t.torque_min, t.torque_max) for t in journal.tightenings()}
    limits = {(row["program"], row["hole"]): row for row in journal.spc_limits()}
    alarms: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for alarm in journal.quality_alarms():
        alarms[(alarm["program"], alarm["hole"])].append(alarm)
    points: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for point in journal.spc_points():
        points[(point["program"], point["hole"])].append(point)
    rows = []
    for key in sorted(points):
        series = points[key]
        values = np.array([p["value"] for p in series])
        lim = limits.get(key)
        sigma = lim["sigma"] if lim else (learn_limits(list(values)).sigma if values.size > 1 else float("nan"))
        low, high = windows.get(key[0], (float("nan"), float("nan")))
        mean = float(values[-RECENT:].mean())
        last = series[-1]
        rows.append({
            "program": key[0], "hole": key[1], "points": len(series),
            "phase": last["phase"], "center": lim["center"] if lim else None, "sigma": sigma,
            "source": lim["source"] if lim else None, "mean": mean, "last": float(values[-1]),
            "last_z": last["z"], "ewma_sigma": last["ewma"],
            "cp": (high - low) / (6 * sigma), "cpk": min(high - mean, mean - low) / (3 * sigma),
            "window": [low, high], "alarms": len(alarms[key]),
            "last_alarm": alarms[key][-1]["rule"] if alarms[key] else None,
        })
    return rows
