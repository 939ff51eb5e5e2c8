"""Holes lie on their parts, grasps on their parts, slots on their stations (cellctl.config.placement)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config import ConfigError, Mark, Pose, load_cell
from cellctl.config.placement import (
    HOLE_MAX_TILT,
    HOLE_TOLERANCE,
    SLOT_TOLERANCE,
    Solid,
    check_grasp,
    check_hole,
    check_slot,
)

pytestmark = pytest.mark.unit

Broken = Callable[[str, str], ConfigError]
"""The ``broken`` fixture (conftest.py): load the demo cell with one edit, return its error."""

CELL = load_cell()
FRAME, BOARD = CELL.parts["mid_frame"], CELL.parts["main_board"]
MARK = Mark("cell.yaml", 7, 9)
H2 = "  h2: {part: mid_frame, pose: {xyz: [-0.05, 0.018, 0.010]}"
TOP = 0.004 + 0.006  # the frame's top face plus the board stacked on it


def _hole(xyz: list[float]) -> None:
    check_hole("h9", FRAME, Pose.from_xyz_rpy(xyz), ("main_board",), CELL.parts, MARK, "holes.h9.pose")


def test_a_hole_half_a_metre_off_its_part_names_the_hole_the_part_and_the_distance(broken: Broken) -> None:
    error = broken(H2, "  h2: {part: mid_frame, pose: {xyz: [-0.5, 0.018, 0.010]}")
    assert "hole h2's entry [-0.5, 0.018, 0.01] lies 0.425 m outside the surface of part mid_frame" in error.detail
    assert "main_board (0.006 m) stacked on top" in error.detail
    assert "z = 0.01 with |x| <= 0.075, |y| <= 0.035" in error.detail
    assert error.mark.col == 31  # the pose


def test_a_hole_buried_under_the_board_it_joins_is_refused(broken: Broken) -> None:
    error = broken(H2, "  h2: {part: mid_frame, pose: {xyz: [-0.05, 0.018, 0.004]}")
    assert "lies 6 mm inside the surface of part mid_frame" in error.detail


def test_a_hole_beside_the_part_it_joins_says_where_the_joined_part_is(broken: Broken) -> None:
    error = broken(H2, "  h2: {part: mid_frame, pose: {xyz: [-0.07, 0.018, 0.010]}")
    assert "lies 10 mm beyond part main_board (box 0.12 × 0.05 × 0.006 m), which it joins" in error.detail
    assert "|x| <= 0.06, |y| <= 0.025" in error.detail


@settings(max_examples=200, deadline=None, derandomize=True)
@given(x=st.floats(-0.06, 0.06), y=st.floats(-0.025, 0.025), dz=st.floats(-HOLE_TOLERANCE, HOLE_TOLERANCE))
def test_every_hole_on_the_stack_within_the_tolerance_is_valid(x: float, y: float, dz: float) -> None:
    _hole([x, y, TOP + dz])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(x=st.floats(-0.06, 0.06), y=st.floats(-0.025, 0.025),
       dz=st.one_of(st.floats(-0.003, -1.01 * HOLE_TOLERANCE), st.floats(1.01 * HOLE_TOLERANCE, 1.0)))
def test_every_hole_above_or_below_the_stack_is_refused_with_its_distance(x: float, y: float, dz: float) -> None:
    with pytest.raises(ConfigError) as info:
        _hole([x, y, TOP + dz])
    shown = float(info.value.detail.split(" lies ")[1].split(" ")[0])
    unit = info.value.detail.split(" lies ")[1].split(" ")[1]
    assert shown * (1e-3 if unit == "mm" else 1.0) == pytest.approx(abs(dz), rel=5e-3)
    assert str(info.value).startswith("cell.yaml:7:9: holes.h9.pose: hole h9")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(point=st.lists(st.floats(-0.5, 0.5), min_size=3, max_size=3),
       size=st.lists(st.floats(0.001, 0.3), min_size=3, max_size=3))
def test_a_box_distance_is_the_distance_to_its_nearest_surface_point(point: list[float], size: list[float]) -> None:
    solid, p = Solid(np.array(size) / 2), np.array(point)
    nearest = np.clip(p, -solid.half, solid.half)
    if np.any(nearest != p):  # outside: the clamped point is the nearest
        assert solid.signed_distance(p) == pytest.approx(float(np.linalg.norm(p - nearest)), abs=1e-12)
    else:  # inside: the nearest face
        assert solid.signed_distance(p) == pytest.approx(-float((solid.half - np.abs(p)).min()), abs=1e-12)


def test_the_demo_cell_validates() -> None:
    assert set(load_cell().holes) == {"h1", "h2", "h3", "h4"}


def test_a_grasp_far_from_its_part_is_refused(broken: Broken) -> None:
    error = broken("grasps: {top: {xyz: [0.0, 0.0, 0.0098]", "grasps: {top: {xyz: [0.0, 0.3, 0.0098]")
    assert "parts.main_board.grasps.top: grasp top's tool centre point [0, 0.3, 0.0098] lies 0.275 m from part " \
           "main_board" in error.detail
    assert "within 20 mm of its part" in error.detail


def test_a_grasp_pointing_away_from_its_part_is_refused(broken: Broken) -> None:
    error = broken("grasps: {top: {xyz: [0.0, 0.0, 0.0098], rpy: [3.1415927",
                   "grasps: {top: {xyz: [0.0, 0.0, 0.0098], rpy: [0.0")
    assert "approach axis" in error.detail and "points away from part main_board" in error.detail


@settings(max_examples=100, deadline=None, derandomize=True)
@given(x=st.floats(-0.075, 0.075), y=st.floats(-0.035, 0.035), height=st.floats(0.0, 0.02))
def test_every_grasp_from_above_within_reach_is_valid(x: float, y: float, height: float) -> None:
    pose = Pose.from_xyz_rpy([x, y, FRAME.height / 2 + height], [np.pi, 0.0, 0.0])
    check_grasp("g", FRAME, pose, MARK, "parts.mid_frame.grasps.g")


def test_a_slot_off_its_fixture_pocket_is_refused(broken: Broken) -> None:
    error = broken("slots: {unit: {xyz: [0.0, 0.0, 0.0]}}", "slots: {unit: {xyz: [0.1, 0.0, 0.0]}}")
    assert "stations.nest.slots.unit: slot unit at [0.1, 0, 0] lies 23 mm off the pocket of station nest" in error.detail
    assert "|x| <= 0.077, |y| <= 0.05, z = 0" in error.detail


@settings(max_examples=100, deadline=None, derandomize=True)
@given(x=st.floats(-0.11, 0.11), y=st.floats(-0.08, 0.08), z=st.floats(-0.01, 0.01))
def test_a_slot_is_valid_exactly_when_it_lies_on_the_top_face(x: float, y: float, z: float) -> None:
    tray = CELL.stations["ok_tray"]  # 0.22 x 0.16
    pose = Pose.from_xyz_rpy([x, y, z])
    if abs(z) <= SLOT_TOLERANCE:
        check_slot("s", tray, pose, MARK, "stations.ok_tray.slots.s")
    else:
        with pytest.raises(ConfigError, match="off the top face of station ok_tray"):
            check_slot("s", tray, pose, MARK, "stations.ok_tray.slots.s")


def test_a_hole_pointing_into_its_part_is_refused(broken: Broken) -> None:
    error = broken(H2, "  h2: {part: mid_frame, pose: {xyz: [-0.05, 0.018, 0.010], rpy: [3.1415927, 0, 0]}")
    assert "hole h2's axis (its z, out of the hole: [0, 0, -1] in the part frame) is 180° from the outward " \
           "normal [0, 0, 1] of part mid_frame's surface" in error.detail


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tilt=st.floats(0.0, 170.0), axis=st.sampled_from([0, 1]))
def test_a_hole_may_lean_up_to_the_limit_from_its_surface_normal(tilt: float, axis: int) -> None:
    rpy = [0.0, 0.0, 0.0]
    rpy[axis] = np.radians(tilt)  # a lean about x (roll) or y (pitch)
    pose = Pose.from_xyz_rpy([0.0, 0.0, TOP], rpy)
    lean = float(np.degrees(np.arccos(np.clip(pose.rotation[2, 2], -1.0, 1.0))))
    if lean <= HOLE_MAX_TILT:
        check_hole("h9", FRAME, pose, ("main_board",), CELL.parts, MARK, "holes.h9.pose")
    else:
        with pytest.raises(ConfigError, match=rf"is {lean:.0f}° from the outward normal \[0, 0, 1\]"):
            check_hole("h9", FRAME, pose, ("main_board",), CELL.parts, MARK, "holes.h9.pose")


@pytest.mark.parametrize(("point", "normal"), [
    ([0.074, 0.0, 0.0], [1, 0, 0]), ([0.0, -0.034, 0.0], [0, -1, 0]), ([0.01, 0.0, 0.0039], [0, 0, 1]),
    ([0.0, 0.0, -0.0039], [0, 0, -1]),
])
def test_the_outward_normal_is_that_of_the_nearest_face(point: list[float], normal: list[int]) -> None:
    assert Solid.of(FRAME).normal(np.array(point)).tolist() == normal
