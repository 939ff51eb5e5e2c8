"""The clear-out: a recipe's ``recover:`` section (parsed, validated like the steps) and the plan
made from the journal's part locations when a recipe has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.config import demo_cell_path, load_cell
from cellctl.journal import UnitRecord
from cellctl.journal.lifecycle import Location, UnitState
from cellctl.recipe import parse_recipe
from cellctl.recipe import model as rm
from cellctl.recipe.validate import validate
from cellctl.supervisor.clearout import ClearOutError, plan_steps, reject_tray

pytestmark = pytest.mark.unit

CELL = load_cell(demo_cell_path())
HEAD = """\
version: 1
recipe: r
steps:
  sequence:
    - pick: {arm: loader, part: mid_frame}
    - place: {arm: loader, part: mid_frame, station: nest, slot: unit}
"""
UNIT = UnitRecord(1, "PH-000001", "r", "1", "c", 0.0, 1.0, 0.0, 1.0, "ABORTED", None)


def test_a_recover_section_is_parsed_and_validated_with_its_line() -> None:
    recipe = parse_recipe(HEAD + """\
recover:
  sequence:
    - pick: {arm: loader, part: mid_frame}
    - place: {arm: loader, part: mid_frame, station: reject_bin, slot: s0}
""", "r.yaml")
    assert recipe.recover is not None and recipe.recover.path == "recover"
    assert [s.path for s in recipe.leaves()][-2:] == ["recover.0", "recover.1"]
    problems = [str(p) for p in validate(recipe, CELL).problems]
    assert any(p.startswith("r.yaml:10:") and "station 'reject_bin' is not in the cell" in p for p in problems), problems


def test_without_a_recover_section_the_clear_out_follows_the_journal() -> None:
    recipe = parse_recipe(HEAD, "r.yaml")
    assert recipe.recover is None
    state = UnitState(UNIT, moved={"mid_frame": Location(station="nest", slot="unit"),
                                   "main_board": Location(onto="mid_frame"),
                                   "cover": Location(arm="loader")},
                      pickers={"mid_frame": "loader", "main_board": "loader", "cover": "loader"})
    steps = plan_steps(state, CELL, recipe)
    described = [(type(s).__name__, s.path, s.arm, getattr(s, "station", None)) for s in steps]
    assert described == [
        ("Place", "recover.return.cover", "loader", "cover_tray"),  # never placed: back where it came from
        ("Pick", "recover.pick.mid_frame", "loader", None),  # the stack in the nest …
        ("Place", "recover.place.mid_frame", "loader", "nok_tray"),  # … to the reject tray
    ]


def test_a_held_stack_goes_to_the_reject_tray_and_nothing_on_a_tray_moves() -> None:
    recipe = parse_recipe(HEAD, "r.yaml")
    state = UnitState(UNIT, moved={"mid_frame": Location(arm="loader"), "main_board": Location(onto="mid_frame"),
                                   "cover": Location(station="cover_tray", slot="s0")})
    steps = plan_steps(state, CELL, recipe)
    assert [(s.path, s.station, s.slot) for s in steps if isinstance(s, rm.Place)] == [
        ("recover.place.mid_frame", "nok_tray", "s0")]
    assert not any(isinstance(s, rm.Pick) for s in steps)


def test_a_cell_without_an_output_tray_cannot_be_cleared_automatically(tmp_path: Path) -> None:
    text = demo_cell_path().read_text().replace("type: output_tray", "type: input_tray")
    (tmp_path / "cell.yaml").write_text(text)
    for name in ("robots",):
        source = demo_cell_path().parent / name
        if source.exists():
            (tmp_path / name).symlink_to(source)
    cell = load_cell(tmp_path / "cell.yaml")
    with pytest.raises(ClearOutError, match="no output tray"):
        reject_tray(cell)
    assert reject_tray(CELL) == ("nok_tray", "s0")
