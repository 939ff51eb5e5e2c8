"""PNG plots people would rather look at than read (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from cellctl.motion import JointLimits, Samples  # noqa: E402


def plot_joint_trajectory(
    samples: Samples,
    limits: JointLimits,
    path: str | Path,
    title: str = "joint trajectory",
    markers: Sequence[tuple[float, str]] = (),
) -> Path:
    """Position, velocity, acceleration and jerk of every joint, velocity-and-up with limits.

    `markers` are (time, label) pairs drawn as vertical lines (e.g. where a stop began).
    """
    path = Path(path)
    names = limits.names or tuple(f"j{i}" for i in range(limits.dof))
    rows = [
        ("position", samples.position, None, "rad"),
        ("velocity", samples.velocity, limits.velocity, "rad/s"),
        ("acceleration", samples.acceleration, limits.acceleration, "rad/s²"),
        ("jerk", samples.jerk, limits.jerk, "rad/s³"),
    ]
    fig, axes = plt.subplots(len(rows), 1, figsize=(10, 10), sharex=True)
    colors = plt.cm.tab10(np.arange(limits.dof) % 10)
    for ax, (label, values, bound, unit) in zip(axes, rows):
        for joint in range(limits.dof):
            ax.plot(samples.time, values[:, joint], color=colors[joint], lw=1.2, label=names[joint])
            if bound is not None:
                for sign in (-1, 1):
                    ax.axhline(sign * bound[joint], color=colors[joint], lw=0.6, ls=":")
        for t, text in markers:
            ax.axvline(t, color="black", lw=0.8, ls="--")
            if label == "position":
                ax.annotate(text, (t, 1.0), xycoords=("data", "axes fraction"), fontsize=8,
                            rotation=90, va="top", ha="right")
        ax.set_ylabel(f"{label} [{unit}]")
        ax.grid(alpha=0.3)
    axes[0].legend(ncol=min(limits.dof, 7), fontsize=8, loc="lower right")
    axes[0].set_title(f"{title} (dotted: ± limits)")
    axes[-1].set_xlabel("time [s]")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
