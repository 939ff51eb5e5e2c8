"""One full demo unit: frame, board and cover into the nest, four screws, unit to the OK tray."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _unit import UnitReport, tray_offset
from _cell import start

from sim import SimSystem

pytestmark = pytest.mark.sim

PLACE_TOLERANCE = 0.001
"""Metres: a placed part's centre lies within 1 mm of its target in x and y."""


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimSystem, UnitReport, Path]]:
    sim, operator = start()
    image = tmp_path_factory.mktemp("unit") / "unit.png"
    try:
        yield sim, operator.run_unit(image=str(image)), image
    finally:
        operator.close()
        sim.shutdown()


def test_board_is_placed_in_the_fixture_within_tolerance(unit: tuple[SimSystem, UnitReport, Path]) -> None:
    _, report, _ = unit
    for part in ("mid_frame", "main_board", "cover"):
        assert np.abs(report.placed[part][:2]).max() < PLACE_TOLERANCE, part
        assert abs(report.placed[part][2]) < PLACE_TOLERANCE, part


def test_every_good_hole_is_screwed_ok_with_a_1khz_curve(unit: tuple[SimSystem, UnitReport, Path]) -> None:
    sim, report, _ = unit
    program = sim.cell.programs["m14_standard"]
    assert set(report.screws) == set(sim.cell.holes)
    for hole, result in report.screws.items():
        assert result.ok and result.status == "OK" and result.failure_class is None, (hole, result.message)
        assert program.torque_min <= result.torque <= program.torque_max
        assert program.angle_min <= result.angle <= program.angle_max
        assert np.allclose(np.diff(result.curve_time), 1e-3)
        assert result.curve_torque[-1] == result.torque


def test_the_screwed_unit_moves_as_one_into_the_ok_tray(unit: tuple[SimSystem, UnitReport, Path]) -> None:
    sim, report, _ = unit
    assert report.ok
    assert tray_offset(sim, "ok_tray") < 0.002


def test_arms_track_their_setpoints_closely(unit: tuple[SimSystem, UnitReport, Path]) -> None:
    sim, _, _ = unit
    for arm in sim.arms.values():
        stats = arm.tracking_error()
        assert stats.samples > 1000
        assert stats.max_abs < 0.01, f"{arm.name}: {stats}"
        assert not arm.read().faults


def test_an_image_of_the_cell_is_written(unit: tuple[SimSystem, UnitReport, Path]) -> None:
    _, _, image = unit
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
