"""Frame sizing from the observed error rate: shrink on a noisy line, grow back on a clean one."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.framesize import FRAME_OVERHEAD, FrameSizer, LineCounts

pytestmark = pytest.mark.unit

KNOT = 36  # 7 joints


def _feed(sizer: FrameSizer, counts: LineCounts, rate: float, frames: int, count: int) -> LineCounts:
    """``frames`` frames of ``count`` setpoints sent through a line losing bytes at ``rate`` (expected values)."""
    length = FRAME_OVERHEAD + count * KNOT
    lost = round(frames * (1 - (1 - rate) ** length))
    status_lost = round(frames * (1 - (1 - rate) ** 100))
    counts = LineCounts(counts.sent_frames + frames + lost, counts.sent_bytes + (frames + lost) * length,
                        counts.retransmits + lost, counts.received_frames + frames - status_lost,
                        counts.received_bad + status_lost, counts.received_bytes + frames * 100)
    sizer.observe(counts)
    return counts


def test_frames_shrink_when_the_line_gets_noisy_and_grow_back_when_it_is_clean():
    sizer = FrameSizer(KNOT, 28)
    counts = LineCounts(0, 0, 0, 0, 0, 0)
    sizer.observe(counts)
    counts = _feed(sizer, counts, 0.0, 50, sizer.count)
    assert sizer.count == 28
    for _ in range(20):
        counts = _feed(sizer, counts, 9e-4, 50, sizer.count)
    noisy = sizer.count
    assert 6 <= noisy <= 12 and sizer.error_rate == pytest.approx(9e-4, rel=0.3)
    for _ in range(40):
        counts = _feed(sizer, counts, 0.0, 50, sizer.count)
    assert sizer.count == 28 and (sizer.smallest, sizer.largest) == (min(noisy, sizer.smallest), 28)


def test_errors_on_the_way_back_shrink_frames_before_anything_was_retransmitted():
    sizer = FrameSizer(KNOT, 28)
    sizer.observe(LineCounts(0, 0, 0, 0, 0, 0))
    sizer.observe(LineCounts(0, 0, 0, 900, 100, 100_000))  # 10 % of 100-byte frames damaged
    assert sizer.error_rate == pytest.approx(0.4 * -math.log(0.9) / 100) and sizer.count < 28  # one window, smoothed


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(1e-6, 0.05), most=st.integers(1, 255))
def test_the_chosen_size_is_the_best_within_the_allowed_range(rate, most):
    sizer = FrameSizer(KNOT, most)
    best = sizer.best_count(rate)
    assert 1 <= best <= most

    def goodput(n: int) -> float:
        length = FRAME_OVERHEAD + n * KNOT
        return n * KNOT / (length + 100) * math.exp(math.log1p(-rate) * length)

    assert all(goodput(best) >= goodput(n) - 1e-12 for n in range(1, most + 1))
    assert sizer.best_count(rate * 4) <= best  # a noisier line never gets longer frames


def test_the_line_counts_as_noisy_until_known_clean_and_while_frames_arrive_damaged():
    sizer = FrameSizer(KNOT, 28)
    sizer.observe(LineCounts(0, 0, 0, 0, 0, 0))
    assert not sizer.noisy and not sizer.informed  # nothing known yet: no evidence of noise
    sizer.observe(LineCounts(100, 100_000, 3, 1000, 0, 100_000))  # a few late acks, nothing damaged
    assert not sizer.noisy and sizer.count == 28
    sizer.observe(LineCounts(200, 200_000, 3, 1999, 1, 200_000))  # one damaged frame back
    assert sizer.noisy
