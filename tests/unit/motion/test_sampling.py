"""Vectorised sampling: shapes, ordering, rates, before/after the motion."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.motion import JointLimits, plan_ptp, servo_times

pytestmark = pytest.mark.unit

LIMITS = JointLimits.uniform(7, 1.5, 5.0, 50.0)
TRAJ = plan_ptp(np.zeros(7), np.linspace(-1, 1, 7), LIMITS)


def test_samples_are_float64_arrays_of_shape_n_by_dof() -> None:
    s = TRAJ.sample(np.linspace(0, TRAJ.duration, 101))
    for arr in (s.position, s.velocity, s.acceleration, s.jerk):
        assert arr.shape == (101, 7) and arr.dtype == np.float64


def test_unsorted_times_give_the_same_values_as_sorted_ones() -> None:
    t = np.random.default_rng(3).uniform(-0.5, TRAJ.duration + 0.5, 2000)
    shuffled = TRAJ.sample(t)
    order = np.argsort(t)
    ordered = TRAJ.sample(t[order])
    np.testing.assert_array_equal(shuffled.position[order], ordered.position)
    np.testing.assert_array_equal(shuffled.jerk[order], ordered.jerk)


def test_rate_sampling_covers_the_whole_motion_at_the_servo_period() -> None:
    s = TRAJ.sample(rate=1000.0)
    assert s.time[0] == 0.0 and s.time[-1] == pytest.approx(TRAJ.duration)
    assert np.diff(s.time).max() <= 1e-3 + 1e-12
    np.testing.assert_allclose(s.position[-1], np.linspace(-1, 1, 7), atol=1e-9)


def test_velocity_is_the_derivative_of_position() -> None:
    t = np.linspace(0, TRAJ.duration, 20001)
    s = TRAJ.sample(t)
    numeric = np.gradient(s.position, t, axis=0)
    assert np.abs(numeric - s.velocity)[1:-1].max() < 1e-5


def test_before_the_start_and_after_the_end_the_trajectory_holds_still() -> None:
    s = TRAJ.sample([-1.0, TRAJ.duration + 1.0])
    np.testing.assert_array_equal(s.position[0], np.zeros(7))
    np.testing.assert_array_equal(s.velocity[1], np.zeros(7))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_times_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=r"times\[1\] is"):
        TRAJ.sample([0.0, bad])


def test_servo_times_always_end_at_the_duration() -> None:
    t = servo_times(0.01234, 1000.0)
    assert t[-1] == 0.01234 and np.all(np.diff(t) > 0)


@pytest.mark.parametrize("kwargs", [{}, {"times": [0.0], "rate": 10.0}, {"rate": -5.0}])
def test_sample_needs_exactly_one_of_times_or_rate(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        TRAJ.sample(**kwargs)
