"""``--inject shift:PART=Dmm[@ANGLE]`` and ``missing:PART``: parsed, or refused with one line."""

from __future__ import annotations

import math

import pytest

from cellctl.cli.backends import parse_injections, placement_faults
from cellctl.cli.loading import UsageError
from cellctl.config import load_cell

pytestmark = pytest.mark.unit


def test_shift_missing_and_hole_failures_mix() -> None:
    injections = parse_injections("h2=stripped,shift:main_board=0.8mm,missing:cover,shift:mid_frame=0.5mm@90")
    faults, rest = placement_faults(injections, load_cell())
    assert rest == {"h2": "stripped"}
    assert faults.missing == frozenset({"cover"})
    assert faults.shifts["main_board"] == pytest.approx((0.0008, 0.0))
    assert faults.shifts["mid_frame"] == pytest.approx((0.0, 0.0005), abs=1e-12)
    assert math.hypot(*faults.shifts["mid_frame"]) == pytest.approx(0.0005)


@pytest.mark.parametrize("text, expected", [
    ("shift:main_bord=0.8mm", "PART one of mid_frame, main_board, cover"),
    ("shift:main_board=0.8", "write shift:main_board=DISTANCEmm[@ANGLE]"),
    ("shift:main_board=80mm", "DISTANCE in 0 .. 50"),
    ("shift:main_board=0.8mm@left", "ANGLE in degrees"),
    ("tilt:main_board=3", "write shift:PART=DISTANCEmm[@ANGLE] or missing:PART"),
])
def test_a_bad_placement_injection_is_one_line(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        placement_faults(parse_injections(text), load_cell())
    (line,) = caught.value.lines
    assert expected in line
