"""What the cell does about quality alarms at the end of a unit (the recipe's ``on_alarm``).

``warn`` publishes the alarm on the status topic; ``pause`` also ends the run after the unit;
``maintain`` has the supervisor run the recipe's maintenance branch (e.g. a bit change) before the
next unit, and :func:`maintained` journals what it did: the charts restart from a new baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellctl.quality.monitor import QualityMonitor

__all__ = ["Reaction", "react", "maintained"]


@dataclass
class Reaction:
    """The outcome at the end of a unit: the warning to publish, whether the run stops here, and
    the maintenance branch to run first (with the journal ids of the alarms it answers)."""

    warning: str = ""
    pause: bool = False
    alarms: list[dict[str, object]] = field(default_factory=list)
    maintenance: str | None = None
    alarm_ids: list[int] = field(default_factory=list)


def react(monitor: QualityMonitor, journal: object, serial: str, remaining: int) -> Reaction:
    """Take the alarms the unit raised, journal the effect of the configured reaction on each
    (for ``maintain``, once the branch has run: :func:`maintained`).

    ``remaining``: units of this run not started yet (what a pause leaves undone).
    """
    taken = monitor.take_alarms()
    if not taken:
        return Reaction()
    settings = monitor.settings
    pause = settings.on_alarm == "pause"
    maintenance = settings.maintenance if settings.on_alarm == "maintain" else None
    if pause:
        effect = (f"cell paused after unit {serial} for maintenance ({remaining} unit(s) of this run not "
                  "started); act on the advice, then run again")
    elif maintenance is not None:
        effect = f"the cell runs its maintenance branch {maintenance!r} after unit {serial}"
    else:
        effect = f"warning published on the status topic after unit {serial}; the cell runs on"
    ids = [alarm_id for alarm_id, _ in taken if alarm_id]
    if maintenance is None:
        for alarm_id in ids:
            journal.set_alarm_effect(alarm_id, effect)  # type: ignore[attr-defined]
    first = taken[0][1]
    more = f" (+{len(taken) - 1} more)" if len(taken) > 1 else ""
    return Reaction(f"{first.text}{more} — {effect}", pause,
                    [{"unit": serial, "hole": a.hole, "program": a.program, "rule": a.rule} for _, a in taken],
                    maintenance, ids)


def maintained(monitor: QualityMonitor, journal: object, reaction: Reaction, serial: str, failure: str | None,
               seconds: float) -> str:
    """Journal the effect of the maintenance branch that answered ``reaction``'s alarms; after a
    successful branch every chart restarts from a new baseline. Returns the effect."""
    if failure is None:
        monitor.restart()
        effect = (f"maintenance branch {reaction.maintenance!r} ran after unit {serial} ({seconds:.1f} s); the "
                  "charts restarted their rules, EWMA and moving range from the next unit (a new baseline)")
    else:
        effect = f"maintenance branch {reaction.maintenance!r} after unit {serial}: {failure}"
    for alarm_id in reaction.alarm_ids:
        journal.set_alarm_effect(alarm_id, effect)  # type: ignore[attr-defined]
    return effect
