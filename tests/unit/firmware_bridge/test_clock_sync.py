"""The host's estimate of a controller's clock (protocol §7): minimum-RTT filter, slewed.

A new best sample may move the estimate by milliseconds; the controller time the host sees must
still never run backwards, and must follow the new estimate at a bounded rate.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.frames import TimeResp
from firmware_bridge.host import _Clock

MS = 1_000_000  # ns


def _sample(clock: _Clock, host_ns: int, offset_ns: int, rtt_ns: int, asymmetry: float = 0.5) -> None:
    """Feed one round trip sent at ``host_ns`` to a controller whose clock is host + offset."""
    t1 = host_ns
    t2 = t1 + int(rtt_ns * asymmetry) + offset_ns
    t3 = t2
    t4 = t1 + rtt_ns
    clock.sample(TimeResp(t1=t1, t2=t2 // 1000, t3=t3 // 1000), t4)


def test_the_first_sample_sets_the_offset_at_once() -> None:
    clock = _Clock()
    clock.rough(5_000_000, 0)  # 5 s on the controller at host time 0
    _sample(clock, 10 * MS, 7 * 10**9, 2 * MS)
    assert clock.offset_at(12 * MS) == pytest.approx(7 * 10**9, abs=1000)


def test_a_better_sample_is_slewed_to_not_stepped() -> None:
    clock = _Clock()
    _sample(clock, 0, 0, 40 * MS, asymmetry=0.9)   # a slow, lopsided round trip: estimate +16 ms
    first = clock.offset_at(40 * MS)
    assert first == pytest.approx(16 * MS, abs=1000)
    _sample(clock, 50 * MS, 0, 1 * MS)             # a fast one: the truth, 16 ms lower
    assert clock.offset_at(51 * MS) == pytest.approx(first, abs=0.1 * MS)
    after = clock.offset_at(51 * MS + 100 * MS)
    assert first - after == pytest.approx(_Clock.SLEW * 100 * MS, rel=0.01)
    assert clock.offset_at(51 * MS + 10**9) == pytest.approx(0, abs=1000)  # converged within 0.32 s


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 60), st.floats(0.0, 1.0)), min_size=2, max_size=40))
def test_controller_time_seen_by_the_host_never_runs_backwards(trips: list[tuple[int, float]]) -> None:
    clock = _Clock()
    host, last = 0, None
    for rtt_ms, asymmetry in trips:
        _sample(clock, host, 3 * 10**9, rtt_ms * MS, asymmetry)
        for probe in range(host + rtt_ms * MS, host + rtt_ms * MS + 50 * MS, 5 * MS):
            seen = probe + clock.offset_at(probe)
            assert last is None or seen >= last
            last = seen
        host += rtt_ms * MS + 50 * MS
