"""Clocks, times and durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.rt.clock import Duration, SimClock, Time, WallClock, as_duration

pytestmark = pytest.mark.unit


def test_sim_clock_only_moves_when_advanced() -> None:
    clock = SimClock()
    assert clock.now() == Time(0)
    assert clock.advance(Duration.from_seconds(0.25)) == Time.from_seconds(0.25)
    assert clock.now().seconds == pytest.approx(0.25)


def test_sim_clock_refuses_to_go_backwards() -> None:
    clock = SimClock(Time.from_seconds(2.0))
    with pytest.raises(ValueError, match="cannot go backwards.*at 2 s.*1 s"):
        clock.set_time(Time.from_seconds(1.0))
    with pytest.raises(ValueError, match="must not be negative"):
        clock.advance(Duration(-1))


def test_sim_clock_notifies_listeners_on_every_jump() -> None:
    clock = SimClock()
    calls: list[Time] = []
    clock.add_listener(lambda: calls.append(clock.now()))
    clock.advance(Duration(5))
    clock.set_time(Time(9))
    assert calls == [Time(5), Time(9)]


def test_sim_clock_cannot_say_how_long_a_future_time_is_away() -> None:
    clock = SimClock(Time(10))
    assert clock.seconds_until(Time(5)) == 0.0
    assert clock.seconds_until(Time(11)) is None


def test_wall_clock_is_monotonic_and_counts_down_to_deadlines() -> None:
    clock = WallClock()
    first, second = clock.now(), clock.now()
    assert second >= first
    assert 0.0 < clock.seconds_until(first + Duration.from_seconds(10.0)) <= 10.0
    assert clock.seconds_until(first) == 0.0


def test_time_and_duration_reject_floats_and_negative_times() -> None:
    with pytest.raises(TypeError, match="from_seconds"):
        Time(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="from_seconds"):
        Duration(0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        Time(-1)


def test_as_duration_takes_seconds_or_durations_and_names_bad_values() -> None:
    assert as_duration(0.5, "period") == Duration(500_000_000)
    assert as_duration(Duration(7), "period") == Duration(7)
    with pytest.raises(TypeError, match="period must be"):
        as_duration("1s", "period")  # type: ignore[arg-type]


@given(st.integers(0, 10**15), st.integers(-(10**12), 10**12))
def test_time_arithmetic_is_exact_in_nanoseconds(t: int, d: int) -> None:
    start = Time(t)
    step = Duration(d)
    if t + d >= 0:
        assert (start + step) - start == step
        assert (start + step).nanoseconds == t + d
    assert step + (-step) == Duration(0)
