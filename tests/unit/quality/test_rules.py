"""Western Electric run rules and the EWMA on synthetic series (seeded, hypothesis-driven)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.quality.chart import IndividualsChart, Limits, learn_limits
from cellctl.quality.ewma import Ewma
from cellctl.quality.rules import violated
from cellctl.quality.settings import QualitySettings

pytestmark = pytest.mark.unit


def _chart(**kw: object) -> IndividualsChart:
    return IndividualsChart(limits=Limits(0.0, 1.0, "given"), **kw)  # type: ignore[arg-type]


def _alarm_points(series: np.ndarray, **kw: object) -> int:
    chart = _chart(**kw)
    return sum(chart.add(float(x)) is not None for x in series)


# ---------------------------------------------------------------- each rule fires on its pattern
@given(st.floats(3.01, 50.0), st.sampled_from([1, -1]))
def test_rule_1_one_point_beyond_the_limit(value: float, side: int) -> None:
    assert violated([0.0, side * value]) == (1, side)
    assert violated([0.0, side * 2.99]) != (1, side)


@given(st.floats(2.01, 2.99), st.floats(-1.99, 1.99), st.sampled_from([1, -1]))
def test_rule_2_two_of_three_beyond_two_sigma(far: float, near: float, side: int) -> None:
    assert violated([side * far, near, side * far]) == (2, side)
    assert violated([side * far, near, -side * far]) is None  # opposite sides do not count


@given(st.floats(1.01, 1.99), st.floats(-0.99, 0.99), st.sampled_from([1, -1]))
def test_rule_3_four_of_five_beyond_one_sigma(far: float, near: float, side: int) -> None:
    z = [side * far, side * far, near, side * far, side * far]
    assert violated(z, (1, 2, 3)) == (3, side)
    assert violated(z[1:], (1, 2, 3)) is None  # only three of four beyond


@given(st.lists(st.floats(0.01, 0.99), min_size=8, max_size=8), st.sampled_from([1, -1]))
def test_rule_4_eight_in_a_row_on_one_side(values: list[float], side: int) -> None:
    z = [side * v for v in values]
    assert violated(z) == (4, side)
    assert violated(z[1:]) is None
    assert violated(z[:-1] + [-side * 0.5]) is None


@given(st.floats(0.5, 4.0))
def test_the_zone_scales_every_rule(zone: float) -> None:
    assert violated([zone * 1.01], zone=zone) == (1, 1)
    assert violated([zone * 0.99], zone=zone) is None
    assert violated([zone * 0.7, 0.0, zone * 0.7], zone=zone) == (2, 1)


# ---------------------------------------------------------------- in control: the designed rate
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_stable_series_alarms_no_more_than_the_rules_allow(seed: int) -> None:
    """Rules 1-4 with limits known: one alarm per ~92 points (ARL0 of the four rules); the EWMA
    (lam 0.2, L 2.962) adds one per ~500. Over 5000 points the count stays below a bound the
    designed rate would exceed with probability < 1e-6 (Poisson tail)."""
    series = np.random.default_rng(seed).standard_normal(5000)
    alarms = _alarm_points(series, mr=False)
    expected = 5000 * (1 / 92 + 1 / 500)
    assert alarms <= expected + 5.0 * np.sqrt(expected) + 5
    assert alarms > 0  # the rules are live: a classical chart does false-alarm at this length


def test_lights_out_settings_keep_a_stable_series_quiet() -> None:
    """The recipe defaults (zone 5.5, run 18, EWMA width 4.5) are designed for about 3e-5 false alarms
    per point on normal data (rule 3 1.3e-5, rule 4 7.6e-6, the rest less): a 160-point series (40
    units, 4 holes) alarms with probability ~0.5 %. Over 400 seeds the count stays within 3 sigma of a
    budget of 5e-5 per point, which classical settings exceed a hundredfold."""
    s = QualitySettings()
    noisy = sum(_alarm_points(np.random.default_rng(seed).standard_normal(160), zone=s.zone, run=s.run,
                              ewma_width=s.ewma_width) > 0 for seed in range(400))
    expected = 400 * (1 - (1 - 5e-5) ** 160)
    assert noisy <= expected + 3 * np.sqrt(expected)


# ---------------------------------------------------------------- out of control: the run length
@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, -1]))
def test_a_one_and_a_half_sigma_shift_is_found_within_its_run_length(seed: int, side: int) -> None:
    """EWMA lam 0.2, L 2.962 has ARL ~6 at 1.5 sigma; with the run rules the median over 40
    shifted series is at most 8 points, and no series goes 40 points undetected."""
    rng = np.random.default_rng(seed)
    lengths = []
    for _ in range(40):
        chart = _chart()
        shifted = rng.standard_normal(40) + 1.5 * side
        found = next((i + 1 for i, x in enumerate(shifted) if (s := chart.add(float(x))) and s.side == side), 99)
        lengths.append(found)
    assert np.median(lengths) <= 8
    assert max(lengths) < 40


def test_ewma_limits_widen_to_their_steady_state() -> None:
    e = Ewma(0.2, 3.0)
    e.update(0.0)
    first = e.limit()
    for _ in range(200):
        e.update(0.0)
    assert first < e.limit()
    assert np.isclose(e.limit(), 3.0 * np.sqrt(0.2 / 1.8))


def test_after_a_signal_the_chart_needs_fresh_evidence() -> None:
    chart = _chart()
    assert chart.add(5.0) is not None
    assert chart.add(0.1) is None  # one cause, one alarm


# ---------------------------------------------------------------- limits and capability
@given(st.integers(0, 2**32 - 1))
def test_learned_limits_estimate_centre_and_within_sigma(seed: int) -> None:
    data = 10.0 + 0.5 * np.random.default_rng(seed).standard_normal(400)
    limits = learn_limits(list(data))
    assert abs(limits.center - 10.0) < 0.2
    assert 0.4 < limits.sigma < 0.6


def test_learning_ends_after_n_points_and_a_drift_is_then_seen() -> None:
    chart = IndividualsChart(learn=20)
    rng = np.random.default_rng(7)
    assert all(chart.add(float(x)) is None for x in rng.standard_normal(20))
    assert chart.limits is not None and chart.limits.n == 20
    drifted = [float(x) + 0.2 * i for i, x in enumerate(rng.standard_normal(30))]
    assert any(chart.add(x) is not None for x in drifted)


def test_cp_and_cpk_against_the_window() -> None:
    chart = IndividualsChart(limits=Limits(0.15, 0.002, "given"))
    for x in (0.154, 0.155, 0.156):
        chart.add(x)
    cp, cpk = chart.capability(0.13, 0.17)
    assert np.isclose(cp, 0.04 / 0.012)
    assert np.isclose(cpk, (0.17 - 0.155) / 0.006)
