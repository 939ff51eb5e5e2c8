"""Curve-shape model: good curves pass, a wrong shape with final torque in the window is flagged."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.quality.curves import RUNDOWN_BINS, SEAT_BINS, fit_curve_model, resample
from sim.injection import FailureKind
from sim.screw_model import judge, simulate_tightening

from .process import PROGRAM, SEAT

pytestmark = pytest.mark.unit


def _vector(kind: FailureKind | None, seed: int) -> tuple[np.ndarray, bool]:
    curve = simulate_tightening(PROGRAM, SEAT, kind, np.random.default_rng(seed))
    return resample(curve.angle, curve.torque, PROGRAM.target_torque), judge(PROGRAM, curve).ok


@pytest.fixture(scope="module")
def model():
    return fit_curve_model(np.array([_vector(None, seed)[0] for seed in range(20)]))


def test_resampling_gives_a_fixed_length_vector_in_units_of_the_target() -> None:
    vector, ok = _vector(None, 1)
    assert ok and vector.shape == (RUNDOWN_BINS + SEAT_BINS,)
    assert 0.05 < vector[RUNDOWN_BINS // 2] < 0.15     # rundown: ~10 % prevailing torque
    assert 0.9 < vector[-1] <= 1.1                     # the last bin is at the target


def test_good_curves_it_never_saw_pass(model) -> None:
    flagged = sum(model.flags(_vector(None, 1000 + seed)[0]) for seed in range(200))
    assert flagged <= 2


@pytest.mark.parametrize("kind", [FailureKind.HARD_JOINT, FailureKind.BURR, FailureKind.THREAD_YIELD])
def test_a_wrong_shape_with_final_torque_in_the_window_is_flagged(model, kind: FailureKind) -> None:
    results = [_vector(kind, 2000 + seed) for seed in range(30)]
    assert all(ok for _, ok in results), "the judge passes these screws: only the shape is wrong"
    assert all(model.flags(vector) for vector, _ in results)


def test_a_model_needs_a_few_curves() -> None:
    with pytest.raises(ValueError, match="at least 5"):
        fit_curve_model(np.zeros((3, RUNDOWN_BINS + SEAT_BINS)))
