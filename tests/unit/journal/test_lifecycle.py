"""What the journal says about unfinished units: part locations replayed from steps, holdings,
what must be cleared out, and operator decisions on holes whose outcome is unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config import demo_cell_path, load_cell
from cellctl.hw import ScrewProgram
from cellctl.journal import Journal
from cellctl.journal.lifecycle import Location, decide, decisions, needing_clearout, open_units, unit_state

pytestmark = pytest.mark.unit

CELL = load_cell(demo_cell_path())
PARTS = ("mid_frame", "main_board", "cover")
ARMS = ("loader", "screwer")
PROGRAM = ScrewProgram(3, 0.15, 0.13, 0.17, 2700.0, 3400.0)


def _step(journal: Journal, unit: int, path: str, kind: str, arm: str, target: str, ok: bool = True) -> None:
    step = journal.start_step(unit, path, kind, arm, target, 0, 0.0)
    journal.end_step(step, "OK" if ok else "FAILED", None, 1.0)


# An operation: ("pick", arm, part) or ("place", arm, part, where) with where "station/slot" or a part.
@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, ...]]:
    held: dict[str, str] = {}  # arm -> part
    onto: dict[str, str] = {}  # part -> part below
    ops: list[tuple[str, ...]] = []
    for _ in range(draw(st.integers(0, 12))):
        free_arms = [a for a in ARMS if a not in held]
        loose = [p for p in PARTS if p not in held.values() and p not in onto.values()]
        choices = []
        if free_arms and loose:
            choices.append("pick")
        if held:
            choices.append("place")
        if not choices:
            break
        if draw(st.sampled_from(choices)) == "pick":
            arm, part = draw(st.sampled_from(free_arms)), draw(st.sampled_from(loose))
            held[arm] = part
            onto.pop(part, None)
            ops.append(("pick", arm, part))
        else:
            arm = draw(st.sampled_from(sorted(held)))
            part = held.pop(arm)
            bases = [p for p in PARTS if p != part and p not in held.values()]
            if bases and draw(st.booleans()):
                below = draw(st.sampled_from(bases))
                onto[part] = below
                ops.append(("place", arm, part, below))
            else:
                ops.append(("place", arm, part, draw(st.sampled_from(["nest/unit", "nok_tray/s0", "ok_tray/s0"]))))
    return ops


@settings(max_examples=60, deadline=None)
@given(ops=operations(), failed_at=st.integers(0, 20))
def test_locations_replay_the_steps_that_ended_ok(tmp_path_factory: pytest.TempPathFactory,
                                                  ops: list[tuple[str, ...]], failed_at: int) -> None:
    with Journal(tmp_path_factory.mktemp("j") / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "c", 0.0)
        expected: dict[str, Location] = {}
        for i, op in enumerate(ops):
            ok = i != failed_at  # a FAILED step moves nothing
            if op[0] == "pick":
                _step(journal, unit.id, f"0.{i}", "pick", op[1], op[2], ok)
                if ok:
                    expected[op[2]] = Location(arm=op[1])
            else:
                where = op[3]
                _step(journal, unit.id, f"0.{i}", "place", op[1], f"{op[2]}@{where}", ok)
                if ok:
                    station, _, slot = where.partition("/")
                    expected[op[2]] = Location(station=station, slot=slot) if slot else Location(onto=where)
        state = unit_state(journal, unit)
    assert state.moved == expected
    assert state.held() == {loc.arm: part for part, loc in expected.items() if loc.arm}
    for part in expected:
        base = state.base_of(part)
        assert state.moved.get(base, Location()).onto is None  # the bottom of the stack rests on no part


def _steps(journal: Journal, unit: int, *steps: tuple[str, str]) -> None:
    """The loader's OK steps, in order: (kind, target)."""
    for i, (kind, target) in enumerate(steps):
        _step(journal, unit, f"0.{i}", kind, "loader", target)


def test_an_aborted_unit_with_a_stack_in_the_nest_needs_a_clear_out(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "c", 0.0)
        _steps(journal, unit.id, ("pick", "mid_frame"), ("place", "mid_frame@nest/unit"), ("pick", "main_board"))
        assert [s.unit.serial for s in open_units(journal)] == [unit.serial]
        assert needing_clearout(journal, CELL) is None  # still open: resumed, not cleared
        journal.end_unit(unit.id, "ABORTED", "aborted by the operator", 2.0)
        state = needing_clearout(journal, CELL)
        assert state is not None and sorted(state.left_in_cell(CELL)) == ["main_board", "mid_frame"]
        assert state.held() == {"loader": "main_board"}
        # The clear-out's steps are journaled under the unit: after them nothing is left.
        _step(journal, unit.id, "recover.return.main_board", "place", "loader", "main_board@board_tray/s0")
        _step(journal, unit.id, "recover.pick.mid_frame", "pick", "loader", "mid_frame")
        _step(journal, unit.id, "recover.place.mid_frame", "place", "loader", "mid_frame@nok_tray/s0")
        assert needing_clearout(journal, CELL) is None
        assert open_units(journal) == []


def test_a_nok_unit_on_the_nok_tray_needs_no_clear_out(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "c", 0.0)
        _steps(journal, unit.id, ("pick", "mid_frame"), ("place", "mid_frame@nest/unit"), ("pick", "main_board"),
               ("place", "main_board@mid_frame"), ("pick", "mid_frame"), ("place", "mid_frame@nok_tray/s0"))
        journal.end_unit(unit.id, "NOK", "screw h2 NOK", 2.0)
        assert needing_clearout(journal, CELL) is None
        assert unit_state(journal, unit).station_of("main_board") == "nok_tray"  # it travelled with its base


@pytest.mark.parametrize("decision, status, result", [("accept", "OK", "RUNNING"), ("redo", "VOID", "RUNNING"),
                                                       ("reject", "NOK", "NOK")])
def test_an_operator_decision_on_an_unknown_outcome_is_journaled_and_applied(tmp_path: Path, decision: str,
                                                                             status: str, result: str) -> None:
    with Journal(tmp_path / "j.db") as journal:
        unit = journal.start_unit("PH", "r", "1", "c", 0.0)
        tightening = journal.start_tightening(unit.id, None, "h2", 0, "m14", PROGRAM, 77, 0.0)
        journal.set_tightening_status(tightening, "UNKNOWN", "outcome_unknown")
        assert [t.hole for t in unit_state(journal, unit).unknown_holes] == ["h2"]
        with pytest.raises(ValueError, match="h1"):
            decide(journal, unit, "h1", decision, "alice", 1.0)
        with pytest.raises(ValueError, match="operator"):
            decide(journal, unit, "h2", decision, "", 1.0)
        decide(journal, unit, "h2", decision, "alice", 1.0)
        (record,) = journal.tightenings(unit.id)
        assert record.status == status and record.final == (status != "VOID")
        assert [(d.hole, d.command_id, d.decision, d.operator) for d in decisions(journal)] == [
            ("h2", 77, decision, "alice")]
        assert unit_state(journal, unit).unknown_holes == []
        assert journal.unit(unit.id).result == result
        with pytest.raises(ValueError, match="no hole 'h2'"):  # decided once
            decide(journal, unit, "h2", "accept", "bob", 2.0)
