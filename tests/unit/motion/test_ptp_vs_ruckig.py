"""Optimality: our durations equal Ruckig's on the same random 7-axis problems.

Ruckig is the reference open-source jerk-limited generator (a test dependency only).
"""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import plan_ptp

from .problems import Problem, random_problem

ruckig = pytest.importorskip("ruckig", reason="ruckig is a test dependency: pip install '.[test]'")

pytestmark = pytest.mark.unit


def ruckig_duration(p: Problem) -> float:
    dof = len(p.start)
    inp = ruckig.InputParameter(dof)
    inp.current_position = p.start
    inp.current_velocity = p.velocity
    inp.current_acceleration = p.acceleration
    inp.target_position = p.goal
    inp.max_velocity = p.limits.velocity
    inp.max_acceleration = p.limits.acceleration
    inp.max_jerk = p.limits.jerk
    out = ruckig.Trajectory(dof)
    result = ruckig.Ruckig(dof).calculate(inp, out)
    assert result == ruckig.Result.Working, f"ruckig failed on a problem we consider valid: {result}"
    return out.duration


@pytest.mark.parametrize("moving", [False, True], ids=["from_rest", "from_moving_state"])
def test_duration_equals_ruckig_on_two_thousand_random_7_axis_problems(moving: bool) -> None:
    rng = np.random.default_rng(2026 + moving)
    worst = 0.0
    for _ in range(2000):
        p = random_problem(rng, 7, moving)
        ours = plan_ptp(p.start, p.goal, p.limits, p.velocity, p.acceleration).duration
        ref = ruckig_duration(p)
        worst = max(worst, abs(ours - ref) / ref)
    assert worst <= 1e-6, f"worst relative duration difference {worst:.3e}"


def test_duration_equals_ruckig_near_the_edges_of_the_start_state_space() -> None:
    """Start at the acceleration limit, near the velocity limit, tiny and large distances."""
    rng = np.random.default_rng(11)
    for _ in range(2000):
        p = random_problem(rng, 1, moving=True)
        v_max, a_max, j_max = p.limits.velocity[0], p.limits.acceleration[0], p.limits.jerk[0]
        a = a_max * rng.choice([-1.0, 1.0])
        v_room = v_max - a_max**2 / (2 * j_max)
        if v_room <= 0:
            continue
        v = rng.uniform(-v_room, v_room) if rng.random() < 0.5 else -np.sign(a) * v_max * 0.999
        goal = p.start + rng.choice([1e-6, 1e-3, 0.1, 3.0]) * rng.uniform(-1, 1, 1)
        edge = Problem(p.start, goal, np.array([v]), np.array([a]), p.limits)
        ours = plan_ptp(edge.start, edge.goal, edge.limits, edge.velocity, edge.acceleration).duration
        assert ours == pytest.approx(ruckig_duration(edge), rel=1e-6)
