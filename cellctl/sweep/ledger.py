"""The sweep's results ledger: one SQLite file, written only by the coordinator.

A unit's result is one row keyed by its index, inserted in its own transaction with
``INSERT OR IGNORE``: a unit is counted at most once even if two workers both finished it
(a worker declared dead that was only slow). Dispatches (which worker ran which unit when)
are kept apart, so a re-run after a dead worker stays visible. The sweep's settings are stored
once; ``--resume`` refuses a ledger made with different settings.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Ledger", "LedgerError", "UnitOutcome"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    unit INTEGER PRIMARY KEY, unit_seed INTEGER NOT NULL, result TEXT NOT NULL, reason TEXT,
    causes TEXT NOT NULL, tightenings INTEGER NOT NULL, cycle_s REAL, wall_s REAL NOT NULL, worker INTEGER NOT NULL, recorded_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS dispatches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, unit INTEGER NOT NULL, worker INTEGER NOT NULL,
    started_at REAL NOT NULL, outcome TEXT);
"""


class LedgerError(ValueError):
    """The ledger cannot be used for this sweep (different settings, or not a ledger)."""


@dataclass(frozen=True)
class UnitOutcome:
    """What one unit of a sweep produced (the worker's answer)."""

    unit: int
    unit_seed: int
    result: str
    """OK, NOK, ABORTED, or FAULT (the cell faulted: a unit that could not be finished)."""
    reason: str | None
    causes: tuple[str, ...]
    """Failure classes of the unit's NOK tightenings, in order (recovered ones too)."""
    tightenings: int
    """Tightening attempts the unit made (the denominator of per-attempt failure rates)."""
    cycle_s: float | None
    wall_s: float


class Ledger:
    """The results of one sweep (see module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: not a sweep ledger ({exc}); name a new --db folder") from None

    def close(self) -> None:
        self._db.close()

    def settings(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM settings")}

    def adopt(self, settings: Mapping[str, Any], resume: bool) -> None:
        """Store ``settings`` in a new ledger, or check them against a resumed one.

        Raises:
            LedgerError: results exist and either ``resume`` is off or the settings differ.
        """
        stored = self.settings() if self.count() else {}  # a ledger without results is free to reuse
        if stored and not resume:
            raise LedgerError(f"{self.path} already holds a sweep ({self.count()} units done); continue it with "
                              "--resume, or name another --db folder")
        if stored:
            changed = [k for k in settings if k != "units" and stored.get(k) != settings[k]]
            if changed:
                raise LedgerError(f"--resume: {', '.join(changed)} differ from the sweep in {self.path} "
                                  f"(it used {', '.join(f'{k}={stored.get(k)!r}' for k in changed)}); "
                                  "use the same settings, or another --db folder")
        with self._db:
            self._db.execute("BEGIN")
            for key, value in settings.items():
                self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value)))

    def done(self) -> set[int]:
        return {row[0] for row in self._db.execute("SELECT unit FROM results")}

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def dispatched(self, unit: int, worker: int) -> None:
        self._db.execute("INSERT INTO dispatches (unit, worker, started_at) VALUES (?, ?, ?)",
                         (unit, worker, time.time()))

    def worker_lost(self, unit: int, worker: int) -> None:
        self._db.execute("UPDATE dispatches SET outcome = 'worker lost' WHERE unit = ? AND worker = ? "
                         "AND outcome IS NULL", (unit, worker))

    def record(self, outcome: UnitOutcome, worker: int) -> bool:
        """Store a unit's result atomically; False when the unit was already counted."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (outcome.unit, outcome.unit_seed, outcome.result, outcome.reason, json.dumps(list(outcome.causes)), outcome.tightenings,
                 outcome.cycle_s, outcome.wall_s, worker, time.time()))
            self._db.execute("UPDATE dispatches SET outcome = ? WHERE unit = ? AND worker = ? AND outcome IS NULL",
                             (outcome.result, outcome.unit, worker))
        return cur.rowcount == 1

    def outcomes(self, units: int | None = None) -> list[UnitOutcome]:
        """Recorded results in unit order (only units below ``units`` when given)."""
        rows = self._db.execute("SELECT unit, unit_seed, result, reason, causes, tightenings, cycle_s, wall_s FROM results "
                                "WHERE unit < ? ORDER BY unit", (units if units is not None else 2**62,))
        return [UnitOutcome(u, s, r, why, tuple(json.loads(c)), n, cyc, wall) for u, s, r, why, c, n, cyc, wall in rows]

    def dispatch_counts(self) -> dict[int, int]:
        return dict(self._db.execute("SELECT unit, COUNT(*) FROM dispatches GROUP BY unit"))


def outcome_dict(outcome: UnitOutcome) -> dict[str, Any]:
    """A unit's outcome as plain JSON-able values."""
    d = asdict(outcome)
    d["causes"] = list(outcome.causes)
    return d
