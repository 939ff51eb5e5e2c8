"""Control charts as PNG (``cellctl plot --spc``): one per program and hole, from the journal alone.

Top: the final torque of every good screw (learning points hollow), the centre line, the control
limits (± zone sigma) and the zone lines at 1/3 and 2/3 of them, the torque window; alarms are
red with their rule written next to them. Bottom: the EWMA in sigmas with its limits. The x axis
is the point's order in the chart (one per good screw of that hole).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cellctl.plotting import plt, save_figure

__all__ = ["plot_control_chart"]


def plot_control_chart(points: list[dict[str, Any]], limits: dict[str, Any] | None,
                       window: tuple[float, float] | None, path: str | Path) -> Path:
    """Draw one chart (``points``: its ``spc_points`` rows, oldest first; ``limits``: its ``spc_limits`` row)."""
    path = Path(path)
    x = np.arange(1, len(points) + 1)
    value = np.array([p["value"] for p in points])
    learning = np.array([p["phase"] == "learning" for p in points])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    top.plot(x, value, "-", color="0.6", lw=0.8)
    top.plot(x[~learning], value[~learning], "o", ms=4, color="tab:blue", label="final torque")
    if learning.any():
        top.plot(x[learning], value[learning], "o", ms=4, mfc="none", color="tab:blue", label="learning")
    if window is not None:
        for edge in window:
            top.axhline(edge, color="black", lw=1.2)
        top.axhspan(window[1], window[1] + 1.0, color="red", alpha=0.06)
        top.axhspan(window[0] - 1.0, window[0], color="red", alpha=0.06)
    if limits is not None:
        c, s, zone = limits["center"], limits["sigma"], limits["zone"]
        top.axhline(c, color="green", lw=1.2, label=f"centre {c:.4f} ({limits['source']})")
        for k, style in ((1.0, "-"), (2 / 3, "--"), (1 / 3, ":")):
            for side in (1, -1):
                top.axhline(c + side * k * zone * s, color="tab:red" if k == 1.0 else "0.5", lw=1.0 if k == 1.0 else 0.7,
                            ls=style, label=f"±{zone:g} sigma limits" if k == 1.0 and side == 1 else None)
    signalled = [(i, p) for i, p in enumerate(points) if p["signal"]]
    for i, p in signalled:
        top.plot(x[i], value[i], "o", ms=9, mfc="none", mec="red", mew=2)
        top.annotate(p["signal"], (x[i], value[i]), textcoords="offset points", xytext=(6, 6), color="red",
                     fontsize=9, fontweight="bold")
    span = value.max() - value.min() if value.size else 1.0
    low = min(value.min(), window[0] if window else value.min()) - 0.1 * span
    high = max(value.max(), window[1] if window else value.max()) + 0.1 * span
    top.set_ylim(low, high)
    top.set_ylabel("final torque [N·m]")
    first = points[0] if points else {"program": "?", "hole": "?"}
    top.set_title(f"{first['program']}, hole {first['hole']}: {len(points)} screws, {len(signalled)} alarm(s)")
    top.grid(alpha=0.3)
    top.legend(fontsize=7, loc="upper left", ncol=2)
    ewma = np.array([np.nan if p["ewma"] is None else p["ewma"] for p in points])
    bottom.plot(x, ewma, "-o", ms=3, color="tab:purple", label="EWMA [sigma]")
    if limits is not None:
        lam, width = limits["ewma_lambda"], limits["ewma_width"]
        steady = width * np.sqrt(lam / (2 - lam))
        bottom.axhline(steady, color="tab:red", lw=1.0, label=f"EWMA limit ±{steady:.2f}")
        bottom.axhline(-steady, color="tab:red", lw=1.0)
    bottom.axhline(0.0, color="green", lw=1.0)
    bottom.set_xlabel("screw (in this hole's chart)")
    bottom.set_ylabel("EWMA [sigma]")
    bottom.grid(alpha=0.3)
    bottom.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return save_figure(fig, path)
