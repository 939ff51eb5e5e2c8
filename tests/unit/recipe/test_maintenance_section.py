"""The recipe's maintenance: section and the maintain reaction: read, and refused with one clear line."""

from __future__ import annotations

import pytest

from cellctl.config import ConfigError, load_cell
from cellctl.recipe import load_recipe, parse_recipe
from cellctl.recipe import model as rm
from cellctl.recipe.validate import validate
from cellctl.config.cell_loader import demo_cell_path

pytestmark = pytest.mark.unit

STEPS = """version: 1
recipe: r
steps:
  sequence:
    - move: {arm: screwer, to: home}
"""


def _recipe(quality: str, maintenance: str = "") -> str:
    return STEPS + quality + maintenance


BRANCH = """maintenance:
  bit_change:
    sequence:
      - change_bit: {arm: screwer, station: bit_changer, seconds: 3.0}
      - move: {arm: screwer, to: home}
"""


def test_the_demo_recipe_has_a_bit_change_branch_that_plans() -> None:
    recipe = load_recipe(demo_cell_path().with_name("recipe.yaml"))
    branch = recipe.maintenance["bit_change"]
    assert branch.path == "maintenance.bit_change"
    leaf = branch.steps[0]
    assert isinstance(leaf, rm.ChangeBit) and (leaf.arm, leaf.station, leaf.seconds) == ("screwer", "bit_changer", 3.0)
    assert validate(recipe, load_cell()).ok


def test_maintain_names_its_branch() -> None:
    recipe = parse_recipe(_recipe("quality: {on_alarm: maintain, maintenance: bit_change}\n", BRANCH), "r.yaml")
    assert recipe.quality is not None and recipe.quality.maintenance == "bit_change"


@pytest.mark.parametrize("quality, maintenance, expected", [
    ("quality: {on_alarm: maintain, maintenance: bit_chnage}\n", BRANCH,
     "quality.maintenance: 'bit_chnage' is not a branch of this recipe's maintenance: section; valid: bit_change"),
    ("quality: {on_alarm: maintain}\n", BRANCH, "'on_alarm: maintain' and 'maintenance: BRANCH' go together"),
    ("quality: {on_alarm: pause, maintenance: bit_change}\n", BRANCH, "go together"),
    ("quality: {on_alarm: maintain, maintenance: bit_change}\n", "",
     "valid: none (add a maintenance: section)"),
    ("quality: {on_alarm: repair}\n", "", "on_alarm='repair' is not valid; valid: warn, pause, maintain"),
])
def test_a_bad_maintenance_reference_is_one_line_at_its_place(quality: str, maintenance: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_recipe(_recipe(quality, maintenance), "r.yaml")
    assert expected in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.mark.line == 6  # the quality line


def test_a_bit_change_at_a_station_that_is_no_tool_station_is_refused() -> None:
    branch = BRANCH.replace("station: bit_changer", "station: feeder")
    recipe = parse_recipe(_recipe("", branch), "r.yaml")
    problems = validate(recipe, load_cell()).problems
    assert any("tool station 'feeder' is not in the cell; valid: bit_changer" in p.message for p in problems), problems


def test_a_branch_the_arm_cannot_reach_is_found_by_the_dry_run() -> None:
    from cellctl.config import parse_cell

    text = demo_cell_path().read_text().replace("pose: {xyz: [-0.40, -0.25, 0.10]}", "pose: {xyz: [-2.40, -0.25, 0.10]}")
    cell = parse_cell(text, demo_cell_path())
    recipe = parse_recipe(_recipe("", BRANCH), "r.yaml")
    problems = validate(recipe, cell).problems
    assert problems and problems[0].mark.line == 9, problems  # the change_bit step
    assert "change the bit of screwer at bit_changer" in problems[0].message
