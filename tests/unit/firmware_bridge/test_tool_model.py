"""Emulated tools: the tightening process judged against windows; de-duplication by id."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.hw.tools import GRIP_SETTLE, VACUUM_BUILD, GripperAction
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import BackOut, Gripper, Screw, ToolCurve, ToolResultMsg
from firmware_bridge.tool_model import ToolModel, ToolOutput, ToolParams

pytestmark = pytest.mark.unit


def _screw(cid: int = 1, angle_min: float = 600.0, angle_max: float = 900.0, torque_max: float = 0.12) -> Screw:
    return Screw(cid, 3, 100_000, 90_000, round(torque_max * 1e6), round(angle_min * 1e3), round(angle_max * 1e3),
                 600_000, 5_000)


def _run(model: ToolModel, command, until_us: int = 3_000_000) -> ToolOutput:
    out = ToolOutput()
    assert model.start(command, 0, out) is ErrorCode.OK
    for now in range(0, until_us, 1000):
        model.step(now, out)
    return out


def _result(out: ToolOutput) -> ToolResultMsg:
    return next(m for m in out.reliable if isinstance(m, ToolResultMsg))


def test_a_good_screw_is_ok_with_a_1khz_curve():
    out = _run(ToolModel(ToolParams()), _screw())
    result = _result(out)
    assert result.ok and result.code == ErrorCode.OK
    assert 90_000 <= result.torque_unm <= 120_000 and 600_000 <= result.angle_mdeg <= 900_000
    curve = [m for m in out.reliable if isinstance(m, ToolCurve)]
    assert sum(len(c.samples) for c in curve) == result.samples > 200
    assert out.progress


@pytest.mark.parametrize(("program", "code"), [
    (_screw(angle_max=500.0), ErrorCode.ANGLE_HIGH),
    (_screw(angle_min=800.0, angle_max=900.0), ErrorCode.ANGLE_LOW),
])
def test_a_screw_outside_its_window_is_nok(program, code):
    result = _result(_run(ToolModel(ToolParams()), program))
    assert not result.ok and result.code == code


def test_a_repeated_id_never_runs_twice_and_resends_the_result():
    model = ToolModel(ToolParams())
    first = _run(model, _screw(cid=9))
    again = ToolOutput()
    assert model.start(_screw(cid=9), 5_000_000, again) is ErrorCode.OK
    assert not model.busy
    assert _result(again) == _result(first)


def test_busy_tool_refuses_another_command():
    model = ToolModel(ToolParams())
    out = ToolOutput()
    model.start(_screw(cid=1), 0, out)
    assert model.start(_screw(cid=2), 0, out) is ErrorCode.TOOL_BUSY


def test_gripper_without_a_part_reports_no_part():
    result = _result(_run(ToolModel(ToolParams(part_width=0.0)), Gripper(4, GripperAction.CLOSE, 0, 10_000, 50_000)))
    assert not result.ok and result.code == ErrorCode.NO_PART


def test_abort_ends_the_running_command():
    model = ToolModel(ToolParams())
    out = ToolOutput()
    model.start(_screw(), 0, out)
    model.abort(out)
    assert _result(out).code == ErrorCode.TOOL_ABORTED


def test_back_out_reverses_a_driven_screw_with_negative_curve():
    model = ToolModel(ToolParams())
    driven = _result(_run(model, _screw(cid=1)))
    out = _run(model, BackOut(2, 3, 3_600_000, 5_000))
    result = _result(out)
    assert result.ok and result.code == ErrorCode.OK
    assert result.torque_unm < 0 and -result.angle_mdeg >= driven.angle_mdeg
    curve = np.vstack([m.samples for m in out.reliable if isinstance(m, ToolCurve)])
    assert (curve <= 0).all() and abs(result.torque_unm) <= driven.torque_unm


def test_back_out_without_a_screw_is_no_screw():
    result = _result(_run(ToolModel(ToolParams()), BackOut(2, 3, 3_600_000, 5_000)))
    assert not result.ok and result.code == ErrorCode.NO_SCREW


def test_de_duplication_order_finished_before_busy_and_ids_match_with_their_kind():
    model = ToolModel(ToolParams())
    first = _run(model, _screw(cid=9))
    out = ToolOutput()
    assert model.start(_screw(cid=10), 5_000_000, out) is ErrorCode.OK  # now running
    assert model.start(_screw(cid=10), 5_000_000, out) is ErrorCode.OK and model.busy  # running: ignored
    again = ToolOutput()
    assert model.start(_screw(cid=9), 5_000_000, again) is ErrorCode.OK  # finished, while busy: its result
    assert _result(again) == _result(first)
    reused = Gripper(9, GripperAction.OPEN, 20_000, 10_000, 50_000)
    assert model.start(reused, 5_000_000, ToolOutput()) is ErrorCode.COMMAND_ID_REUSED
    assert model.start(Gripper(10, GripperAction.OPEN, 20_000, 10_000, 50_000), 5_000_000,
                       ToolOutput()) is ErrorCode.COMMAND_ID_REUSED
    assert model.start(Gripper(11, GripperAction.OPEN, 20_000, 10_000, 50_000), 5_000_000,
                       ToolOutput()) is ErrorCode.TOOL_BUSY


def test_a_small_history_forgets_old_ids_and_keeps_the_curve_of_the_last_only():
    model = ToolModel(ToolParams(history=2, curve_history=1, curve_samples=50))
    outputs = {cid: _run(model, _screw(cid=cid), until_us=3_000_000 * cid) for cid in (1, 2, 3)}
    assert len([m for m in outputs[3].reliable if isinstance(m, ToolCurve)]) == 4  # 50 samples, 16 a chunk
    assert _result(outputs[3]).samples == 50 and _result(outputs[3]).ok  # judged on the whole run
    resent = ToolOutput()
    model.start(_screw(cid=2), 10_000_000, resent)
    assert [type(m) for m in resent.reliable] == [ToolResultMsg]  # result kept, curve not
    model.start(_screw(cid=1), 10_000_000, ToolOutput())
    assert model.busy  # forgotten: a new command


def test_gripper_progress_is_the_fraction_of_the_travel():
    model = ToolModel(ToolParams(part_width=0.010))
    out = ToolOutput()
    model.start(Gripper(4, GripperAction.CLOSE, 10_000, 10_000, 50_000), 0, out)  # 20 mm -> 10 mm at 50 mm/s
    model.step(100_000, out)  # half way
    assert out.progress[-1].percent == 50


def _finished_at_ms(model: ToolModel, command, start_us: int = 0) -> tuple[ToolResultMsg, int]:
    """Run ``command`` from ``start_us``; its result and the ms it took."""
    out = ToolOutput()
    assert model.start(command, start_us, out) is ErrorCode.OK
    now = start_us
    while model.busy:
        now += 1000
        model.step(now, out)
    return _result(out), (now - start_us) // 1000


@pytest.mark.parametrize("open_mm, part_mm, speed_mm_s", [(70, 66, 50), (70, 40, 100), (30, 29, 20)])
def test_a_gripper_finds_the_part_where_the_close_expects_it_in_the_simulations_time(open_mm, part_mm, speed_mm_s):
    """Travel from the opening to the expected width at the command's speed, then GRIP_SETTLE still:
    the simulated gripper's time for the same command (a unit takes the same time on both backends)."""
    model = ToolModel(ToolParams())
    opened, _ = _finished_at_ms(model, Gripper(1, GripperAction.OPEN, open_mm * 1000, 10_000, speed_mm_s * 1000))
    assert opened.ok and opened.width_um == open_mm * 1000
    closed, took_ms = _finished_at_ms(model, Gripper(2, GripperAction.CLOSE, part_mm * 1000, 10_000, speed_mm_s * 1000),
                                      start_us=10_000_000)
    assert closed.ok and closed.width_um == part_mm * 1000
    travel_ms = (open_mm - part_mm) / speed_mm_s * 1000
    assert abs(took_ms - (travel_ms + GRIP_SETTLE * 1000)) <= 2, (took_ms, travel_ms)


