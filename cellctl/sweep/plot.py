"""The sweep's PNG: cycle-time histogram with p50/p95 and their intervals, and NOK causes."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from cellctl.sweep.summary import SweepSummary  # noqa: E402

__all__ = ["plot_sweep"]


def plot_sweep(summary: SweepSummary, path: Path, title: str) -> Path:
    """Write the sweep's figure to ``path`` and return it."""
    fig, (cycles, causes) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    if summary.cycle_samples:
        cycles.hist(summary.cycle_samples, bins=min(40, max(5, len(summary.cycle_samples) // 3)), color="#4c72b0",
                    zorder=2)
        edge_low, edge_high = min(summary.cycle_samples), max(summary.cycle_samples)
        for name, interval, colour in (("p50", summary.cycle_p50, "#2ca02c"), ("p95", summary.cycle_p95, "#d62728")):
            cycles.axvline(interval.estimate, color=colour, lw=2, label=f"{name} {interval.estimate:.2f} s", zorder=3)
            if interval.low is not None or interval.high is not None:
                open_side = " (open: too few units)" if interval.low is None or interval.high is None else ""
                cycles.axvspan(edge_low if interval.low is None else interval.low,
                               edge_high if interval.high is None else interval.high, color=colour, alpha=0.15,
                               hatch="//" if open_side else None, label=f"{name} {interval.confidence:.0%} CI{open_side}")
        cycles.legend(fontsize=8)
    else:
        cycles.text(0.5, 0.5, "no finished unit", ha="center", transform=cycles.transAxes)
    cycles.set_xlabel("cycle time, s (simulation)")
    cycles.set_ylabel("units")
    y = summary.yield_
    cycles.set_title(f"yield {y.estimate:.1%} [{y.low:.1%}, {y.high:.1%}] of {summary.units} units", fontsize=10)
    names = list(summary.nok_causes) or ["(none)"]
    counts = list(summary.nok_causes.values()) or [0]
    causes.barh(names, counts, color="#dd8452")
    causes.invert_yaxis()
    causes.set_xlabel("units not OK")
    causes.set_title("NOK causes", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
