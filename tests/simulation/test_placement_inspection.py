"""The camera inspection in the simulation: a shifted or missing board is caught, a small shift is not;
a real cell's image read from a file is measured by the same code."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from cellctl.cli.backends import parse_injections
from cellctl.cli.execute import RunOptions, cell_session
from cellctl.config import load_cell
from cellctl.config.cell_loader import demo_cell_path
from cellctl.hw import HardwareError, HardwareSystem
from cellctl.recipe import load_recipe

pytestmark = pytest.mark.sim

RECIPE = demo_cell_path().with_name("placement.yaml")


def _run(tmp_path: Path, inject: str | None) -> tuple[object, list[dict], object]:
    options = RunOptions(db=tmp_path / "j.db", inject=parse_injections(inject), quiet=True)
    with cell_session(load_recipe(RECIPE), load_cell(), options) as (supervisor, _system, journal):
        summary = supervisor.run(1)
        return summary, journal.inspections(), journal.steps(1)


def _board(rows: list[dict]) -> dict:
    return next(r for r in rows if r["part"] == "main_board")


def test_a_board_shifted_by_0_8_mm_fails_the_step_with_a_picture(tmp_path: Path) -> None:
    summary, rows, steps = _run(tmp_path, "shift:main_board=0.8mm")
    board = _board(rows)
    assert summary.units_nok == 1 and summary.units_ok == 0
    assert board["ok"] == 0 and board["problem"] == "shifted"
    assert board["dx"] == pytest.approx(0.8, abs=0.15) and abs(board["dy"]) < 0.15
    assert Path(board["image"]).is_file() and Path(board["image"]).parent == tmp_path / "j-inspections"
    inspect = next(s for s in steps if s.kind == "inspect")
    assert inspect.result == "FAILED" and "main_board shifted: x +0." in inspect.detail and board["image"] in inspect.detail
    frame = next(r for r in rows if r["part"] == "mid_frame")
    assert frame["ok"] == 1, "the frame under it is in place"


def test_a_missing_board_fails_the_step(tmp_path: Path) -> None:
    summary, rows, _ = _run(tmp_path, "missing:main_board")
    board = _board(rows)
    assert summary.units_nok == 1
    assert board["ok"] == 0 and board["problem"] == "missing" and board["dx"] is None


def test_a_board_shifted_by_0_1_mm_is_not_flagged(tmp_path: Path) -> None:
    summary, rows, _ = _run(tmp_path, "shift:main_board=0.1mm@90")
    board = _board(rows)
    assert summary.units_ok == 1 and summary.units_nok == 0
    assert board["ok"] == 1 and board["image"] is None
    assert board["dy"] == pytest.approx(0.1, abs=0.15)


def test_an_image_from_a_file_is_measured_by_the_same_code(tmp_path: Path) -> None:
    from sim import SimSystem
    from cellctl.vision import PartTarget, PinholeCamera, measure_part
    from dataclasses import replace

    cell = load_cell()
    system = SimSystem(cell)
    system.configure()
    try:
        spec = cell.cameras["nest_cam"]
        rendered = system.capture(spec, "PH-000007")
    finally:
        system.shutdown()
    matplotlib.image.imsave(tmp_path / "PH-000007.png", rendered)
    from_file = replace(spec, source="{serial}.png", base_dir=tmp_path)
    from firmware_bridge.backend import SerialSystem
    from firmware_bridge.cell import ControllerSet

    assert SerialSystem.capture is ControllerSet.capture is HardwareSystem.capture  # the serial backends' way
    loaded = HardwareSystem.capture(system, from_file, "PH-000007")
    assert np.array_equal(loaded, rendered)
    camera = PinholeCamera(*spec.resolution, spec.fov, spec.pose.matrix)
    tray = system.cell.stations["board_tray"].pose.matrix.copy()
    tray[2, 3] += cell.parts["main_board"].height / 2
    # the board lies in its tray, outside this camera's view: not found either way, the same way
    target = PartTarget("main_board", tray, tuple(cell.parts["main_board"].size))
    assert measure_part(loaded, camera, target).missing_sides == measure_part(rendered, camera, target).missing_sides
    with pytest.raises(HardwareError, match="camera nest_cam: no image of unit PH-000008 at .*PH-000008.png"):
        HardwareSystem.capture(system, from_file, "PH-000008")
    wrong = replace(from_file, resolution=(320, 200))
    with pytest.raises(HardwareError, match="is 640 x 400 px, the cell says 320 x 200"):
        HardwareSystem.capture(system, wrong, "PH-000007")
