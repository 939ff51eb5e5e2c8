"""The player's per-tick shortcuts (issue 16) give exactly what the plain computation gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.hw.player import PlayerLimits, TrajectoryPlayer

pytestmark = pytest.mark.unit

LIMITS = PlayerLimits.uniform(2, velocity=50.0, capacity=100_000)


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(1e-4, 5e-3), min_size=2, max_size=200),
       ticks=st.lists(st.floats(0.0, 0.03), min_size=1, max_size=300),
       override=st.one_of(st.none(), st.tuples(st.floats(0.0, 0.2), st.floats(0.0, 1.0))))
def test_the_knot_search_and_tau_match_bisection_and_the_ramp_integral(gaps, ticks, override) -> None:
    """Knots at uneven gaps, ticks of uneven length (long ones: a stalled host), and an override
    change somewhere: the onward search finds the knot bisection finds, and τ and the commanded
    position are those of a player that integrates the ramps on every tick."""
    times = 0.06 + np.cumsum(gaps)
    positions = np.column_stack((np.sin(times), np.cos(times))) * 0.01
    lean, plain = (TrajectoryPlayer(np.array([0.0, 0.01]), LIMITS) for _ in range(2))
    plain.advance_time = _integrating(plain)  # type: ignore[method-assign]
    for player in (lean, plain):
        player.append(times, positions, final=True)
    now = 0.0
    for tick in ticks:
        now += tick
        if override is not None and now >= override[0]:
            for player in (lean, plain):
                player.set_override(now, override[1])
            override = None
        tau_before = lean.tau
        a, b = lean.advance(now), plain.advance(now)
        assert lean.tau == plain.tau
        assert np.array_equal(a.position, b.position) and np.array_equal(a.velocity, b.velocity)
        if lean.queue_depth:
            assert lean.played_until() == int(np.searchsorted(lean._times, lean.tau, side="right"))  # noqa: SLF001
        assert lean.tau >= tau_before


def _integrating(player: TrajectoryPlayer):
    """τ and the rate the long way: the ramps' integral and values on every tick."""
    def advance_time(now: float) -> None:
        if now > player._now:  # noqa: SLF001
            player.tau += player._integral(player._now, now)  # noqa: SLF001
            player._now = now  # noqa: SLF001
        player._rate = player._rate_at(now)  # noqa: SLF001
    return advance_time
