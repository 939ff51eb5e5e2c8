"""What the cell does about quality alarms at the end of a unit (the recipe's ``on_alarm``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cellctl.quality.monitor import QualityMonitor

__all__ = ["Reaction", "react"]


@dataclass
class Reaction:
    """The outcome at the end of a unit: the warning to publish, and whether the run stops here."""

    warning: str = ""
    pause: bool = False
    alarms: list[dict[str, object]] = field(default_factory=list)


def react(monitor: QualityMonitor, journal: object, serial: str, remaining: int) -> Reaction:
    """Take the alarms the unit raised, journal the effect of the configured reaction on each.

    ``remaining``: units of this run not started yet (what a pause leaves undone).
    """
    taken = monitor.take_alarms()
    if not taken:
        return Reaction()
    pause = monitor.settings.on_alarm == "pause"
    if pause:
        effect = (f"cell paused after unit {serial} for maintenance ({remaining} unit(s) of this run not "
                  "started); act on the advice, then run again")
    else:
        effect = f"warning published on the status topic after unit {serial}; the cell runs on"
    for alarm_id, _ in taken:
        if alarm_id:
            journal.set_alarm_effect(alarm_id, effect)  # type: ignore[attr-defined]
    first = taken[0][1]
    more = f" (+{len(taken) - 1} more)" if len(taken) > 1 else ""
    return Reaction(f"{first.text}{more} — {effect}", pause,
                    [{"unit": serial, "hole": a.hole, "program": a.program, "rule": a.rule} for _, a in taken])
