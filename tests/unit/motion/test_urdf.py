"""Chains from URDF: the shipped arms load; bad files give FILE:LINE errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cellctl.motion import load_chain
from cellctl.motion.urdf import URDFError

from .arms import ARMS, PANDA, XARM

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("arm", ARMS, ids=lambda a: a.urdf)
def test_the_urdfs_that_ship_with_pybullet_load(arm) -> None:
    chain = arm.chain()
    assert chain.dof in (6, 7)
    assert np.all(chain.lower < chain.upper)


def test_fixed_joints_are_folded_into_the_chain() -> None:
    # panda_hand hangs off panda_link8 through two fixed joints; only 7 joints move.
    chain = PANDA.chain()
    assert chain.joint_names == tuple(f"panda_joint{i}" for i in range(1, 8))


def test_a_tool_offset_moves_the_tcp_along_the_flange() -> None:
    plain = XARM.chain()
    tooled = load_chain(XARM.path, XARM.base, XARM.tip, tool=((0, 0, 0.12), (0, 0, 0)))
    q = np.array([0.1, -0.3, -0.5, 0.2, 0.9, -0.4])
    flange = plain.fk(q)
    np.testing.assert_allclose(tooled.fk(q)[:3, 3], flange[:3, 3] + 0.12 * flange[:3, 2], atol=1e-12)


ROBOT = """<?xml version="1.0"?>
<robot name="r">
  <link name="base"/>
  <link name="l1"/>
  <joint name="j1" type="{type}">
    <parent link="base"/>
    <child link="l1"/>
    <axis xyz="{axis}"/>
    {limit}
  </joint>
</robot>
"""


def _write(tmp_path: Path, type_: str = "revolute", axis: str = "0 0 1",
           limit: str = '<limit lower="-1" upper="1" velocity="1" effort="1"/>') -> Path:
    path = tmp_path / "r.urdf"
    path.write_text(ROBOT.format(type=type_, axis=axis, limit=limit))
    return path


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"type_": "hinge"}, r"r.urdf:5: joint 'j1' has type 'hinge'; valid: continuous, fixed"),
        ({"axis": "0 0 x"}, r"r.urdf:8: <axis xyz=\"0 0 x\"> must be 3 finite numbers"),
        ({"limit": ""}, r"r.urdf:5: revolute joint 'j1' needs a <limit"),
        ({"limit": '<limit lower="2" upper="1" velocity="1" effort="1"/>'}, r"r.urdf:9: joint 'j1' lower limit 2.0 is above upper 1.0"),
    ],
)
def test_bad_joints_are_reported_with_file_and_line(tmp_path: Path, kwargs: dict, expected: str) -> None:
    with pytest.raises(URDFError, match=expected):
        load_chain(_write(tmp_path, **kwargs), "base", "l1")


def test_unknown_links_list_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(URDFError, match=r"no link named 'tool0'; links: base, l1"):
        load_chain(_write(tmp_path), "base", "tool0")


def test_a_tip_that_does_not_descend_from_the_base_is_refused(tmp_path: Path) -> None:
    with pytest.raises(URDFError, match=r"link 'base' does not descend from 'l1'"):
        load_chain(_write(tmp_path), "l1", "base")


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.urdf"
    path.write_text("<robot>\n  <link name='a'>\n</robot>\n")
    with pytest.raises(URDFError, match=r"bad.urdf:3: not well-formed XML"):
        load_chain(path, "a", "a")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(URDFError, match=r"nothing.urdf: no such URDF file"):
        load_chain(tmp_path / "nothing.urdf", "a", "b")
