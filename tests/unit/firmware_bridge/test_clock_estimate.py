"""The host's estimate of a controller's clock never runs backwards within a session."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.host import _Clock

pytestmark = pytest.mark.unit

MS = 1_000_000  # ns


def _round_trip(clock: _Clock, host_send_ns: int, rtt_ns: int, true_offset_ns: int, asymmetry: float) -> None:
    """One TIME_REQ/TIME_RESP: the request takes ``asymmetry`` of the RTT, the answer the rest."""
    t2 = host_send_ns + int(rtt_ns * asymmetry) + true_offset_ns
    clock.sample(SimpleNamespace(t1=host_send_ns, t2=t2 // 1000, t3=t2 // 1000), host_send_ns + rtt_ns)


def test_a_better_sample_that_lowers_the_offset_does_not_turn_time_back() -> None:
    clock = _Clock()
    _round_trip(clock, 0, 800 * MS, 5_000 * MS, asymmetry=0.9)  # a stalled host: the estimate is 400 ms ahead
    ahead = clock.now_ns(1_000 * MS)
    _round_trip(clock, 1_000 * MS, 1 * MS, 5_000 * MS, asymmetry=0.5)  # a good sample: the true offset
    assert clock.offset_ns == pytest.approx(5_000 * MS, abs=1 * MS)
    assert clock.now_ns(1_001 * MS) == ahead  # held still, not turned back
    assert clock.now_ns(2_000 * MS) == pytest.approx(7_000 * MS, abs=1 * MS)  # caught up: the true time


def test_a_new_session_starts_a_new_clock() -> None:
    clock = _Clock()
    clock.rough(9_000_000, 0)  # controller at 9 s (µs on the wire)
    assert clock.now_ns(0) == 9_000 * MS
    clock.reset()  # the controller restarted: its clock is at zero again
    assert clock.now_ns(0) is None
    clock.rough(0, 1 * MS)
    assert clock.now_ns(1 * MS) == 0


@given(st.lists(st.tuples(st.integers(1, 900), st.floats(0.0, 1.0)), min_size=1, max_size=40))
def test_time_never_decreases_whatever_the_samples(trips: list[tuple[int, float]]) -> None:
    clock, host, given_times = _Clock(), 0, []
    for rtt_ms, asymmetry in trips:
        _round_trip(clock, host, rtt_ms * MS, 3_000 * MS, asymmetry)
        host += rtt_ms * MS
        given_times.append(clock.now_ns(host))
    assert given_times == sorted(given_times)
