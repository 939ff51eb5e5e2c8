"""Timers: periods on the node clock, rcl's skip of missed periods, cancel and reset."""

from __future__ import annotations

from typing import Callable

import pytest

from cellctl.rt.clock import Duration, SimClock
from cellctl.rt.executor import Executor
from cellctl.rt.node import Node

pytestmark = pytest.mark.unit


def test_timer_that_fell_behind_fires_once_and_skips_missed_periods(
    make_node: Callable[..., Node], executor: Executor, clock: SimClock
) -> None:
    fired: list[int] = []
    timer = make_node("n").create_timer(0.1, lambda: fired.append(1))
    clock.advance(Duration.from_seconds(0.35))
    executor.spin_some()
    assert fired == [1]
    assert timer.time_until_next_call() == Duration.from_seconds(0.05)


def test_canceled_timer_stays_quiet_until_reset(make_node: Callable[..., Node], executor: Executor, clock: SimClock) -> None:
    fired: list[int] = []
    timer = make_node("n").create_timer(0.1, lambda: fired.append(1))
    timer.cancel()
    executor.advance_sim(clock, Duration.from_seconds(0.3))
    assert fired == []
    timer.reset()
    executor.advance_sim(clock, Duration.from_seconds(0.1))
    assert fired == [1]


def test_timer_period_must_be_positive(make_node: Callable[..., Node]) -> None:
    with pytest.raises(ValueError, match="period must be positive"):
        make_node("n").create_timer(0.0, lambda: None)


def test_timer_can_run_on_its_own_clock(make_node: Callable[..., Node], executor: Executor, clock: SimClock) -> None:
    other = SimClock()
    fired: list[int] = []
    make_node("n").create_timer(0.1, lambda: fired.append(1), clock=other)
    clock.advance(Duration.from_seconds(1.0))
    executor.spin_some()
    assert fired == []
    executor.advance_sim(other, Duration.from_seconds(0.2))
    assert fired == [1, 1]
