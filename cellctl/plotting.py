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


def plot_tightening(record, path: str | Path) -> Path:  # noqa: ANN001 - a TighteningRecord
    """Torque over angle with the program's acceptance window (the box) and the final point."""
    path = Path(path)
    _, torque, angle = record.curve_arrays()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if torque.size:
        ax.plot(angle, torque, lw=1.2, color="tab:blue", label="torque")
    ax.add_patch(plt.Rectangle((record.angle_min, record.torque_min), record.angle_max - record.angle_min,
                               record.torque_max - record.torque_min, fill=True, alpha=0.15, color="green",
                               label="OK window"))
    ax.axhline(record.target_torque, color="green", lw=0.8, ls="--", label="target torque")
    if record.torque is not None and record.angle is not None:
        colour = "green" if record.status == "OK" else "red"
        ax.plot([record.angle], [record.torque], "o", color=colour, label=f"final: {record.status}")
    ax.set_xlabel("angle [°]")
    ax.set_ylabel("torque [N·m]")
    cls = f" ({record.failure_class})" if record.failure_class else ""
    ax.set_title(f"hole {record.hole}, try {record.attempt}, program {record.program}: {record.status}{cls}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_timeline(unit, steps, path: str | Path) -> Path:  # noqa: ANN001 - journal records
    """What each arm did when: one row per arm (and one for steps without an arm)."""
    path = Path(path)
    lanes = sorted({s.arm or "cell" for s in steps})
    colours = {"OK": "tab:green", "FAILED": "tab:red", "HALTED": "tab:orange", "RUNNING": "tab:gray"}
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.8 * len(lanes)))
    end_of_unit = max((s.ended_at or s.started_at for s in steps), default=1.0)
    start_of_unit = min((s.started_at for s in steps), default=0.0)
    # About 3.4 points per character at font size 6: a label is drawn only where it fits its bar.
    points_per_second = fig.get_size_inches()[0] * 72 * 0.85 / max(end_of_unit - start_of_unit, 1e-9)
    for s in steps:
        end = s.ended_at if s.ended_at is not None else s.started_at
        lane = lanes.index(s.arm or "cell")
        ax.barh(lane, max(end - s.started_at, 0.02), left=s.started_at, color=colours.get(s.result, "tab:gray"),
                edgecolor="white", height=0.6)
        label = f"{s.kind}\n{(s.target or '').split('@')[0]}".strip()
        if (end - s.started_at) * points_per_second > 3.4 * max(map(len, label.split("\n"))) + 4:
            ax.text(s.started_at + 0.1, lane, label, va="center", fontsize=6, color="white", linespacing=1.0)
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_xlabel("cell time [s]")
    ax.set_title(f"unit {unit.serial}: {unit.result} (green OK, red failed, orange halted)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_planned_joints(recipe, cell, out: Path) -> list[Path]:  # noqa: ANN001
    """The recipe's first unit as planned by the dry run: each arm's joints with their limits."""
    from cellctl.recipe.validate import plan_motions

    written = []
    for arm, (samples, limits) in plan_motions(recipe, cell).items():
        written.append(plot_joint_trajectory(samples, limits, out / f"planned_{arm}.png",
                                             title=f"{arm}: planned joint motion of one unit (motion time only)"))
    return written
