"""PNG plots people would rather look at than read (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from cellctl.motion import JointLimits, Samples  # noqa: E402


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:  # noqa: ANN001 - a matplotlib Figure
    """Write ``fig`` to ``path`` and close it (figures are not kept open between plots)."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return Path(path)


def plot_joint_trajectory(
    samples: Samples,
    limits: JointLimits,
    path: str | Path,
    title: str = "joint trajectory",
    markers: Sequence[tuple[float, str]] = (),
) -> Path:
    """Each joint's position, and its speed as a share of its velocity limit (100 % = at the limit).

    Two panels a person can read: where the joints go, and how hard each is driven. (Acceleration
    and jerk are kept by the planner's own limits; drawn for seven joints they are noise.)
    `markers` are (time, label) pairs drawn as vertical lines (e.g. where a stop began).
    """
    path = Path(path)
    names = limits.names or tuple(f"j{i}" for i in range(limits.dof))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6.5), sharex=True, height_ratios=(3, 2))
    colors = plt.cm.tab10(np.arange(limits.dof) % 10)
    share = 100.0 * np.abs(samples.velocity) / np.asarray(limits.velocity)
    for joint in range(limits.dof):
        top.plot(samples.time, samples.position[:, joint], color=colors[joint], lw=1.3, label=names[joint])
        bottom.plot(samples.time, share[:, joint], color=colors[joint], lw=1.0)
    bottom.axhline(100.0, color="black", lw=0.8, ls=":")
    bottom.set_ylim(0, 110)
    for t, text in markers:
        for ax in (top, bottom):
            ax.axvline(t, color="black", lw=0.8, ls="--")
        top.annotate(text, (t, 1.0), xycoords=("data", "axes fraction"), fontsize=8, rotation=90, va="top", ha="right")
    top.set_ylabel("position [rad]")
    bottom.set_ylabel("speed [% of limit]")
    bottom.set_xlabel("time [s]")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    top.legend(ncol=min(limits.dof, 7), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.02), frameon=False)
    top.set_title(title)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_tightening(record, path: str | Path, serial: str = "") -> Path:  # noqa: ANN001 - a TighteningRecord
    """Torque over angle with the program's acceptance window (the box) and the final point;
    the title names the unit (``serial``), the hole, the try and the program."""
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
    unit = f"unit {serial}, " if serial else ""
    ax.set_title(f"{unit}hole {record.hole}, try {record.attempt}, program {record.program}: {record.status}{cls}",
                 color="black" if record.status == "OK" else "tab:red")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return save_figure(fig, path)


STEP_COLOURS = {"OK": "tab:green", "FAILED": "tab:red", "HALTED": "tab:orange", "RUNNING": "tab:gray"}
INSTANT = 0.25  # s: a step shorter than this is drawn as an event marker, not a bar


def plot_timeline(unit, steps, path: str | Path) -> Path:  # noqa: ANN001 - journal records
    """What each arm did when: one lane per arm (and one for steps without an arm).

    Steps that take time are bars, labelled inside when the label fits and above otherwise;
    instant steps (conditions, inspections, rejections) are markers, so a NOK decision is seen
    where it was taken: a red ✕ with its reason for a ``reject``.
    """
    path = Path(path)
    lanes = sorted({s.arm or "cell" for s in steps})
    fig, ax = plt.subplots(figsize=(12, 1.6 + 1.0 * len(lanes)))
    end_of_unit = max((s.ended_at or s.started_at for s in steps), default=1.0)
    start_of_unit = min((s.started_at for s in steps), default=0.0)
    # About 3.4 points per character at font size 6: a label goes inside a bar only where it fits.
    points_per_second = fig.get_size_inches()[0] * 72 * 0.85 / max(end_of_unit - start_of_unit, 1e-9)
    reasons = _reject_reasons(unit, steps)
    for s in steps:
        end = s.ended_at if s.ended_at is not None else s.started_at
        lane = lanes.index(s.arm or "cell")
        if end - s.started_at < INSTANT:
            _event(ax, s, lane, reasons.get(s.id, "NOK"))
            continue
        ax.barh(lane, end - s.started_at, left=s.started_at, color=STEP_COLOURS.get(s.result, "tab:gray"),
                edgecolor="white", height=0.5)
        label = f"{s.kind}\n{(s.target or '').split('@')[0]}".strip()
        if (end - s.started_at) * points_per_second > 3.4 * max(map(len, label.split("\n"))) + 4:
            ax.text(s.started_at + 0.1, lane, label, va="center", fontsize=6, color="white", linespacing=1.0)
        else:
            ax.text((s.started_at + end) / 2, lane + 0.3, s.kind, ha="center", va="bottom", fontsize=6, rotation=45)
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(-0.7, len(lanes) - 0.1)
    ax.set_xlabel("cell time [s]")
    reason = f": {unit.reason}" if unit.reason else ""
    ax.set_title(f"unit {unit.serial}: {unit.result}{reason}", color="black" if unit.result == "OK" else "tab:red",
                 fontsize=10)
    fig.legend(handles=_timeline_legend(), fontsize=7, loc="lower center", ncol=6, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save_figure(fig, path)


def _reject_reasons(unit, steps) -> dict[int, str]:  # noqa: ANN001 - journal records
    """Each ``reject`` step's reason: the unit's reasons are joined in the order the rejections ran."""
    rejects = [s.id for s in steps if s.kind == "reject" and s.result == "OK"]
    reasons = (unit.reason or "").split("; ")
    return dict(zip(rejects, reasons)) if len(reasons) == len(rejects) else {}


def _event(ax, step, lane: int, reason: str) -> None:  # noqa: ANN001 - an axis and a StepRecord
    """An instant step as a marker on its lane: ✕ for a rejection, ◆ otherwise (red when failed)."""
    if step.kind == "reject":
        ax.plot(step.started_at, lane, marker="X", markersize=11, color="tab:red", markeredgecolor="white", zorder=5)
        ax.annotate(f"NOK: {_short(reason)}", (step.started_at, lane), xytext=(4, -15), textcoords="offset points",
                    fontsize=7, color="tab:red", fontweight="bold", zorder=6,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9})
        return
    failed = step.result == "FAILED"
    colour = "tab:red" if failed and step.kind != "when" else ("tab:cyan" if step.kind == "when" else "tab:green")
    ax.plot(step.started_at, lane, marker="D", markersize=5, color=colour, markeredgecolor="white", zorder=4)
    if step.kind != "when":
        ax.annotate(step.kind, (step.started_at, lane), xytext=(5, 6), textcoords="offset points", ha="left",
                    fontsize=6, color=colour)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _timeline_legend() -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [Patch(color="tab:green", label="OK"), Patch(color="tab:red", label="failed"),
            Patch(color="tab:orange", label="halted"),
            Line2D([], [], marker="D", ls="", color="tab:cyan", label="condition checked"),
            Line2D([], [], marker="D", ls="", color="tab:red", label="check failed"),
            Line2D([], [], marker="X", ls="", color="tab:red", markersize=9, label="NOK decision")]


def plot_planned_joints(recipe, cell, out: Path) -> list[Path]:  # noqa: ANN001
    """The recipe's first unit as planned by the dry run: each arm's joints with their limits."""
    from cellctl.recipe.validate import plan_motions

    written = []
    for arm, (samples, limits) in plan_motions(recipe, cell).items():
        written.append(plot_joint_trajectory(samples, limits, out / f"planned_{arm}.png",
                                             title=f"{arm}: planned joint motion of one nominal unit (motion time "
                                                   "only; fallback alternatives not drawn)"))
    return written
