"""The Western Electric run rules on a standardised series (z = (x - centre) / sigma).

Each rule looks at the latest points only, so a chart keeps the last :data:`WINDOW` z-values
and asks :func:`violated` after every new point. Zones are in sigmas: A beyond 2, B beyond 1.

1. one point beyond 3 sigma;
2. two of three consecutive points beyond 2 sigma on the same side;
3. four of five consecutive points beyond 1 sigma on the same side;
4. eight consecutive points on the same side of the centre line.

For independent normal points the per-point false-alarm probabilities are about 0.0027,
0.0015, 0.0027 and 0.0078 (rule 4: a run of eight); together one false alarm every ~90 points
(the classical figure for the four rules). ``docs/quality.md`` gives the tuning advice.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["RULES", "MAX_RUN", "violated", "RULE_TEXT"]

MAX_RUN = 30
"""Longest run rule 4 may ask for (a chart keeps this many points)."""

RULES = (1, 2, 3, 4)

RULE_TEXT = {
    1: "one point beyond the control limit",
    2: "2 of 3 points beyond 2/3 of the limit on one side",
    3: "4 of 5 points beyond 1/3 of the limit on one side",
    4: "a run of points on one side of the centre",
}


def _k_of_n_beyond(z: Sequence[float], k: int, n: int, limit: float) -> int:
    """+1/-1 when ``k`` of the last ``n`` points lie beyond ``limit`` on that side (and the newest
    point is one of them, so a pattern alarms once, when it forms), else 0."""
    if len(z) < n:
        return 0
    last = z[-n:]
    for side in (1, -1):
        if side * last[-1] > limit and sum(1 for v in last if side * v > limit) >= k:
            return side
    return 0


def violated(z: Sequence[float], rules: Sequence[int] = RULES, *, zone: float = 3.0,
             run: int = 8) -> tuple[int, int] | None:
    """The first rule (in order 1..4) the newest point of ``z`` completes, with its side (+1 above,
    -1 below the centre), or None. ``z`` holds the chart's latest standardised points, oldest first.

    ``zone`` is rule 1's limit in sigmas (3 in the classical rules); rules 2 and 3 use 2/3 and 1/3
    of it. ``run`` is rule 4's run length (8 classically, 9 in Nelson's rules).
    """
    if not z:
        return None
    checks = {
        1: lambda: (1 if z[-1] > zone else -1 if z[-1] < -zone else 0),
        2: lambda: _k_of_n_beyond(z, 2, 3, 2.0 * zone / 3.0),
        3: lambda: _k_of_n_beyond(z, 4, 5, zone / 3.0),
        4: lambda: _run_side(z, run),
    }
    for rule in rules:
        side = checks[rule]()
        if side:
            return rule, side
    return None


def _run_side(z: Sequence[float], n: int) -> int:
    if len(z) < n:
        return 0
    last = z[-n:]
    if all(v > 0.0 for v in last):
        return 1
    if all(v < 0.0 for v in last):
        return -1
    return 0
