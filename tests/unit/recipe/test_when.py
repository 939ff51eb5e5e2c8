"""``when`` (recovery by failure class) and ``reject`` with a ``hole``: loading and static checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config import ConfigError, load_cell
from cellctl.recipe import model as rm
from cellctl.recipe import parse_recipe
from cellctl.recipe.validate import validate

pytestmark = pytest.mark.unit

HEAD = "version: 1\nrecipe: t\nsteps:\n  sequence:\n"
CELL = load_cell(None)


def _steps(text: str) -> list[rm.Step]:
    return parse_recipe(HEAD + text, "r.yaml").leaves()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(failures=st.lists(st.sampled_from(rm.TIGHTENING_FAILURES), min_size=1, max_size=4))
def test_a_when_step_keeps_the_failure_classes_it_names(failures: list[str]) -> None:
    (step,) = _steps(f"    - when: {{hole: h2, failed: [{', '.join(failures)}]}}\n")
    assert isinstance(step, rm.When) and step.hole == "h2" and step.failures == tuple(failures)
    assert step.label == f"when h2 failed {' or '.join(failures)}"


def test_an_unknown_failure_class_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as info:
        _steps("    - when: {hole: h2, failed: [missing_scerw]}\n")
    assert str(info.value).startswith("r.yaml:5:33: steps.sequence[0].when.failed[0]='missing_scerw' is not valid")
    assert "did you mean 'missing_screw'" in info.value.detail and "cross_thread" in info.value.detail


def test_a_when_without_failure_classes_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^r.yaml:5:32: steps.sequence\[0\].when.failed must name at least one"):
        _steps("    - when: {hole: h2, failed: []}\n")


def test_a_reject_may_name_its_hole() -> None:
    (step,) = _steps("    - reject: {hole: h3, reason: screw h3 NOK}\n")
    assert isinstance(step, rm.Reject) and step.hole == "h3" and step.reason == "screw h3 NOK"


def test_holes_of_when_and_reject_are_checked_against_the_cell() -> None:
    recipe = parse_recipe(HEAD + "    - when: {hole: h9, failed: [stripped]}\n"
                                 "    - reject: {hole: h8, reason: x}\n", "r.yaml")
    problems = [str(p) for p in validate(recipe, CELL).problems]
    assert problems == ["r.yaml:5:7: hole 'h9' is not in the cell; valid: h1, h2, h3, h4",
                        "r.yaml:6:7: hole 'h8' is not in the cell; valid: h1, h2, h3, h4"]
