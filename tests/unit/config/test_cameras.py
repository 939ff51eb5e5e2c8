"""The ``cameras:`` section: read, range-checked, and checked against the cell, with one clear line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cellctl.config import ConfigError, load_cell
from cellctl.recipe import parse_recipe
from cellctl.recipe.validate import validate

pytestmark = pytest.mark.unit

Broken = Callable[[str, str], ConfigError]


def test_the_demo_camera_looks_down_at_the_nest() -> None:
    camera = load_cell().cameras["nest_cam"]
    assert camera.resolution == (640, 400) and camera.fov == pytest.approx(7.8) and camera.source is None
    assert camera.pose.rotation[:, 2] == pytest.approx([0.0, 0.0, -1.0], abs=1e-6)


@pytest.mark.parametrize("old, new, expected", [
    ("fov: 7.8 ", "fov: 0 ", "cameras.nest_cam.fov=0 is out of range; valid: 1 .. 150 °"),
    ("resolution: [640, 400]", "resolution: [640.5, 400]", "cameras.nest_cam.resolution must be whole pixels"),
    ("resolution: [640, 400]", "resolution: [640]", "cameras.nest_cam.resolution"),
    ("    station: nest\n    pose", "    station: nets\n    pose", "cameras.nest_cam.station"),
    ("rpy: [3.1415927, 0.0, 0.0]}\n    fov", "rpy: [0.0, 0.0, 0.0]}\n    fov",
     "station 'nest' is not in camera nest_cam's view (its centre is behind the camera"),
    ("    resolution: [640, 400]\n", "    source: http://cam/{unit}.png\n    resolution: [640, 400]\n",
     "unknown field {unit}"),
    ("    resolution: [640, 400]\n", "    source: http://cam/latest.png\n    resolution: [640, 400]\n", "must contain {serial}"),
    ("    resolution: [640, 400]\n", "    lens: wide\n    resolution: [640, 400]\n", "unknown key 'lens'"),
])
def test_a_bad_camera_is_refused_naming_the_field_and_what_is_valid(broken: Broken, old: str, new: str,
                                                                     expected: str) -> None:
    error = broken(old, new)
    assert expected in error.detail
    assert "\n" not in str(error)


def _recipe(inspect: str) -> str:
    return f"""version: 1
recipe: r
steps:
  sequence:
    - inspect: {inspect}
"""


@pytest.mark.parametrize("inspect, expected", [
    ("{camera: top_cam, parts: [main_board]}", "camera 'top_cam' is not in the cell; valid: nest_cam"),
    ("{camera: nest_cam, parts: [main_bord]}", "part 'main_bord' is not in the cell"),
])
def test_an_inspection_naming_what_the_cell_lacks_is_refused(inspect: str, expected: str) -> None:
    problems = validate(parse_recipe(_recipe(inspect), "r.yaml"), load_cell()).problems
    assert any(expected in p.message for p in problems), problems


@pytest.mark.parametrize("inspect, expected", [
    ("{camera: nest_cam}", "'camera' and 'parts' go together"),
    ("{}", "needs 'holes' (screws to check), or 'camera' and 'parts'"),
    ("{camera: nest_cam, parts: [main_board], tolerance: 0}", "tolerance=0 is out of range; valid: 0.01 .. 50 mm"),
])
def test_an_incomplete_inspection_step_fails_with_one_line(inspect: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_recipe(_recipe(inspect), "r.yaml")
    assert expected in str(caught.value) and str(caught.value).startswith("r.yaml:5:")
