"""The sim state file's results directory keeps what a resume can need, and no more.

A resumed unit re-sends only its own tool-command ids, and the next kit comes only after its unit
ended: presenting it retires every earlier result. The directory then holds one unit's results
instead of growing by ~175 kB per unit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cell import running

from cellctl.hw import GripperAction, GripperCommand

pytestmark = pytest.mark.sim

OPEN = GripperCommand(GripperAction.OPEN, width=0.08)


def _stored(state_file: Path) -> set[str]:
    return {p.name for p in state_file.with_name(state_file.name + ".results").glob("*.npz")}


def _listed(state_file: Path) -> dict[str, list[int]]:
    data = json.loads(state_file.read_text(encoding="utf-8"))
    return {arm: values["results"] for arm, values in data["arms"].items()}


def test_the_next_kit_prunes_the_results_of_finished_units_and_a_resume_keeps_the_open_ones(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    with running(state_file=state_file) as (sim, _):
        loader = sim.arms["loader"]
        for command_id in (101, 102, 103):
            assert sim.wait_for(loader.tool_command(OPEN, command_id=command_id), 2.0).ok
        sim.checkpoint()
        assert _stored(state_file) == {"loader-101.npz", "loader-102.npz", "loader-103.npz"}
        (tmp_path / "cell.json.results" / "screwer-7.npz").write_bytes(b"left by a crash")  # listed by nothing

        sim.next_kit()
        assert _stored(state_file) == set() and _listed(state_file) == {"loader": [], "screwer": []}
        first = sim.wait_for(loader.tool_command(OPEN, command_id=201), 2.0)
        sim.checkpoint()
        assert _stored(state_file) == {"loader-201.npz"} and _listed(state_file)["loader"] == [201]

    with running(state_file=state_file) as (sim, _):  # after a crash: the open unit's result is still known
        again = sim.wait_for(sim.arms["loader"].tool_command(OPEN, command_id=201), 2.0)
        assert (again.command_id, again.ok, again.message) == (first.command_id, first.ok, first.message)
        sim.next_kit()
        assert _stored(state_file) == set()


def test_units_do_not_grow_the_results_directory(tmp_path: Path) -> None:
    state_file = tmp_path / "cell.json"
    sizes = []
    with running(state_file=state_file) as (sim, _):
        loader = sim.arms["loader"]
        for unit in range(4):
            for k in range(5):
                assert sim.wait_for(loader.tool_command(OPEN, command_id=1000 * (unit + 1) + k), 2.0).ok
            sim.checkpoint()
            sizes.append(len(_stored(state_file)))
            sim.next_kit()
    assert sizes == [5, 5, 5, 5]
