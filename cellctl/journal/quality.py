"""The journal's quality tables: SPC points, chart limits, quality alarms (schema 2); placement
inspections (schema 3).

A mixin of :class:`~cellctl.journal.Journal`. Reads work on a version-1 journal too (opened
read-only by a report): the tables are missing there, and the reads return nothing.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cellctl.quality.alarms import Alarm
    from cellctl.quality.chart import Limits

__all__ = ["QualityRecords"]


class QualityRecords:
    """SPC points, limits and alarms (see module docstring)."""

    _db: sqlite3.Connection

    def _insert(self, table: str, **values: Any) -> int:  # provided by Journal
        raise NotImplementedError

    def add_spc_point(self, **values: object) -> None:
        """One chart point (columns of ``spc_points``)."""
        self._insert("spc_points", **values)

    def set_spc_limits(self, program: str, hole: str, limits: Limits, zone: float = 3.0,
                       ewma: tuple[float, float] = (0.2, 2.962)) -> None:
        """The limits a chart uses from now on (learned or given), with its zone and EWMA (lambda, width)."""
        self._db.execute("INSERT OR REPLACE INTO spc_limits(program, hole, center, sigma, n, source, zone, "
                         "ewma_lambda, ewma_width) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (program, hole, limits.center, limits.sigma, limits.n, limits.source, zone, *ewma))

    def add_quality_alarm(self, alarm: Alarm, at: float, reaction: str) -> int:
        """Journal an alarm and the reaction the recipe asks for; returns its id (for the effect)."""
        return self._insert("quality_alarms", unit_id=alarm.unit_id, tightening_id=alarm.tightening_id, at=at,
                            program=alarm.program, hole=alarm.hole, rule=alarm.rule, value=alarm.value,
                            message=alarm.text, reaction=reaction)

    def set_alarm_effect(self, alarm_id: int, effect: str) -> None:
        """What the reaction to an alarm did."""
        self._db.execute("UPDATE quality_alarms SET effect=? WHERE id=?", (effect, alarm_id))

    def _rows(self, query: str, args: tuple = ()) -> list[dict[str, Any]]:
        try:
            cursor = self._db.execute(query, args)
        except sqlite3.OperationalError as exc:  # a version-1 journal has no quality tables
            if "no such table" in str(exc):
                return []
            raise
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def spc_points(self) -> list[dict[str, Any]]:
        """Every chart point, oldest first."""
        return self._rows("SELECT * FROM spc_points ORDER BY id")

    def spc_limits(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM spc_limits ORDER BY program, hole")

    def add_inspection(self, **values: object) -> int:
        """One part's placement inspection (columns of ``inspections``); returns its id."""
        return self._insert("inspections", **values)

    def inspections(self, unit_id: int | None = None) -> list[dict[str, Any]]:
        """Placement inspections (of one unit), oldest first."""
        if unit_id is None:
            return self._rows("SELECT * FROM inspections ORDER BY id")
        return self._rows("SELECT * FROM inspections WHERE unit_id=? ORDER BY id", (unit_id,))

    def quality_alarms(self) -> list[dict[str, Any]]:
        """Every quality alarm with its reaction and effect, oldest first."""
        return self._rows("SELECT * FROM quality_alarms ORDER BY id")
