"""When a motion from rest starts later than stamped: a noisy line, or a host that keeps stalling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.backend import BUSY_DELAY_MAX, BUSY_STALLS, start_delay

pytestmark = pytest.mark.unit


def test_a_clean_line_and_a_host_that_keeps_time_start_motions_as_stamped() -> None:
    assert start_delay(None, []) == 0.0


def test_a_rare_long_stall_does_not_slow_every_motion() -> None:
    """A stopped process or a GC pause now and then: fewer than BUSY_STALLS stalls in the window."""
    assert start_delay(None, [0.2] * (BUSY_STALLS - 1)) == 0.0


def test_a_busy_host_starts_motions_twice_its_median_stall_later() -> None:
    assert start_delay(None, [0.03, 0.05, 0.2]) == pytest.approx(0.1)


def test_a_noisy_line_leaves_room_for_a_frame_lost_twice() -> None:
    assert start_delay(0.03, []) == pytest.approx(0.2) and start_delay(0.2, []) == pytest.approx(0.5)


@given(st.lists(st.floats(0.02, 10.0), max_size=50), st.one_of(st.none(), st.floats(0.001, 1.0)))
def test_the_delay_is_bounded_and_grows_with_the_stalls(stalls: list[float], rto: float | None) -> None:
    delay = start_delay(rto, stalls)
    assert 0.0 <= delay <= max(0.5, BUSY_DELAY_MAX)
    assert start_delay(rto, [2 * s for s in stalls]) >= delay
