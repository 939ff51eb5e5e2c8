"""The demo recipe recovers each screw failure class its own way (docs/recipes.md, "Recovery by failure class").

missing screw → a new screw, driven again (nothing to back out); cross-thread → backed out, a
new screw, driven again; stripped → rejected at once, the reason naming what happened. The
simulator's own event log proves how often each hole was driven and backed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from _supervised import supervised

pytestmark = pytest.mark.sim


@dataclass(frozen=True)
class Expected:
    """What one injected failure on h2 must lead to."""

    tries: list[tuple[str, str | None]]  # (status, failure class) of h2's tightenings
    backouts: int  # back-outs the simulator performed on h2
    result: str  # the unit's result
    reason: str | None  # the unit's journaled reason


CASES = {
    "missing_screw": Expected([("NOK", "missing_screw"), ("OK", None)], 0, "OK", None),
    "cross_thread": Expected([("NOK", "cross_thread"), ("OK", None)], 1, "OK", None),
    "stripped": Expected([("NOK", "stripped")], 0, "NOK", "screw h2 NOK (try 1 stripped); inspection failed"),
}


@pytest.mark.parametrize("failure", sorted(CASES))
def test_each_failure_class_gets_its_own_recovery(tmp_path: Path, failure: str) -> None:
    expected = CASES[failure]
    with supervised(tmp_path, failures={"h2": failure}, seed=3) as cell:
        summary = cell.run(1)
        (unit,) = cell.journal.units()
        h2 = [(t.status, t.failure_class) for t in cell.journal.tightenings(unit.id) if t.hole == "h2"]
        driven = [e for e in cell.sim.events.all("screw_driven") if e.subject == "h2"]
        backed_out = [e for e in cell.sim.events.all("screw_backed_out") if e.subject == "h2"]
        steps = cell.journal.steps(unit.id)
    assert h2 == expected.tries
    assert len(driven) == len(expected.tries), "the simulator drove h2 a different number of times than journaled"
    assert len(backed_out) == expected.backouts
    assert not any(s.kind == "backout" and s.result == "FAILED" for s in steps), "a back-out was tried and failed"
    assert (unit.result, unit.reason) == (expected.result, expected.reason)
    assert (summary.units_ok, summary.units_nok) == ((1, 0) if expected.result == "OK" else (0, 1))
