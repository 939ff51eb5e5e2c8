"""The sweep ledger: each unit counted once, settings checked on resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.sweep.ledger import Ledger, LedgerError, UnitOutcome

pytestmark = pytest.mark.unit

SETTINGS = {"recipe": "r.yaml", "seed": 3, "rates": {"stripped": 0.1}, "units": 10}


def outcome(unit: int, result: str = "OK") -> UnitOutcome:
    return UnitOutcome(unit, 100 + unit, result, None, () if result == "OK" else ("stripped",), 1, 12.5, 3.0)


def test_a_unit_recorded_twice_is_counted_once(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db")
    ledger.adopt(SETTINGS, resume=False)
    ledger.dispatched(4, worker=11)
    ledger.worker_lost(4, worker=11)
    ledger.dispatched(4, worker=12)
    assert ledger.record(outcome(4, "NOK"), worker=12)
    assert not ledger.record(outcome(4, "OK"), worker=11)  # a slow worker's late answer
    assert [o.result for o in ledger.outcomes()] == ["NOK"]
    assert ledger.outcomes()[0].causes == ("stripped",)
    assert ledger.dispatch_counts() == {4: 2}
    ledger.close()


def test_resume_needs_the_same_settings_and_a_fresh_start_refuses_a_used_ledger(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.db")
    ledger.adopt(SETTINGS, resume=False)
    ledger.record(outcome(0), worker=1)
    ledger.close()
    again = Ledger(tmp_path / "l.db")
    with pytest.raises(LedgerError, match="--resume"):
        again.adopt(SETTINGS, resume=False)
    with pytest.raises(LedgerError, match="seed"):
        again.adopt({**SETTINGS, "seed": 4}, resume=True)
    again.adopt({**SETTINGS, "units": 20}, resume=True)  # more units: fine
    assert again.done() == {0} and again.settings()["units"] == 20
    again.close()


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    path.write_text("not sqlite at all, just text " * 100)
    with pytest.raises(LedgerError, match="not a sweep ledger"):
        Ledger(path)
