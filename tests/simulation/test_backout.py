"""Backing a screw out: a reverse curve, the hole emptied for a normal first drive, joints released."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest
from _cell import running
from _unit import Operator

from cellctl.hw import BackOutCommand, ToolResult
from sim import FailureKind, FailurePlan, SimSystem
from sim.holes import HoleState

pytestmark = pytest.mark.sim

JOINTS = {("mid_frame", "main_board")}


@dataclass
class Story:
    """Results and hole states along one scripted sequence at h1 and h2."""

    sim: SimSystem
    operator: Operator
    results: dict[str, ToolResult] = field(default_factory=dict)
    holes: dict[str, dict[str, HoleState]] = field(default_factory=dict)
    joints: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def record(self, label: str, result: ToolResult) -> None:
        assert self.sim.holes is not None
        self.results[label] = result
        self.holes[label] = {name: HoleState(**vars(state)) for name, state in self.sim.holes.state.items()}
        self.joints[label] = set(self.sim.holes.joints)


@pytest.fixture(scope="module")
def story() -> Iterator[Story]:
    with running(seed=7, failures=FailurePlan(holes={"h1": FailureKind.CROSS_THREAD})) as (sim, operator):
        s = Story(sim, operator)
        operator.frame_in_nest()
        for label, hole, action in (("cross", "h1", "drive"), ("out_cross", "h1", "back_out"),
                                    ("redrive", "h1", "drive"), ("h2", "h2", "drive"),
                                    ("out_h1", "h1", "back_out"), ("out_h2", "h2", "back_out"),
                                    ("out_empty", "h2", "back_out")):
            if action == "drive":
                assert operator.pick_screw().ok
            s.record(label, getattr(operator, action)(hole))
        yield s


def test_a_cross_threaded_screw_is_backed_out_with_a_reverse_curve(story: Story) -> None:
    cross, out = story.results["cross"], story.results["out_cross"]
    assert cross.failure_class == "cross_thread"
    assert out.ok and out.status == "OK" and out.failure_class is None, out.message
    assert np.allclose(np.diff(out.curve_time), 1e-3)
    assert np.all(np.diff(out.curve_angle) < 0)
    assert out.curve_angle[-1] == pytest.approx(-cross.angle, abs=4.0)  # the driven angle undone
    peak = -out.curve_torque.min()
    assert 0.7 * cross.torque <= peak <= 1.05 * cross.torque  # breakaway: a loosening peak ...
    assert abs(out.torque) < 0.05 * peak  # ... then about zero
    assert out.torque == out.curve_torque[-1] and out.angle == out.curve_angle[-1]


def test_a_backed_out_hole_is_empty_and_keeps_its_attempt_count(story: Story) -> None:
    state = story.holes["out_cross"]["h1"]
    assert state.screw_body is None and not state.tight and state.attempts == 1
    assert [e.subject for e in story.sim.events.all("screw_backed_out")][:1] == ["h1"]


def test_the_retry_after_a_back_out_is_a_normal_ok_drive(story: Story) -> None:
    result = story.results["redrive"]
    program = story.sim.cell.holes["h1"].program
    assert result.ok and result.failure_class is None, result.message
    assert program.torque_min <= result.torque <= program.torque_max
    assert program.angle_min <= result.angle <= program.angle_max
    assert np.allclose(np.diff(result.curve_time), 1e-3)
    assert story.holes["redrive"]["h1"].tight and story.holes["redrive"]["h1"].attempts == 2
    assert story.joints["redrive"] == JOINTS


def test_removing_an_ok_screw_keeps_joints_another_ok_screw_makes(story: Story) -> None:
    assert story.results["out_h1"].ok and story.results["out_h2"].ok
    assert story.joints["out_h1"] == JOINTS  # h2 still joins the parts
    assert story.joints["out_h2"] == set()  # the last OK screw is gone
    assert [e.subject for e in story.sim.events.all("unjoined")] == ["main_board"]


def test_backing_out_an_empty_hole_is_a_no_screw_nok(story: Story) -> None:
    result = story.results["out_empty"]
    assert not result.ok and result.failure_class == "no_screw" and "h2" in result.message
    assert story.holes["out_empty"] == story.holes["out_h2"]


def test_backing_out_away_from_a_hole_is_a_no_hole_nok(story: Story) -> None:
    sim, operator = story.sim, story.operator
    operator.home("screwer")
    result = sim.wait_for(sim.arms["screwer"].tool_command(BackOutCommand(3)), 1.0)
    assert not result.ok and result.failure_class == "no_hole" and "nearest hole" in result.message


def test_a_completed_command_id_returns_its_result_without_acting_again(story: Story) -> None:
    sim = story.sim
    first = story.results["out_h1"]
    assert sim.holes is not None
    before = {name: HoleState(**vars(state)) for name, state in sim.holes.state.items()}
    handle = sim.arms["screwer"].tool_command(BackOutCommand(3), command_id=first.command_id)
    assert handle.done() and handle.result(0.0) is first
    assert sim.holes.state == before
