"""Cell-description errors point at FILE:LINE:COL and say what would be valid."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cellctl.config import ConfigError, load_cell, parse_cell
from cellctl.config.pose import read_pose
from cellctl.config.yaml_nodes import parse_yaml

pytestmark = pytest.mark.unit

Broken = Callable[[str, str], ConfigError]
"""The ``broken`` fixture (conftest.py): load the demo cell with one edit, return its error."""

def test_the_demo_cell_loads() -> None:
    cell = load_cell()
    assert set(cell.arms) == {"loader", "screwer"}
    assert {s.type for s in cell.stations.values()} == {"input_tray", "fixture", "output_tray", "screw_feeder",
                                                        "tool_station"}
    assert cell.holes["h1"].program.target_torque == pytest.approx(0.15)
    assert cell.zones["shared_fixture"].arms == ("loader", "screwer")


def test_an_unknown_key_fails_and_suggests_the_valid_one(broken: Broken) -> None:
    error = broken("    mass: 0.04\n", "    mas: 0.04\n")
    assert "unknown key 'mas'" in error.detail and "did you mean 'mass'" in error.detail
    assert error.mark.col == 5


def test_an_out_of_range_value_names_the_range(broken: Broken) -> None:
    error = broken("acceleration: [5.0, 4.0, 5.0,", "acceleration: [5.0, 4.0, -5.0,")
    assert "arms.loader.limits.acceleration[2]=-5.0 is out of range; valid: 0.001 .. 500 rad/s²" in error.detail
    assert error.mark.col == 32


def test_a_target_outside_its_window_is_refused(broken: Broken) -> None:
    error = broken("target_torque: 0.15 ", "target_torque: 0.25 ")
    assert "outside torque_window [0.13, 0.17]" in error.detail


def test_a_misspelt_joint_lists_the_urdf_joints(broken: Broken) -> None:
    error = broken("joints: [panda_joint1,", "joints: [panda_joint0,")
    assert "panda_joint1" in error.detail and "panda_joint0" in error.detail


def test_a_reference_to_an_undefined_program_lists_the_defined_ones(broken: Broken) -> None:
    error = broken("  h2: {part: mid_frame, pose: {xyz: [-0.05, 0.018, 0.010]}, screw: m14x2_5, program: m14_standard",
                    "  h2: {part: mid_frame, pose: {xyz: [-0.05, 0.018, 0.010]}, screw: m14x2_5, program: m14_fast")
    assert "'m14_fast' is not a defined program; defined: m14_standard" in error.detail


def test_a_missing_urdf_says_which_schemes_exist(broken: Broken) -> None:
    error = broken("urdf: pybullet_data:franka_panda/panda.urdf", "urdf: pybullet_data:franka/panda.urdf")
    assert "sim-assets:" in error.detail


def test_a_home_outside_the_urdf_limits_is_refused(broken: Broken) -> None:
    error = broken("home: [-0.9, -0.3, 0.0, -2.2,", "home: [-0.9, -0.3, 0.0, 2.2,")
    assert "outside joint panda_joint4's URDF range" in error.detail


def test_syntax_errors_and_duplicate_keys_point_at_their_line() -> None:
    with pytest.raises(ConfigError, match=r"^c.yaml:2:1: duplicate key 'a' \(first defined at line 1\)"):
        parse_yaml("a: 1\na: 2\n", "c.yaml")
    with pytest.raises(ConfigError, match=r"^c.yaml:3:1: YAML syntax error"):
        parse_yaml("a: [1,\n  2\n", "c.yaml")


def test_a_pose_takes_rpy_or_a_unit_quaternion_but_not_both() -> None:
    with pytest.raises(ConfigError, match=r"^p.yaml:1:40: pose has both rpy and quat"):
        read_pose(parse_yaml("{xyz: [0, 0, 0], rpy: [0, 0, 0], quat: [0, 0, 0, 1]}", "p.yaml"), "pose")
    with pytest.raises(ConfigError, match="norm 1.414214"):
        read_pose(parse_yaml("{quat: [0, 0, 1, 1]}", "p.yaml"), "pose")
    pose = read_pose(parse_yaml("{xyz: [1, 2, 3], quat: [0, 0, 1, 0]}", "p.yaml"), "pose")
    assert pose.transform([1.0, 0.0, 0.0]) == pytest.approx([0.0, 2.0, 3.0])


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^s:1:1: the document must be a mapping"):
        parse_cell("- 1\n", "s")
