"""The sub-pixel edge fitter on synthetic images whose edges are known exactly."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.vision.edges import fit_line, scan_edges, step_edge

OVERSAMPLE = 16


def area_sampled_edge(width: int, height: int, u0: float, slope: float, dark: float, light: float) -> np.ndarray:
    """An image whose pixels are the share of their area right of the line u = u0 + slope * (v - height / 2)
    (light there, dark left of it), as a camera integrates light."""
    sub = (np.arange(OVERSAMPLE) + 0.5) / OVERSAMPLE
    u = (np.arange(width)[:, None] + sub[None, :]).reshape(-1)
    v = (np.arange(height)[:, None] + sub[None, :]).reshape(-1)
    right = u[None, :] > u0 + slope * (v[:, None] - height / 2)
    share = right.reshape(height, OVERSAMPLE, width, OVERSAMPLE).mean(axis=(1, 3))
    return dark + (light - dark) * share


@given(position=st.floats(3.0, 13.0), dark=st.floats(0.0, 120.0), contrast=st.floats(20.0, 200.0),
       falling=st.booleans())
@settings(max_examples=200, deadline=None, derandomize=True)
def test_a_single_scanline_finds_an_area_sampled_step_to_a_hundredth_of_a_pixel(
        position: float, dark: float, contrast: float, falling: bool) -> None:
    i = np.arange(16)
    share = np.clip(i + 1 - position, 0.0, 1.0)  # pixel i covers [i, i + 1)
    profile = dark + contrast * (1 - share if falling else share)
    edge = step_edge(profile, min_contrast=10.0)
    assert edge is not None
    assert abs(edge.position - position) < 0.01
    assert abs(edge.contrast - contrast) < 1e-6 * contrast + 1e-9


@given(u0=st.floats(20.0, 40.0), angle=st.floats(-8.0, 8.0), contrast=st.floats(30.0, 200.0),
       noise=st.floats(0.0, 2.0), seed=st.integers(0, 2**16))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_a_line_through_many_scanlines_recovers_a_tilted_edge_within_a_twentieth_of_a_pixel(
        u0: float, angle: float, contrast: float, noise: float, seed: int) -> None:
    height, width = 60, 60
    slope = math.tan(math.radians(angle))
    image = area_sampled_edge(width, height, u0, slope, 40.0, 40.0 + contrast)
    image = image + np.random.default_rng(seed).normal(0.0, noise, image.shape)
    starts = np.column_stack([np.full(height, 10), np.arange(height)])
    found = scan_edges(image, starts, 1, 40, min_contrast=15.0)
    assert len(found) == height
    points = np.array([[e.position, k + 0.5] for k, e in found])
    line = fit_line(points)
    assert line is not None
    u_at_centre = line.point[0] + (height / 2 - line.point[1]) * line.direction[0] / line.direction[1]
    assert abs(u_at_centre - u0) < 0.05
    assert abs(math.degrees(math.atan2(line.direction[0], line.direction[1])) - angle) < 0.1


def test_the_step_nearest_the_expected_place_is_taken_among_strong_ones() -> None:
    profile = np.array([100.0] * 5 + [20.0] * 5 + [100.0] * 6)  # two steps: at 5 and at 10
    assert abs(step_edge(profile, min_contrast=10.0, expected=9.0).position - 10.0) < 1e-9
    assert abs(step_edge(profile, min_contrast=10.0, expected=4.0).position - 5.0) < 1e-9


def test_a_neighbouring_step_of_the_other_sign_does_not_pull_the_edge() -> None:
    profile = np.array([139.0] * 6 + [88.0, 110.0, 174.0] + [75.0] * 8)  # a thin bright strip beside the edge
    edge = step_edge(profile, min_contrast=10.0)
    assert edge is not None and abs(edge.position - 9.0) < 1e-9


def test_a_flat_profile_has_no_edge() -> None:
    assert step_edge(np.full(20, 80.0) + np.random.default_rng(1).normal(0, 1.0, 20), min_contrast=12.0) is None


def test_the_line_fit_drops_far_points() -> None:
    v = np.arange(50.0)
    u = 10.0 + 0.01 * v
    u[[5, 17, 33]] += 4.0  # three disturbed scanlines (a speck of dust, an occluding cable)
    line = fit_line(np.column_stack([u, v]))
    assert line is not None and line.used == 47 and line.rms < 1e-9
