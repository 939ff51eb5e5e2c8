"""The controller's non-volatile memory of tool commands (protocol 3, "Exactly once"): results
and the running id survive a restart, an interrupted id is never driven again, and TOOL_QUERY is
answered without running anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import Gripper, Screw, ToolCurve, ToolQuery, ToolResultMsg
from firmware_bridge.tool_memory import HISTORY, ToolMemory
from firmware_bridge.tool_model import ToolModel, ToolOutput, ToolParams

pytestmark = pytest.mark.unit


def _screw(cid: int) -> Screw:
    return Screw(cid, 3, 100_000, 90_000, 120_000, 600_000, 900_000, 600_000, 5_000)


def _step(model: ToolModel, start_us: int, until_us: int) -> ToolOutput:
    out = ToolOutput()
    for now in range(start_us, until_us, 1000):
        model.step(now, out)
    return out


def _answer(model: ToolModel, cid: int) -> list:
    out = ToolOutput()
    model.query(ToolQuery(cid), out)
    return out.reliable


def test_a_query_never_runs_and_says_not_started(tmp_path: Path) -> None:
    model = ToolModel(ToolParams(), ToolMemory(tmp_path / "nvm.json"))
    (answer,) = _answer(model, 7)
    assert isinstance(answer, ToolResultMsg) and (answer.ok, answer.code) == (0, ErrorCode.NOT_STARTED)
    assert not model.busy and model.memory.drives == {}


def test_a_finished_result_survives_a_restart_and_is_sent_again_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "nvm.json"
    model = ToolModel(ToolParams(), ToolMemory(path))
    out = ToolOutput()
    assert model.start(_screw(5), 0, out) is ErrorCode.OK
    sent = _step(model, 0, 3_000_000).reliable
    assert isinstance(sent[-1], ToolResultMsg) and sent[-1].ok
    restarted = ToolModel(ToolParams(), ToolMemory(path))
    assert _answer(restarted, 5) == sent  # the curve chunks and the result, as first sent
    again = ToolOutput()
    assert restarted.start(_screw(5), 0, again) is ErrorCode.OK
    assert again.reliable == sent and not restarted.busy
    assert restarted.memory.drives == {5: 1}


def test_a_drive_a_restart_interrupted_is_outcome_unknown_and_never_driven_again(tmp_path: Path) -> None:
    path = tmp_path / "nvm.json"
    model = ToolModel(ToolParams(), ToolMemory(path))
    assert model.start(_screw(9), 0, ToolOutput()) is ErrorCode.OK
    _step(model, 0, 100_000)  # mid-rundown: then the power goes
    restarted = ToolModel(ToolParams(), ToolMemory(path))
    (answer,) = _answer(restarted, 9)
    assert (answer.ok, answer.code) == (0, ErrorCode.OUTCOME_UNKNOWN)
    out = ToolOutput()
    assert restarted.start(_screw(9), 0, out) is ErrorCode.OK  # a blind resend …
    assert not restarted.busy and [m.code for m in out.reliable] == [ErrorCode.OUTCOME_UNKNOWN]  # … runs nothing
    assert ToolMemory(path).drives == {9: 1}
    # A second restart still remembers it.
    assert _answer(ToolModel(ToolParams(), ToolMemory(path)), 9)[0].code == ErrorCode.OUTCOME_UNKNOWN


def test_grippers_are_remembered_but_not_counted_as_drives(tmp_path: Path) -> None:
    model = ToolModel(ToolParams(), ToolMemory(tmp_path / "nvm.json"))
    assert model.start(Gripper(3, 0, 20_000, 10_000, 100_000), 0, ToolOutput()) is ErrorCode.OK
    _step(model, 0, 1_000_000)
    assert 3 in model.memory.results and model.memory.drives == {}


def test_the_memory_keeps_the_last_results(tmp_path: Path) -> None:
    memory = ToolMemory(tmp_path / "nvm.json")
    for cid in range(HISTORY + 5):
        memory.start(cid, drives=False)
        memory.finish(cid, [ToolResultMsg(cid, 1, 0, 0, 0, 0, 0)], kind=int(ToolResultMsg.TYPE))
    reloaded = ToolMemory(tmp_path / "nvm.json")
    assert list(reloaded.results) == list(range(5, HISTORY + 5)) and reloaded.running is None
    assert sorted(reloaded.kinds) == list(range(5, HISTORY + 5))  # an id's kind is remembered with it
    assert not reloaded.interrupted
    assert not any(isinstance(m, ToolCurve) for ms in reloaded.results.values() for m in ms)
