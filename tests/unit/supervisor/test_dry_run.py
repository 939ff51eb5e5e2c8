"""The supervisor's dry run: the demo recipe planned without hardware, nominal path joined up."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.cli.demo import DEMO_RECIPE
from cellctl.config import load_cell
from cellctl.recipe import load_recipe
from cellctl.supervisor import dry_run

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def planned():
    return dry_run(load_recipe(DEMO_RECIPE), load_cell())


def test_the_demo_plans_without_problems(planned) -> None:
    assert planned.problems == []
    assert planned.cycle_time_s > 10.0
    assert set(planned.motions) == {"loader", "screwer"} and all(planned.motions.values())


def test_each_arm_s_nominal_motions_join_end_to_start(planned) -> None:
    for arm, motions in planned.motions.items():
        for before, after in zip(motions, motions[1:]):
            end = before.sample([before.duration]).position[0]
            start = after.sample([0.0]).position[0]
            assert np.allclose(end, start, atol=1e-6), f"{arm}: a jump between two planned motions"


def test_fallback_alternatives_are_planned_but_not_kept_on_the_nominal_path(planned) -> None:
    assert planned.planned > sum(len(m) for m in planned.motions.values())


def test_a_step_that_asks_for_hardware_fails_clearly() -> None:
    from cellctl.supervisor.dry_run import _NoHardware

    with pytest.raises(RuntimeError, match="dry run plans only and has no hardware .*system.arms"):
        _NoHardware().arms  # noqa: B018