@pytest.mark.parametrize("part_width, code", [(None, ErrorCode.OK), (0.0, ErrorCode.NO_PART)])
def test_a_suction_cup_builds_its_vacuum_in_the_simulations_time(part_width, code):
    model = ToolModel(ToolParams(holding="vacuum", part_width=part_width))
    result, took_ms = _finished_at_ms(model, Gripper(3, GripperAction.CLOSE, 20_000, 10_000, 50_000))
    assert result.code == code and result.width_um == 0
    assert took_ms == round(VACUUM_BUILD * 1000)


def test_the_curve_streams_while_the_screw_runs_and_a_repeat_sends_the_same_chunks():
    """Chunks go out as the samples are taken (the result follows the run's end by one chunk at most,
    however long the curve); together they are the whole curve; a repeated id re-sends them unchanged."""
    model = ToolModel(ToolParams(seed=3))
    out = ToolOutput()
    assert model.start(_screw(cid=21), 0, out) is ErrorCode.OK
    for now in range(0, 200_000, 1000):  # 200 ms: the run is far from done
        model.step(now, out)
    early = [m for m in out.reliable if isinstance(m, ToolCurve)]
    assert model.busy and len(early) >= 10 and not any(isinstance(m, ToolResultMsg) for m in out.reliable)
    assert [c.offset for c in early] == [16 * i for i in range(len(early))]
    now = 200_000
    while model.busy:
        now += 1000
        model.step(now, out)
    chunks = [m for m in out.reliable if isinstance(m, ToolCurve)]
    result = _result(out)
    assert sum(len(c.samples) for c in chunks) == result.samples and out.reliable[-1] == result
    again = ToolOutput()
    assert model.start(_screw(cid=21), now + 1_000_000, again) is ErrorCode.OK
    resent = [m for m in again.reliable if isinstance(m, ToolCurve)]
    assert [(c.offset, c.total, c.samples.tolist()) for c in resent] == [(c.offset, c.total, c.samples.tolist())
                                                                         for c in chunks]
