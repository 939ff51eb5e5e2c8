"""The production journal: every unit, step, tightening, fault and operator event (SQLite)."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cellctl.hw.tools import ScrewProgram, ToolResult
from cellctl.journal.records import StepRecord, TighteningRecord, UnitRecord, pack_curve
from cellctl.journal.quality import QualityRecords
from cellctl.journal.schema import READABLE_VERSIONS, SCHEMA, SCHEMA_VERSION


TOOL_ID_SPAN = 2**30
"""The first tool command id of a journal is drawn from 1 .. 2**30 (ids are 32-bit on the wire)."""


class JournalError(RuntimeError):
    """The journal file cannot be used (wrong schema, not a database, locked)."""


class Journal(QualityRecords):
    """One SQLite file per cell, in WAL mode with full synchronisation.

    Every write is its own committed transaction, so what the journal says happened did
    happen, and a process killed at any point loses nothing that was written before.
    Use from one thread (the supervisor's).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: cannot open the production journal: {exc}") from None
        self._check_version()
        # Tool command ids must never repeat on a controller, which keeps results by id across
        # its restarts (docs/protocol.md, 9a): a new journal starts its ids at a random point.
        self._db.execute("INSERT OR IGNORE INTO counters(name, value) VALUES('tool_command', ?)",
                         (secrets.randbelow(TOOL_ID_SPAN) + 1,))

    @classmethod
    def read_only(cls, path: str | Path) -> Journal:
        """Open an existing journal for reading only (SQLite ``mode=ro``): for reports of a file the
        user may not write (a read-only file, folder or mount); any write raises sqlite3 errors."""
        journal = cls.__new__(cls)
        journal.path = Path(path)
        uri = journal.path.absolute().as_uri() + "?mode=ro"
        try:
            try:
                journal._db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0)
                row = journal._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            except sqlite3.OperationalError:  # a WAL journal in a folder where its -shm cannot be created
                journal._db = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, timeout=5.0)
                row = journal._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{journal.path}: cannot read the production journal: {exc}") from None
        if row is None or int(row[0]) not in READABLE_VERSIONS:
            found = "no schema version" if row is None else f"schema version {row[0]}"
            raise JournalError(f"{journal.path}: journal has {found}, this cellctl reads "
                               f"{', '.join(map(str, READABLE_VERSIONS))}")
        return journal

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta(key, value) VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) in READABLE_VERSIONS and int(row[0]) < SCHEMA_VERSION:  # the new tables exist now
            self._db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise JournalError(f"{self.path}: journal schema version {row[0]}, this cellctl reads {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file (a checkpoint folds the WAL back into it)."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _insert(self, table: str, **values: Any) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._transaction() as db:
            cursor = db.execute(f"INSERT INTO {table}({columns}) VALUES({marks})", tuple(values.values()))
        return int(cursor.lastrowid or 0)

    def _update(self, table: str, row_id: int, **values: Any) -> None:
        sets = ", ".join(f"{k}=?" for k in values)
        with self._transaction() as db:
            db.execute(f"UPDATE {table} SET {sets} WHERE id=?", (*values.values(), row_id))

    # ------------------------------------------------------------------ counters
    def next_counter(self, name: str) -> int:
        """A persistent increasing counter (unit serials, tool command ids): never reused."""
        with self._transaction() as db:
            db.execute("INSERT INTO counters(name, value) VALUES(?, 1) "
                       "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
            return int(db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()[0])

    # ------------------------------------------------------------------ units
    def start_unit(self, prefix: str, recipe: str, recipe_version: str, cell: str, clock: float) -> UnitRecord:
        """Open a unit with the next serial number (``PREFIX-000001``, …)."""
        serial = f"{prefix}-{self.next_counter('unit_serial'):06d}"
        unit_id = self._insert("units", serial=serial, recipe=recipe, recipe_version=recipe_version, cell=cell,
                               started_at=time.time(), sim_started=clock)
        return self.unit(unit_id)

    def end_unit(self, unit_id: int, result: str, reason: str | None, clock: float) -> None:
        """Close a unit as OK, NOK or ABORTED."""
        self._update("units", unit_id, result=result, reason=reason, ended_at=time.time(), sim_ended=clock)

    def unit(self, unit_id: int) -> UnitRecord:
        row = self._db.execute("SELECT * FROM units WHERE id=?", (unit_id,)).fetchone()
        return UnitRecord(*row)

    def unit_by_serial(self, serial: str) -> UnitRecord | None:
        row = self._db.execute("SELECT * FROM units WHERE serial=?", (serial,)).fetchone()
        return UnitRecord(*row) if row else None

    def units(self) -> list[UnitRecord]:
        return [UnitRecord(*r) for r in self._db.execute("SELECT * FROM units ORDER BY id")]

    def unfinished_unit(self) -> UnitRecord | None:
        """The unit a crash left RUNNING (the newest one), if any."""
        row = self._db.execute("SELECT * FROM units WHERE result='RUNNING' ORDER BY id DESC LIMIT 1").fetchone()
        return UnitRecord(*row) if row else None

    # ------------------------------------------------------------------ steps
    def start_step(self, unit_id: int, path: str, kind: str, arm: str | None, target: str | None,
                   attempt: int, clock: float) -> int:
        """Record that a step began; returns its id."""
        return self._insert("steps", unit_id=unit_id, path=path, kind=kind, arm=arm, target=target,
                            attempt=attempt, started_at=clock)

    def end_step(self, step_id: int, result: str, detail: str | None, clock: float) -> None:
        """Record how a step ended: OK, FAILED or HALTED."""
        self._update("steps", step_id, result=result, detail=detail, ended_at=clock)

    def steps(self, unit_id: int) -> list[StepRecord]:
        return [StepRecord(*r) for r in self._db.execute("SELECT * FROM steps WHERE unit_id=? ORDER BY id", (unit_id,))]

    def completed_steps(self, unit_id: int) -> set[str]:
        """Paths of the steps that ended OK in this unit (never to be done again)."""
        rows = self._db.execute("SELECT path FROM steps WHERE unit_id=? AND result='OK'", (unit_id,))
        return {r[0] for r in rows}

    def close_running_steps(self, unit_id: int, clock: float, detail: str) -> None:
        """Mark steps a crash left RUNNING as HALTED (they will be attempted again)."""
        with self._transaction() as db:
            db.execute("UPDATE steps SET result='HALTED', detail=?, ended_at=? WHERE unit_id=? AND result='RUNNING'",
                       (detail, clock, unit_id))

    # ------------------------------------------------------------------ tightenings
    def start_tightening(self, unit_id: int, step_id: int | None, hole: str, attempt: int, program_name: str,
                         program: ScrewProgram, command_id: int, clock: float) -> int:
        """Write the intent before the screwdriver starts (status RUNNING)."""
        return self._insert("tightenings", unit_id=unit_id, step_id=step_id, hole=hole, attempt=attempt,
                            command_id=command_id, program=program_name, program_id=program.program_id,
                            target_torque=program.target_torque, torque_min=program.torque_min,
                            torque_max=program.torque_max, angle_min=program.angle_min,
                            angle_max=program.angle_max, started_at=clock)

    def finish_tightening(self, tightening_id: int, result: ToolResult, clock: float) -> None:
        """Store the result; it becomes the hole's final record (earlier attempts stop being final)."""
        points, blob = pack_curve(result.curve_time, result.curve_torque, result.curve_angle)
        with self._transaction() as db:
            unit_id, hole = db.execute("SELECT unit_id, hole FROM tightenings WHERE id=?", (tightening_id,)).fetchone()
            db.execute("UPDATE tightenings SET final=0 WHERE unit_id=? AND hole=?", (unit_id, hole))
            db.execute(
                "UPDATE tightenings SET status=?, torque=?, angle=?, failure_class=?, curve_points=?, curve=?, "
                "ended_at=?, final=1 WHERE id=?",
                (result.status, _finite_or_none(result.torque), _finite_or_none(result.angle), result.failure_class,
                 points, blob, clock, tightening_id))

    def set_tightening_status(self, tightening_id: int, status: str, failure_class: str | None) -> None:
        """Change a tightening's status without a tool result: UNKNOWN (the controller cannot tell
        the outcome), or an operator's decision about it (OK accepted, NOK rejected, VOID redo)."""
        final = 0 if status in ("VOID", "UNKNOWN") else 1
        with self._transaction() as db:
            unit_id, hole = db.execute("SELECT unit_id, hole FROM tightenings WHERE id=?", (tightening_id,)).fetchone()
            if final:
                db.execute("UPDATE tightenings SET final=0 WHERE unit_id=? AND hole=?", (unit_id, hole))
            db.execute("UPDATE tightenings SET status=?, failure_class=?, final=? WHERE id=?",
                       (status, failure_class, final, tightening_id))

    def tightenings(self, unit_id: int | None = None) -> list[TighteningRecord]:
        query = "SELECT * FROM tightenings" + (" WHERE unit_id=?" if unit_id is not None else "") + " ORDER BY id"
        rows = self._db.execute(query, () if unit_id is None else (unit_id,))
        return [TighteningRecord(*r[:17], bool(r[17]), *r[18:]) for r in rows]

    def tightening(self, unit_id: int, hole: str, attempt: int) -> TighteningRecord | None:
        return next((t for t in self.tightenings(unit_id) if t.hole == hole and t.attempt == attempt), None)

    # ------------------------------------------------------------------ faults and events
    def fault(self, unit_id: int | None, source: str, code: int | None, name: str, message: str,
              action: str | None, clock: float) -> None:
        self._insert("faults", unit_id=unit_id, at=clock, source=source, code=code, name=name, message=message,
                     action=action)

    def event(self, kind: str, detail: str | None, clock: float, unit_id: int | None = None) -> None:
        """An operator or supervisor event (start, pause, resume, abort, e-stop, reset, resume after crash)."""
        self._insert("events", unit_id=unit_id, at=clock, kind=kind, detail=detail)

    def unit_time(self, unit_id: int) -> float:
        """Backend seconds the cell worked on a unit, over every run that worked on it
        (the ``unit_time`` events each run journals when it stops working on the unit)."""
        rows = self._db.execute("SELECT detail FROM events WHERE unit_id=? AND kind='unit_time'", (unit_id,))
        return sum(float(r[0]) for r in rows)

    def events(self) -> list[tuple[int, int | None, float, str, str | None]]:
        return list(self._db.execute("SELECT * FROM events ORDER BY id"))

    def faults(self) -> list[tuple]:
        return list(self._db.execute("SELECT * FROM faults ORDER BY id"))


def _finite_or_none(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None
