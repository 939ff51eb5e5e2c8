"""Journal schema 2: the quality tables, and version-1 journals still readable (and migrated on write)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cellctl.journal import Journal, JournalError
from cellctl.journal.schema import SCHEMA_VERSION
from cellctl.quality.alarms import Alarm
from cellctl.quality.chart import Limits

pytestmark = pytest.mark.unit


def _version_1(path: Path) -> None:
    """A journal as cellctl wrote it before the quality tables (schema version 1), with one unit."""
    with Journal(path) as journal:
        journal.start_unit("PH", "r", "1", "c", 0.0)
    db = sqlite3.connect(path)
    for table in ("spc_points", "spc_limits", "quality_alarms"):
        db.execute(f"DROP TABLE {table}")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()


def _version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
    finally:
        db.close()


def test_a_version_1_journal_reads_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1(path)
    with Journal.read_only(path) as journal:
        assert [u.serial for u in journal.units()] == ["PH-000001"]
        assert journal.spc_points() == [] and journal.quality_alarms() == [] and journal.spc_limits() == []
    assert _version(path) == 1, "a report never changes the file"


def test_opening_a_version_1_journal_for_writing_migrates_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1(path)
    with Journal(path) as journal:
        assert [u.serial for u in journal.units()] == ["PH-000001"]
        journal.set_spc_limits("p", "h1", Limits(1.0, 0.1, "given", 0))
        assert journal.spc_limits()[0]["center"] == 1.0
    assert _version(path) == SCHEMA_VERSION == 3
    with Journal.read_only(path) as journal:
        assert journal.inspections() == [], "the version-3 table was added"


def test_a_newer_journal_is_refused_with_the_versions_this_cellctl_reads(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='9' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="reads 1, 2, 3"):
        Journal.read_only(path)
    with pytest.raises(JournalError, match="version 9"):
        Journal(path)


def test_alarms_keep_their_reaction_and_effect(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "c", 0.0)
        alarm = Alarm("m14", "h2", "ewma", 0.16, "final torque rising", "change the bit", unit.id, None)
        alarm_id = journal.add_quality_alarm(alarm, 12.5, "pause")
        journal.set_alarm_effect(alarm_id, "cell paused after unit PH-000001")
        (row,) = journal.quality_alarms()
        assert (row["hole"], row["program"], row["rule"], row["reaction"]) == ("h2", "m14", "ewma", "pause")
        assert row["effect"] == "cell paused after unit PH-000001" and "change the bit" in row["message"]
