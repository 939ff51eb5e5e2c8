"""The production journal (SQLite, WAL): units, steps, tightening results, faults, events."""

from cellctl.journal.journal import Journal, JournalError
from cellctl.journal.records import StepRecord, TighteningRecord, UnitRecord

__all__ = ["Journal", "JournalError", "StepRecord", "TighteningRecord", "UnitRecord"]
