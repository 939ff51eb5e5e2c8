"""The recipe's ``quality:`` section: read, defaulted, and refused with file:line when wrong."""

from __future__ import annotations

import pytest

from cellctl.config import ConfigError
from cellctl.recipe import parse_recipe
from cellctl.quality.settings import QualitySettings

pytestmark = pytest.mark.unit

HEAD = "version: 1\nrecipe: t\nsteps: {wait: {seconds: 1}}\n"


def test_no_section_no_checks() -> None:
    assert parse_recipe(HEAD).quality is None


def test_an_empty_mapping_gives_the_defaults() -> None:
    assert parse_recipe(HEAD + "quality: {}\n").quality == QualitySettings()


def test_every_key_is_read() -> None:
    q = parse_recipe(HEAD + """quality:
  on_alarm: pause
  learn: 30
  rules: [ewma, 1, 4]
  zone: 3
  run: 8
  ewma: {lambda: 0.1, width: 2.8}
  curves: {learn: 25, alpha: 1.0e-4, margin: 3, seat_window: 60}
  limits:
    m14: {center: 0.15, sigma: 0.002}
""").quality
    assert q is not None and q.on_alarm == "pause" and q.learn == 30
    assert q.checks == ("1", "4", "ewma") and q.rules == (1, 4)
    assert (q.zone, q.run, q.ewma_lambda, q.ewma_width) == (3.0, 8, 0.1, 2.8)
    assert q.curves is not None and (q.curves.learn, q.curves.margin, q.curves.seat_window) == (25, 3.0, 60.0)
    assert q.limits["m14"].center == 0.15


def test_curves_can_be_turned_off() -> None:
    q = parse_recipe(HEAD + "quality: {curves: false}\n").quality
    assert q is not None and q.curves is None


@pytest.mark.parametrize(("section", "expected"), [
    ("quality: {on_alarm: stop}\n", r"t.yaml:4:21: quality.on_alarm=.stop. is not valid; valid: warn, pause"),
    ("quality: {learn: 2}\n", r"t.yaml:4:.*learn.*5"),
    ("quality: {rules: [1, 5]}\n", r"t.yaml:4:22: quality.rules must be one of 1, 2, 3, 4, ewma, mr, got the number 5"),
    ("quality: {rules: [1, 1]}\n", r"t.yaml:4:.*twice"),
    ("quality: {zonee: 4}\n", r"t.yaml:4:.*unknown key 'zonee'.*did you mean 'zone'"),
    ("quality: {limits: {m14: {center: 0.15}}}\n", r"t.yaml:4:.*sigma"),
])
def test_mistakes_point_at_the_line_and_say_what_is_valid(section: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_recipe(HEAD + section, "t.yaml")


def test_given_limits_must_name_a_program_of_the_cell() -> None:
    from cellctl.config import load_cell
    from cellctl.recipe.validate import validate

    recipe = parse_recipe(HEAD + "quality:\n  limits:\n    m41: {center: 0.15, sigma: 0.002}\n", "t.yaml")
    problems = [str(p) for p in validate(recipe, load_cell(None)).problems]
    assert any("t.yaml:6:5" in p and "'m41'" in p and "m14_standard" in p for p in problems), problems
