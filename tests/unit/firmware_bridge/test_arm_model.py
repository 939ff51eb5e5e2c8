"""The emulated arm: following, controlled stop along the path, e-stop, underrun, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.hw.types import ArmMode
from cellctl.hw.player import ramp_duration
from firmware_bridge.arm_model import ArmLimits, ArmModel
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import SETPOINTS_END, Setpoints

pytestmark = pytest.mark.unit


def _line(start_us: int, count: int, step_us: int = 1000, end: bool = True, gen: int = 0) -> Setpoints:
    times = start_us + np.arange(1, count + 1, dtype=np.int64) * step_us
    positions = np.outer(np.arange(1, count + 1), np.full(3, 10_000)).astype(np.int32)  # 1 mrad per knot
    return Setpoints(gen, SETPOINTS_END if end else 0, times, positions)


@pytest.fixture
def arm() -> tuple[ArmModel, list]:
    played: list = []
    model = ArmModel(ArmLimits(dof=3, queue_capacity=100, acceleration=100.0, jerk=10_000.0),
                     on_played=lambda t, q: played.append((t, q.tolist())))
    model.enable(True, 0)
    return model, played


def test_joints_pass_exactly_through_every_setpoint(arm):
    model, played = arm
    assert model.accept(_line(0, 50), 0) is ErrorCode.OK
    model.step(25_500)
    assert model.mode is ArmMode.FOLLOWING
    assert np.allclose(model.positions, 0.0255)
    assert np.allclose(model.velocities, 1.0)
    model.step(60_000)
    assert model.mode is ArmMode.IDLE
    assert [t for t, _ in played] == list(range(1000, 50_001, 1000))
    assert model.positions.tolist() == [0.05, 0.05, 0.05]


def test_controlled_stop_decelerates_along_the_path(arm):
    model, _ = arm
    model.accept(_line(0, 50), 0)
    model.step(10_000)
    model.stop(False, 10_000)
    model.step(15_000)
    assert model.mode is ArmMode.STOPPING and 0 < model.velocities[0] < 1.0
    ramp = ramp_duration(1.0, np.ones(3), model.limits.player_limits(), share=1.0)
    model.step(10_000 + int(ramp * 1e6) + 1000)
    assert model.mode is ArmMode.IDLE and model.faults == []
    # 10 ms at full speed, then the quintic ramp from 1 to 0 covers half its duration of path
    assert model.positions[0] == pytest.approx(0.010 + ramp / 2, abs=2e-6)
    assert model.queue_depth == 0


def test_emergency_stop_halts_at_once_and_latches(arm):
    model, _ = arm
    model.accept(_line(0, 50), 0)
    model.step(10_000)
    model.stop(True, 10_000)
    assert model.mode is ArmMode.ESTOPPED and not model.velocities.any()
    assert model.accept(_line(20_000, 5), 20_000) is ErrorCode.FAULT_LATCHED
    model.reset()
    assert model.mode is ArmMode.IDLE


def test_queue_running_dry_mid_motion_latches_underrun(arm):
    model, _ = arm
    model.accept(_line(0, 5, end=False), 0)
    model.step(10_000)
    assert model.mode is ArmMode.FAULTED and model.faults == [ErrorCode.QUEUE_UNDERRUN]


@pytest.mark.parametrize(
    ("batch", "now", "code"),
    [(_line(0, 5), 2_000, ErrorCode.SETPOINT_LATE), (_line(0, 200), 0, ErrorCode.QUEUE_OVERFLOW),
     (_line(0, 5, step_us=1), 0, ErrorCode.VELOCITY_LIMIT)],
)
def test_bad_batches_are_refused_with_a_code(arm, batch, now, code):
    model, _ = arm
    assert model.accept(batch, now) is code
    assert model.queue_depth == 0 and model.processed == len(batch.times)


def test_setpoints_from_before_a_stop_are_discarded(arm):
    model, _ = arm
    model.gen = 1
    assert model.accept(_line(0, 5, gen=0), 0) is ErrorCode.OK
    assert model.queue_depth == 0


def test_disabled_arm_refuses_motion(arm):
    model, _ = arm
    model.enable(False, 0)
    assert model.accept(_line(0, 5), 0) is ErrorCode.NOT_ENABLED
