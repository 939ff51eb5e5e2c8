"""Recipe YAML: the demo loads; every malformed recipe gives a FILE:LINE:COL error."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.config import ConfigError
from cellctl.recipe import load_recipe, parse_recipe
from cellctl.recipe import model as rm

pytestmark = pytest.mark.unit

DEMO = Path(__file__).resolve().parents[3] / "cellctl" / "config" / "demo" / "recipe.yaml"

HEAD = "version: 1\nrecipe: t\nsteps:\n"


def test_the_demo_recipe_loads_with_unique_step_paths() -> None:
    recipe = load_recipe(DEMO)
    paths = [s.path for s in recipe.walk()]
    assert len(paths) == len(set(paths))
    assert recipe.serial_prefix == "PH" and "screws" in recipe.by_id()
    assert any(isinstance(s, rm.Parallel) for s in recipe.walk())


def test_a_screw_pattern_becomes_one_step_per_hole() -> None:
    recipe = parse_recipe(HEAD + "  screw: {arm: a, holes: [h1, h2, h3]}\n")
    assert isinstance(recipe.root, rm.Sequence)
    assert [(s.hole, s.path) for s in recipe.root.steps] == [("h1", "0.0"), ("h2", "0.1"), ("h3", "0.2")]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ("  screww: {arm: a, hole: h1}\n", r"t.yaml:4:3: steps kind='screww' is not valid; .*did you mean 'screw'"),
        ("  pick: {arm: a, part: p, speed: 3}\n", r"t.yaml:4:27: unknown key 'speed' in steps.pick; valid keys: arm, grasp, part"),
        ("  place: {arm: a, part: p, station: s, slot: x, on: q}\n", r"t.yaml:4:49: the key 'on' reads as the boolean True: YAML treats yes/no/on/off"),
        ("  screw: {arm: a, hole: h1, holes: [h2]}\n", r"t.yaml:4:10: steps.screw needs exactly one of 'hole'"),
        ("  wait: {}\n", r"t.yaml:4:9: steps.wait needs exactly one of 'seconds' or 'after'"),
        ("  wait: {seconds: -1}\n", r"t.yaml:4:19: steps.wait.seconds=-1 is out of range; valid: 0 .. 3600 s"),
        ("  retry: {times: 99, do: {wait: {seconds: 1}}}\n", r"t.yaml:4:18: steps.retry.times=99 is out of range; valid: 1 .. 10"),
        ("  sequence: []\n", r"t.yaml:4:13: steps.sequence needs at least one step"),
        ("  - pick: {arm: a, part: p}\n", r"t.yaml:4:3: steps must be a mapping with exactly one step kind"),
        ("  move: {arm: a, to: home, joints: [0, 1]}\n", r"t.yaml:4:9: steps.move needs exactly one of 'to'"),
    ],
)
def test_malformed_steps_point_at_the_file_line_and_column(steps: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_recipe(HEAD + steps, "t.yaml")


def test_a_bad_serial_prefix_says_what_is_valid() -> None:
    with pytest.raises(ConfigError, match=r"t.yaml:4:16: serial_prefix='ph 1' is not valid; valid: 1-12 of A-Z"):
        parse_recipe("version: 1\nrecipe: t\nsteps: {wait: {seconds: 1}}\nserial_prefix: ph 1\n", "t.yaml")


def test_bad_yaml_points_at_the_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEAD + "  sequence: [a, b\n")
    with pytest.raises(ConfigError, match=r"broken.yaml:5:1: YAML syntax error"):
        load_recipe(path)
