"""Things that happened in the simulated cell, in simulation-time order (grasps, drops, screws)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SimEvent", "EventLog"]


@dataclass(frozen=True)
class SimEvent:
    """One event: ``kind`` is e.g. ``grasped``, ``released``, ``dropped``, ``screw_picked``,
    ``screw_lost``, ``screw_driven``, ``joined``, ``estop``."""

    time: float
    kind: str
    arm: str | None
    subject: str
    detail: str = ""


class EventLog:
    """An append-only list of events."""

    def __init__(self) -> None:
        self._events: list[SimEvent] = []

    def add(self, time: float, kind: str, arm: str | None, subject: str, detail: str = "") -> SimEvent:
        """Record and return an event."""
        event = SimEvent(time, kind, arm, subject, detail)
        self._events.append(event)
        return event

    def all(self, kind: str | None = None) -> list[SimEvent]:
        """Every event, or those of one kind."""
        return [e for e in self._events if kind is None or e.kind == kind]
