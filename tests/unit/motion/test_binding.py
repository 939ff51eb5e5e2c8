"""The binding's contract: core validation reaches Python as one clear ValueError, status names
map by value, sampling checks its times, and the in-place array path equals the converting one."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cellctl import _motion
from cellctl.motion import CartesianLimits, JointLimits, Lin, plan_path

from .arms import KUKA

pytestmark = pytest.mark.unit

EYE = np.eye(4)


def joints(count: int) -> list[tuple]:
    return [(f"j{i}", "revolute", EYE, np.array([0.0, 0.0, 1.0]), -1.0, 1.0) for i in range(count)]


def test_a_chain_of_more_than_twelve_joints_is_refused_not_truncated() -> None:
    assert _motion.Chain(joints(12), EYE).dof == 12
    with pytest.raises(ValueError, match="13 movable joints; at most 12 are supported"):
        _motion.Chain(joints(13), EYE)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ({3: np.zeros(3)}, r"joint 'j1' \(index 1\): axis .* must be finite and non-zero"),
        ({4: 2.0}, r"joint 'j1' \(index 1\): lower limit 2 must be at most the upper limit 1"),
        ({2: np.diag([1.0, 1.0, -1.0, 1.0])}, r"joint 'j1' \(index 1\): origin is not a rigid transform"),
    ],
)
def test_chain_validation_in_the_core_names_the_joint(spoil: dict, message: str) -> None:
    spec = joints(3)
    bad = list(spec[1])
    for field, value in spoil.items():
        bad[field] = value
    spec[1] = tuple(bad)
    with pytest.raises(ValueError, match=message):
        _motion.Chain(spec, EYE)


def test_ik_invalid_input_is_a_value_error_and_other_statuses_are_named_by_value() -> None:
    chain = KUKA.chain()
    q = np.full(7, 0.3)
    pose = chain.fk(q)
    status, *_ = chain.native.ik(pose, q)
    assert status == "ok"
    far = pose.copy()
    far[:3, 3] = [5.0, 0.0, 0.0]
    status, *_ = chain.native.ik(far, q)
    assert status == "unreachable"
    sheared = pose.copy()
    sheared[0, 1] += 0.2
    with pytest.raises(ValueError, match="ik: the target pose must be finite with a rotation matrix"):
        chain.native.ik(sheared, q)
    with pytest.raises(ValueError, match="ik: max_attempts must be at least 1"):
        chain.ik(pose, q, max_attempts=0)


def test_ik_defaults_come_from_the_core() -> None:
    chain = KUKA.chain()
    q = np.full(7, 0.3)
    pose = chain.fk(q)
    seed = q + 0.05
    # No options given: the core's own; the same as passing the binding's (core) defaults.
    np.testing.assert_array_equal(chain.ik(pose, seed), chain.native.ik(pose, seed)[1])


@pytest.fixture(scope="module")
def cartesian_trajectory() -> _motion.CartesianTrajectory:
    chain = KUKA.chain()
    q0 = np.array([0.0, 0.2, 0.0, -1.7, 0.0, 1.0, 0.0])
    goal = chain.fk(q0)
    goal[:3, 3] += [0.05, 0.0, 0.0]
    cart = CartesianLimits(speed=0.25, acceleration=2.0, jerk=20.0, angular_speed=1.0,
                           angular_acceleration=5.0, angular_jerk=50.0)
    return plan_path(chain, q0, [Lin(goal)], JointLimits.uniform(7, 1.5, 5.0, 50.0), cart)._native


@pytest.mark.parametrize("method", ["sample", "positions", "poses"])
def test_cartesian_sampling_checks_the_times_dimensions(cartesian_trajectory, method: str) -> None:
    with pytest.raises(ValueError, match="times must be a 1-D array of seconds, got 2 dimensions"):
        getattr(cartesian_trajectory, method)(np.zeros((3, 2)))


def test_poses_release_the_gil(cartesian_trajectory) -> None:
    # While one thread computes poses, another Python thread gets to run: it counts.
    times = np.linspace(0.0, cartesian_trajectory.duration, 400_000)
    ticks, done = [], threading.Event()

    def count() -> None:
        while not done.is_set():
            ticks.append(1)

    thread = threading.Thread(target=count)
    thread.start()
    try:
        before = len(ticks)
        cartesian_trajectory.poses(times)
        seen_during = len(ticks) - before
    finally:
        done.set()
        thread.join(timeout=10)
    assert seen_during > 100


def test_plan_ptp_reads_lists_strided_and_other_dtypes_like_contiguous_float64() -> None:
    rng = np.random.default_rng(3)
    start, goal = rng.uniform(-2, 2, 6), rng.uniform(-2, 2, 6)
    limits = np.stack([rng.uniform(0.5, 2, 6), rng.uniform(1, 10, 6), rng.uniform(5, 100, 6)])
    zero = np.zeros(6)
    reference = _motion.plan_ptp(start, goal, limits, zero, zero)
    wide = np.zeros((6, 2))
    wide[:, 0] = goal
    variants = [
        (list(start), list(goal), limits.tolist(), [0] * 6, [0] * 6),      # lists
        (start, wide[:, 0], np.asfortranarray(limits), zero, zero),        # strided, Fortran order
        (start, goal, limits.astype(">f8"), zero, zero),  # big-endian limits
    ]
    for args in variants:
        traj = _motion.plan_ptp(*args)
        assert traj.duration == reference.duration
        t = np.linspace(0.0, traj.duration, 50)
        np.testing.assert_array_equal(traj.sample(t)[0][:, 1:], reference.sample(t)[0][:, 1:])


def test_plan_ptp_names_the_joint_from_the_names_given() -> None:
    limits = np.ones((3, 2))
    with pytest.raises(ValueError, match="joint 'elbow' \\(index 1\\): goal position is nan"):
        _motion.plan_ptp(np.zeros(2), np.array([0.0, np.nan]), limits, np.zeros(2), np.zeros(2),
                         ("shoulder", "elbow"))
    with pytest.raises(ValueError, match="goal has 3 values but the limits describe 2 joints"):
        _motion.plan_ptp(np.zeros(2), np.zeros(3), limits, np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="limits must be a \\(3, dof\\) array"):
        _motion.plan_ptp(np.zeros(2), np.zeros(2), np.ones((2, 2)), np.zeros(2), np.zeros(2))
