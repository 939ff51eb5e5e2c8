"""The reference controller model: trajectory time, override ramps, controlled stop, underrun."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.hw.player import RAMP_SHARE, PlayerLimits, Refusal, TrajectoryPlayer, ramp_duration
from cellctl.motion import JointLimits, plan_ptp

pytestmark = pytest.mark.unit

DT = 1e-3
LIMITS = PlayerLimits(np.array([1.5, 1.5, 2.0]), np.array([5.0, 4.0, 8.0]), np.array([60.0, 50.0, 100.0]),
                      capacity=20_000)
GOAL = np.array([1.0, -0.8, 1.5])


def _knots(start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A planned PTP motion within 1 - RAMP_SHARE of the limits, sampled at 1 kHz from ``start``."""
    share = 1.0 - RAMP_SHARE
    limits = JointLimits(LIMITS.velocity, LIMITS.acceleration * share, LIMITS.jerk * share)
    motion = plan_ptp(np.zeros(3), GOAL, limits)
    n = round(motion.duration / DT)
    t = np.arange(1, n + 1) * motion.duration / n
    return start + 0.01 + t, motion.sample(t).position


def _play(player: TrajectoryPlayer, until: float, events: dict[float, float] | None = None
          ) -> tuple[np.ndarray, np.ndarray, list]:
    """Tick at 1 kHz up to ``until``; ``events`` maps clock times to override targets."""
    events = dict(events or {})
    ticks = np.arange(1, round(until / DT) + 1) * DT
    positions, taus, samples = [], [], []
    for t in ticks:
        for at in [a for a in events if a <= t]:
            player.set_override(at, events.pop(at))
        sample = player.advance(float(t))
        positions.append(sample.position)
        taus.append(player.tau)
        samples.append(sample)
    return np.array(positions), np.array(taus), samples


def _player() -> TrajectoryPlayer:
    player = TrajectoryPlayer(np.zeros(3), LIMITS, 0.0)
    times, positions = _knots()
    assert player.check(times, positions) is None
    player.append(times, positions, final=True)
    return player


@settings(max_examples=25, deadline=None)
@given(pause_at=st.floats(0.05, 1.2), hold=st.floats(0.0, 0.5))
def test_a_pause_only_slows_the_arm_down_along_its_path(pause_at: float, hold: float) -> None:
    player = _player()
    duration = ramp_duration(1.0, np.abs(GOAL) * 2, LIMITS)  # an upper bound for this path's speed
    resume_at = pause_at + duration + hold
    paused, taus, samples = _play(player, resume_at + 4.0, {pause_at: 0.0, resume_at: 1.0})

    reference = _player()
    times, knots = _knots()
    # where the unpaused arm is at each trajectory time the paused one reached
    expected = np.column_stack([np.interp(taus, np.concatenate(([0.0], times)),
                                          np.concatenate(([0.0], knots[:, j]))) for j in range(3)])
    assert np.abs(paused - expected).max() < 1e-9
    assert not any(s.underrun for s in samples)
    assert np.allclose(paused[-1], GOAL, atol=1e-12)  # resume went on to the end
    assert reference.queue_depth == len(times)


def test_a_pause_stops_within_its_ramp_and_holds() -> None:
    player = _player()
    _play(player, 0.6)
    duration = player.set_override(0.6, 0.0)
    assert 0.02 <= duration <= 2.0
    for t in np.arange(0.601, 0.6 + duration + 0.0005, DT):
        player.advance(float(t))
    tau = player.tau
    sample = player.advance(0.6 + duration + 0.5)
    assert player.tau == pytest.approx(tau, abs=1e-12)
    assert not sample.velocity.any() and player.queue_depth > 0 and not sample.underrun


def test_the_ramp_keeps_each_joint_within_its_acceleration_limit() -> None:
    """A constant-speed path (no acceleration of its own): the pause's deceleration alone must
    stay within the share of the limits a ramp may use."""
    player = TrajectoryPlayer(np.zeros(3), LIMITS, 0.0)
    speed = LIMITS.velocity * 0.9
    times = 0.01 + np.arange(1, 3001) * DT
    player.append(times, np.outer(times - 0.01, speed), final=True)
    positions, _, _ = _play(player, 1.0, {0.5: 0.0})
    acceleration = np.diff(positions[400:], 2, axis=0) / DT**2  # from 0.4 s: at speed, then the pause
    assert np.all(np.abs(acceleration).max(axis=0) <= RAMP_SHARE * LIMITS.acceleration * 1.02)
    assert np.abs(acceleration).max() > 0.1  # it did decelerate


def test_a_paused_open_stream_never_underruns_and_a_running_one_does() -> None:
    player = TrajectoryPlayer(np.zeros(3), LIMITS, 0.0)
    times = 0.01 + np.arange(1, 101) * DT
    player.append(times, np.outer(times, [0.1, 0.1, 0.1]), final=False)
    _, _, samples = _play(player, 0.05, {0.02: 0.0})
    assert not any(s.underrun for s in samples)
    player.set_override(0.05, 1.0)
    _, _, samples = _play(player, 0.4)
    assert sum(s.underrun for s in samples) == 1


def test_a_controlled_stop_ends_on_the_path_and_drops_the_queue() -> None:
    player = _player()
    _play(player, 0.5)
    duration = player.stop(0.5)
    assert player.stopping and duration > 0
    positions, taus, samples = _play(player, 0.5 + duration + 0.01)
    assert any(s.stopped for s in samples) and player.queue_depth == 0 and not player.stopping
    times, knots = _knots()
    stop_tau = taus[[s.stopped for s in samples].index(True)]
    expected = [np.interp(stop_tau, times, knots[:, j]) for j in range(3)]
    assert np.allclose(player.position, expected, atol=1e-9)


@pytest.mark.parametrize(("case", "refusal"), [
    ("late", Refusal.LATE), ("overlap", Refusal.NOT_MONOTONIC), ("fast", Refusal.VELOCITY),
    ("many", Refusal.OVERFLOW), ("dof", Refusal.DOF),
])
def test_bad_knots_are_refused_with_their_reason(case: str, refusal: Refusal) -> None:
    player = _player()
    player.advance(0.5)
    last = player.last_time
    assert last is not None
    batches = {
        "late": (np.array([0.2]), np.zeros((1, 3))),
        "overlap": (np.array([last]), GOAL[None, :]),
        "fast": (np.array([last + DT]), GOAL[None, :] + 1.0),
        "many": (last + np.arange(1, 20_001) * DT, np.tile(GOAL, (20_000, 1))),
        "dof": (np.array([last + DT]), np.zeros((1, 4))),
    }
    if case == "late":  # on an empty queue: not after the arm's trajectory time now
        player = TrajectoryPlayer(np.zeros(3), LIMITS, 0.0)
        player.advance(0.5)
    found = player.check(*batches[case])
    assert found is not None and found[0] is refusal, found
