"""Quality alarms: what a signal means, in words an operator acts on."""

from __future__ import annotations

from dataclasses import dataclass

from cellctl.quality.chart import Limits, Signal
from cellctl.quality.rules import RULE_TEXT

__all__ = ["Alarm", "torque_alarm", "curve_alarm", "RULE_NAMES"]

RULE_NAMES = {**{str(k): f"rule {k}: {v}" for k, v in RULE_TEXT.items()},
              "ewma": "EWMA beyond its limit (slow drift)", "mr": "moving range beyond D4 (spread jumped)",
              "curve": "curve shape off the good curves (SPE beyond its limit)"}

_ADVICE = {
    ("drift", 1): "final torque creeping up: change the bit (worn bits seat late and overshoot), then check "
                  "the driver's torque calibration and the screw lot (coating/lubrication)",
    ("drift", -1): "final torque creeping down: check the screw lot (coating, length) and the driver's torque "
                   "calibration; change the bit if it slips",
    ("point", 1): "one screw far above the others: look at that unit's curve (cellctl report --unit), check the "
                  "hole and the screw lot",
    ("point", -1): "one screw far below the others: look at that unit's curve, check the hole for debris and "
                   "the screw lot",
    ("mr", 1): "the spread of final torque jumped: check the bit (worn or loose), the screw feeder and how the "
               "part sits in the nest",
}


@dataclass(frozen=True)
class Alarm:
    """One quality alarm (see :attr:`text`)."""

    program: str
    hole: str
    rule: str
    """``1``..``4``, ``ewma``, ``mr`` or ``curve``."""
    value: float
    trend: str
    advice: str
    unit_id: int | None = None
    tightening_id: int | None = None

    @property
    def text(self) -> str:
        """One line naming the rule, hole, program and trend, and what to do."""
        return (f"quality alarm at {self.hole} ({self.program}): {RULE_NAMES[self.rule]}; {self.trend}. "
                f"What to do: {self.advice}")


def torque_alarm(program: str, hole: str, signal: Signal, value: float, limits: Limits, recent: list[float],
                 unit_id: int | None, tightening_id: int | None) -> Alarm:
    """The alarm of a chart signal on final torque."""
    kind = "mr" if signal.rule == "mr" else "point" if signal.rule == "1" else "drift"
    mean = sum(recent) / len(recent) if recent else value
    direction = "rising" if signal.side > 0 else "falling"
    trend = (f"final torque {direction}: this screw {value:.4f} N·m ({signal.z:+.1f} sigma), last {len(recent)} "
             f"mean {mean:.4f} N·m ({limits.zone(mean):+.1f} sigma) against a centre of {limits.center:.4f} N·m, "
             f"sigma {limits.sigma:.4f} ({limits.source})")
    return Alarm(program, hole, signal.rule, value, trend, _ADVICE[(kind, 1 if kind == "mr" else signal.side)],
                 unit_id, tightening_id)


def curve_alarm(program: str, hole: str, spe: float, limits: tuple[float, float], t2: float, torque: float,
                unit_id: int | None, tightening_id: int | None) -> Alarm:
    """The alarm of a torque–angle curve whose shape is off the program's good curves
    (``limits``: the model's SPE and T² limits)."""
    trend = (f"shape residual SPE {spe:.3g} ({spe / limits[0]:.1f}x its limit), distance T² {t2:.3g} "
             f"({t2 / limits[1]:.1f}x its limit), with final torque {torque:.4f} N·m inside the window")
    advice = ("the screw reached its torque the wrong way (a hard joint, a burr or a thread starting to strip): "
              "inspect this hole and the unit, check the screw lot; change the bit if it repeats")
    return Alarm(program, hole, "curve", spe, trend, advice, unit_id, tightening_id)
