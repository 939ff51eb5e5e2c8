"""A sweep's figures from unit outcomes, and ``--inject-rate`` parsing."""

from __future__ import annotations

import pytest

from cellctl.cli.loading import UsageError
from cellctl.cli.sweep import parse_rates
from cellctl.sweep.ledger import UnitOutcome
from cellctl.sweep.summary import summarise

pytestmark = pytest.mark.unit


def unit(i: int, result: str, causes: tuple[str, ...], tightenings: int, cycle: float | None) -> UnitOutcome:
    return UnitOutcome(i, i, result, None, causes, tightenings, cycle, 1.0)


def test_yield_causes_rates_and_cycle_times() -> None:
    outcomes = [unit(0, "OK", (), 1, 10.0), unit(1, "OK", ("cross_thread",), 2, 14.0),  # recovered: not a NOK cause
                unit(2, "NOK", ("stripped",), 1, 11.0), unit(3, "NOK", ("stripped", "stripped"), 2, 12.0),
                unit(4, "FAULT", ("fault",), 0, None)]
    s = summarise(outcomes, {"stripped": 0.3, "rehit": 0.01})
    assert s.results == {"FAULT": 1, "NOK": 2, "OK": 2}
    assert s.yield_.estimate == pytest.approx(0.4)
    assert s.nok_causes == {"stripped": 2, "fault": 1}
    assert s.attempts == 6
    rate, injected = s.failure_rates["stripped"]
    assert rate.estimate == pytest.approx(3 / 6) and injected == 0.3
    assert s.failure_rates["cross_thread"][0].estimate == pytest.approx(1 / 6) and s.failure_rates["cross_thread"][1] is None
    assert s.failure_rates["rehit"][0].estimate == 0.0
    assert sorted(s.cycle_samples) == [10.0, 11.0, 12.0, 14.0] and s.cycle_max == 14.0
    assert s.cycle_p50.estimate == pytest.approx(11.5)


@pytest.mark.parametrize("text, message", [
    ("stripped", "write CLASS=RATE"),
    ("jam=0.1", "CLASS one of missing_screw"),
    ("stripped=x", "must be a number"),
    ("stripped=0.6,rehit=0.6", "together at most 1"),
    ("stripped=-0.1", "in 0 .. 1"),
])
def test_bad_rates_say_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_rates(text)


def test_rates_parse() -> None:
    assert parse_rates("cross_thread=0.002, missing_screw=0.005") == {"cross_thread": 0.002, "missing_screw": 0.005}
    assert parse_rates(None) == {}
