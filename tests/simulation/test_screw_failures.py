"""Injected screw failures are judged NOK with their own failure class; a re-hit is detected."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from _unit import Operator
from _cell import start

from cellctl.hw import ScrewProgram, ToolResult
from sim import FailureKind, FailurePlan, SimSystem

pytestmark = pytest.mark.sim

INJECTED = {"h1": FailureKind.CROSS_THREAD, "h2": FailureKind.STRIPPED, "h3": FailureKind.MISSING_SCREW,
            "h4": FailureKind.REHIT}


@pytest.fixture(scope="module")
def injected() -> Iterator[tuple[SimSystem, Operator, dict[str, ToolResult]]]:
    sim, operator = start(seed=7, failures=FailurePlan(holes=INJECTED))
    try:
        operator.frame_in_nest()
        results = {}
        for hole in INJECTED:
            assert operator.pick_screw().ok
            results[hole] = operator.drive(hole)
        yield sim, operator, results
    finally:
        operator.close()
        sim.shutdown()


@pytest.mark.parametrize("hole", sorted(INJECTED))
def test_an_injected_failure_is_nok_with_its_failure_class(
        injected: tuple[SimSystem, Operator, dict[str, ToolResult]], hole: str) -> None:
    _, _, results = injected
    result = results[hole]
    assert not result.ok and result.status == "NOK"
    assert result.failure_class == INJECTED[hole].value, result.message
    assert result.curve_torque.size == result.curve_angle.size > 0


def test_a_second_attempt_at_a_failed_hole_is_a_rehit(
        injected: tuple[SimSystem, Operator, dict[str, ToolResult]]) -> None:
    _, operator, _ = injected
    assert operator.pick_screw().ok
    assert operator.drive("h1").failure_class == "rehit"


def test_the_driver_needs_to_be_at_a_hole(injected: tuple[SimSystem, Operator, dict[str, ToolResult]]) -> None:
    sim, operator, _ = injected
    operator.home("screwer")
    program: ScrewProgram = sim.cell.programs["m14_standard"]
    result = sim.wait_for(sim.arms["screwer"].tool_command(program), 1.0)
    assert result.failure_class == "no_hole" and "nearest hole" in result.message


def test_the_same_seed_gives_the_same_curves() -> None:
    curves = []
    for _ in range(2):
        sim, operator = start(seed=3, failures=FailurePlan(rates={FailureKind.CROSS_THREAD: 0.5}))
        try:
            operator.frame_in_nest()
            assert operator.pick_screw().ok
            result = operator.drive("h2")
            curves.append((result.failure_class, result.curve_torque, sim.part_pose("mid_frame").position))
        finally:
            operator.close()
            sim.shutdown()
    assert curves[0][0] == curves[1][0]
    assert np.array_equal(curves[0][1], curves[1][1])
    assert np.array_equal(curves[0][2], curves[1][2])
