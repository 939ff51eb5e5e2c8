"""URDF values a cell relies on are checked at the URDF's own FILE:LINE:COL (cellctl.config.urdf_info)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pybullet_data
import pytest
from _edits import error_at_edit
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config import ConfigError, demo_cell_path, load_cell
from cellctl.config.urdf_info import JOINT_TYPES

pytestmark = pytest.mark.unit

PANDA = (Path(pybullet_data.getDataPath()) / "franka_panda" / "panda.urdf").read_text(encoding="utf-8")
JOINT2_LIMIT = '<limit effort="87" lower="-1.8326" upper="1.8326" velocity="2.1750"/>'

Edit = Callable[[str, str], ConfigError]


def _cell_using(urdf: Path, folder: Path) -> Path:
    """The demo cell with the loader's URDF replaced by ``urdf``."""
    cell = folder / "cell.yaml"
    cell.write_text(demo_cell_path().read_text(encoding="utf-8").replace(
        "pybullet_data:franka_panda/panda.urdf", str(urdf)), encoding="utf-8")
    return cell


@pytest.fixture
def edited(tmp_path: Path) -> Edit:
    """The demo cell with the loader's URDF edited (``old`` → ``new``): its error, checked to point at the edit."""
    urdf = tmp_path / "panda.urdf"
    cell = _cell_using(urdf, tmp_path)

    def load(old: str, new: str) -> ConfigError:
        error = error_at_edit(PANDA, old, new, urdf, lambda: load_cell(cell))
        assert f"(URDF of arms.loader.urdf, {cell}:" in error.detail
        return error
    return load


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN", "1e400", "abc"])
def test_a_limit_that_is_not_a_finite_number_is_refused(edited: Edit, bad: str) -> None:
    error = edited(JOINT2_LIMIT, JOINT2_LIMIT.replace('lower="-1.8326"', f'lower="{bad}"'))
    assert f"joint 'panda_joint2': <limit lower=\"{bad}\"> is not a finite number" in error.detail
    assert error.mark.col == 5


@settings(max_examples=30, deadline=None, derandomize=True)
@given(lower=st.floats(-3.0, 3.0), gap=st.floats(1e-3, 3.0))
def test_a_lower_limit_above_the_upper_is_refused(tmp_path_factory: pytest.TempPathFactory, lower: float,
                                                 gap: float) -> None:
    directory = tmp_path_factory.mktemp("urdf")
    urdf = directory / "panda.urdf"
    urdf.write_text(PANDA.replace(JOINT2_LIMIT, f'<limit effort="87" lower="{lower + gap!r}" upper="{lower!r}" '
                                                 'velocity="2.1750"/>'), encoding="utf-8")
    cell = _cell_using(urdf, directory)
    with pytest.raises(ConfigError, match=r"joint 'panda_joint2': lower limit .* is above upper limit .*; "
                                          r"write lower <= upper"):
        load_cell(cell)


def test_a_joint_whose_parent_link_is_missing_is_named(edited: Edit) -> None:
    error = edited('<parent link="panda_link1"/>', '<parent link="panda_lnk1"/>')
    assert "joint 'panda_joint2': its parent link 'panda_lnk1' is not a link of this URDF" in error.detail
    assert "did you mean 'panda_link1'" in error.detail


def test_a_misspelt_joint_type_names_the_joint_and_lists_the_valid_types(edited: Edit) -> None:
    error = edited('<joint name="panda_joint2" type="revolute">', '<joint name="panda_joint2" type="revolut">')
    assert "joint 'panda_joint2' has type 'revolut'" in error.detail
    assert f"valid: {', '.join(JOINT_TYPES)}" in error.detail and "did you mean 'revolute'" in error.detail
    assert error.mark.col == 3


def test_a_file_that_is_not_xml_points_at_the_syntax_error(edited: Edit) -> None:
    error = edited('<joint name="panda_joint2" type="revolute">', '<joint name="panda_joint2" type="revolute"<')
    assert "not well-formed XML" in error.detail
