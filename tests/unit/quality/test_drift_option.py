"""``--drift``: parsed into shares per unit, refused in one line when malformed; the process model obeys it."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.cli.backends import parse_drift
from cellctl.cli.loading import UsageError
from sim.injection import ProcessDrift
from sim.screw_model import simulate_tightening

from .process import PROGRAM, SEAT

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "expected"), [
    (None, {}), ("torque=+0.5%/unit", {"torque": 0.005}), ("torque=-1%/unit,angle=0.2%", {"torque": -0.01,
                                                                                         "angle": 0.002}),
])
def test_rates_are_shares_per_unit(text: str | None, expected: dict[str, float]) -> None:
    assert parse_drift(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["torque=0.5", "speed=1%/unit", "torque=abc%/unit", "torque=80%/unit", "torque"])
def test_malformed_rates_say_what_to_write(text: str) -> None:
    with pytest.raises(UsageError, match="torque=\\+0.5%/unit"):
        parse_drift(text)


def test_the_first_kit_is_not_moved() -> None:
    assert [ProcessDrift(0.01).steps(k) for k in (0, 1, 2, 5)] == [0, 0, 1, 4]


def test_a_later_shutoff_raises_the_final_torque_by_that_much() -> None:
    base = [simulate_tightening(PROGRAM, SEAT, None, np.random.default_rng(i)).torque[-1] for i in range(50)]
    moved = [simulate_tightening(PROGRAM, SEAT, None, np.random.default_rng(i), PROGRAM.target_torque * 1.05).torque[-1]
             for i in range(50)]
    assert np.mean(moved) / np.mean(base) == pytest.approx(1.05, abs=0.01)
