"""Random planning problems shared by the motion tests (seeded, reproducible)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from cellctl.motion import JointLimits


@dataclass(frozen=True)
class Problem:
    """A start state, a goal at rest and the limits."""

    start: np.ndarray
    goal: np.ndarray
    velocity: np.ndarray
    acceleration: np.ndarray
    limits: JointLimits


def consistent_state(rng: np.random.Generator, v_max: float, a_max: float, j_max: float) -> tuple[float, float]:
    """A (velocity, acceleration) pair from which the limits can be kept."""
    while True:
        v = rng.uniform(-v_max, v_max)
        a = rng.uniform(-a_max, a_max)
        if abs(v + a * abs(a) / (2 * j_max)) <= v_max:
            return v, a


def random_problem(rng: np.random.Generator, dof: int = 7, moving: bool = False) -> Problem:
    """Limits spanning two decades, positions within ±π, optionally a moving start."""
    v_max = rng.uniform(0.3, 3.0, dof)
    a_max = rng.uniform(1.0, 15.0, dof)
    j_max = rng.uniform(5.0, 200.0, dof)
    start = rng.uniform(-np.pi, np.pi, dof)
    goal = rng.uniform(-np.pi, np.pi, dof)
    velocity = np.zeros(dof)
    acceleration = np.zeros(dof)
    if moving:
        for i in range(dof):
            velocity[i], acceleration[i] = consistent_state(rng, v_max[i], a_max[i], j_max[i])
    return Problem(start, goal, velocity, acceleration, JointLimits(v_max, a_max, j_max))


@st.composite
def problems(draw: st.DrawFn, max_dof: int = 7) -> Problem:
    """Hypothesis strategy: random dof, limits, distances from microns to metres, moving starts."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dof = draw(st.integers(1, max_dof))
    scale = draw(st.sampled_from([1e-6, 1e-3, 0.1, 1.0, 5.0]))
    moving = draw(st.booleans())
    p = random_problem(rng, dof, moving)
    goal = p.start + scale * rng.uniform(-1.0, 1.0, dof)
    return Problem(p.start, goal, p.velocity, p.acceleration, p.limits)
