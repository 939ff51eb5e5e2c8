"""Static validation against the demo cell: references, reachability, interlocks, cycle time."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.config import load_cell
from cellctl.recipe import load_recipe, parse_recipe
from cellctl.recipe.validate import validate

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
DEMO_RECIPE = ROOT / "cellctl" / "config" / "demo" / "recipe.yaml"
CELL = load_cell(None)
HEAD = "version: 1\nrecipe: t\nsteps:\n  sequence:\n"


def problems(steps: str) -> list[str]:
    return [str(p) for p in validate(parse_recipe(HEAD + steps, "r.yaml"), CELL).problems]


def test_the_demo_recipe_is_valid_with_a_cycle_time_estimate() -> None:
    result = validate(load_recipe(DEMO_RECIPE), CELL)
    assert result.ok, result.problems
    assert 20.0 < result.cycle_time_s < 200.0
    assert result.motions > 50
    users = result.zone_steps["shared_fixture"]
    assert any("(loader)" in u for u in users) and any("(screwer)" in u for u in users)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("    - pick: {arm: lodaer, part: mid_frame}\n", "r.yaml:5:7: arm 'lodaer' is not in the cell; valid: loader, screwer"),
        ("    - pick: {arm: loader, part: frame}\n", "r.yaml:5:7: part 'frame' is not in the cell; valid: cover, main_board, mid_frame"),
        ("    - pick: {arm: screwer, part: cover}\n", "r.yaml:5:7: arm 'screwer' has no parallel_gripper tool"),
        ("    - screw: {arm: screwer, hole: h9}\n", "r.yaml:5:7: hole 'h9' is not in the cell; valid: h1, h2, h3, h4"),
        ("    - screw: {arm: screwer, hole: h1, program: fast}\n", "r.yaml:5:7: tightening program 'fast' is not in the cell"),
        ("    - place: {arm: loader, part: cover, station: nest, slot: top}\n", "r.yaml:5:7: station 'nest' has no slot 'top'; valid: unit"),
        ("    - wait: {after: [later]}\n", "r.yaml:5:7: wait after 'later': no step has that id"),
        ("    - move: {arm: loader, joints: [0, 0, 0, 0.5, 0, 2, 0]}\n", "r.yaml:5:7: joints[3] (panda_joint4) = 0.5 is outside its limits; valid: -3.1416 .. 0.0000"),
    ],
)
def test_bad_references_are_reported_at_the_step(steps: str, expected: str) -> None:
    assert expected in "\n".join(problems(steps))


def test_an_unreachable_pose_is_found_before_anything_moves() -> None:
    found = problems("    - move: {arm: loader, mode: ptp, pose: {xyz: [2.5, 0.0, 0.3], rpy: [3.14159, 0, 0]}}\n")
    assert len(found) == 1
    assert found[0].startswith("r.yaml:5:7: move ptp to pose: ")
    assert "arm loader cannot reach the pose at [2.5, 0.0, 0.3] m (world)" in found[0]
    assert "beyond the arm's reach" in found[0]


def test_a_recipe_written_for_another_cell_is_refused() -> None:
    recipe = parse_recipe("version: 1\nrecipe: t\ncell: other_cell\nsteps: {wait: {seconds: 1}}\n", "r.yaml")
    (problem,) = validate(recipe, CELL).problems
    assert "written for cell 'other_cell', not 'phone_assembly_demo'" in str(problem)


def test_a_home_inside_an_interlock_zone_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "cellctl" / "config" / "demo" / "cell.yaml").read_text()
    wide = text.replace("size: [0.30, 0.26, 0.35]", "size: [3.0, 3.0, 2.0]")
    assert wide != text
    path = tmp_path / "cell.yaml"
    path.write_text(wide)
    result = validate(parse_recipe(HEAD + "    - wait: {seconds: 1}\n"), load_cell(path))
    assert any("home puts the tool inside interlock zone 'shared_fixture'" in str(p) for p in result.problems)
