"""The screwdriver's process model: a torque–angle curve at 1 kHz, then an OK/NOK judgement.

Screws are far too small to simulate as rigid bodies in PyBullet, so a driven screw is this
model, not physics. Stages of a normal tightening:

1. **engage** – the first 90° at 30 % speed while the thread is found;
2. **rundown** – full speed with a small prevailing torque (10 % of the target);
3. **seating** – at the seat angle (thread length / pitch · 360°, ±2 %) the head lands: the speed
   drops to 20 % and the torque rises steeply (the target over ~25°);
4. **final torque** – the driver shuts off at the target torque.

The driver also stops at 105 % of the angle window's maximum or at the program's timeout.
Failure signatures (see :class:`~sim.injection.FailureKind`) change the curve, never the judge:
the judge classifies from the curve alone, as a tightening controller does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cellctl.hw.tools import ScrewProgram
from sim.injection import FailureKind

__all__ = ["ScrewCurve", "simulate_tightening", "judge", "Judgement", "SAMPLE_RATE_HZ"]

SAMPLE_RATE_HZ = 1000.0
ENGAGE_ANGLE = 90.0
"""Degrees driven at engage speed."""
REHIT_ANGLE = 90.0
"""Reaching the target within this many degrees means the screw was already tight."""
NO_SCREW_TORQUE = 0.25
"""A peak below this fraction of the target means nothing was driven (missing screw)."""


@dataclass(frozen=True)
class ScrewCurve:
    """Samples at 1 kHz: time from start (s), torque (N·m), angle (degrees); and why it ended."""

    time: np.ndarray
    torque: np.ndarray
    angle: np.ndarray
    end: str
    """``target`` (shut off at target torque), ``angle_limit`` or ``timeout``."""


@dataclass(frozen=True)
class Judgement:
    """The judge's verdict on a curve."""

    ok: bool
    failure_class: str | None
    message: str


TorqueModel = Callable[[float], tuple[float, float]]


def _torque_model(kind: FailureKind | None, target: float, seat: float, rng: np.random.Generator) -> TorqueModel:
    """A function angle → (torque without noise, speed fraction) for a signature."""
    prevailing = 0.1 * target * (1.0 + 0.1 * rng.standard_normal())
    stiffness = target / 25.0 * (1.0 + 0.05 * rng.standard_normal())
    strip_peak = target * rng.uniform(0.5, 0.7)

    def normal(angle: float) -> tuple[float, float]:
        if angle < ENGAGE_ANGLE:
            return prevailing * 0.5, 0.3
        if angle < seat:
            return prevailing, 1.0
        return prevailing + stiffness * (angle - seat), 0.2

    def missing(angle: float) -> tuple[float, float]:
        return 0.02 * target, 1.0

    def cross_thread(angle: float) -> tuple[float, float]:
        return prevailing + target * angle / (0.35 * seat), 0.3 if angle < ENGAGE_ANGLE else 0.6

    def stripped(angle: float) -> tuple[float, float]:
        torque, speed = normal(angle)
        peak_angle = seat + (strip_peak - prevailing) / stiffness
        if angle <= peak_angle:
            return torque, speed
        return max(0.3 * prevailing, strip_peak - 4.0 * stiffness * (angle - peak_angle)), 0.2

    def rehit(angle: float) -> tuple[float, float]:
        return prevailing + target / 8.0 * angle, 0.2

    def hard_joint(angle: float) -> tuple[float, float]:
        torque, speed = normal(angle)
        return (prevailing + 4.0 * stiffness * (angle - seat), speed) if angle >= seat else (torque, speed)

    def burr(angle: float) -> tuple[float, float]:
        torque, speed = normal(angle)
        return torque + 2.0 * prevailing, speed

    def thread_yield(angle: float) -> tuple[float, float]:
        torque, speed = normal(angle)
        knee = seat + 0.5 * (target - prevailing) / stiffness
        return (torque - 0.6 * stiffness * (angle - knee), speed) if angle > knee else (torque, speed)

    models: dict[FailureKind | None, TorqueModel] = {
        None: normal, FailureKind.MISSING_SCREW: missing, FailureKind.CROSS_THREAD: cross_thread,
        FailureKind.STRIPPED: stripped, FailureKind.REHIT: rehit, FailureKind.HARD_JOINT: hard_joint,
        FailureKind.BURR: burr, FailureKind.THREAD_YIELD: thread_yield,
    }
    return models[kind]


def simulate_tightening(program: ScrewProgram, seat_angle: float, kind: FailureKind | None,
                        rng: np.random.Generator, shutoff: float | None = None) -> ScrewCurve:
    """Run one tightening to its end and return the sampled curve (deterministic for ``rng``).

    ``shutoff``: the torque the driver actually stops at (default the program's target); a drifting
    transducer or a wearing bit is simulated by moving it away from the target.
    """
    seat = seat_angle * (1.0 + 0.02 * (2.0 * rng.random() - 1.0))
    model = _torque_model(kind, program.target_torque, seat, rng)
    full_speed = program.max_speed * 360.0 / 60.0 / SAMPLE_RATE_HZ  # degrees per sample
    limit_angle = 1.05 * program.angle_max
    max_samples = int(program.timeout * SAMPLE_RATE_HZ)
    noise = 0.01 * rng.standard_normal(max_samples)
    stop = program.target_torque if shutoff is None else shutoff
    angle, torques, angles, end = 0.0, [], [], "timeout"
    for i in range(max_samples):
        _, speed = model(angle)
        angle += speed * full_speed
        torque = model(angle)[0] * (1.0 + noise[i])
        torques.append(torque)
        angles.append(angle)
        if torque >= stop:
            end = "target"
            break
        if angle >= limit_angle:
            end = "angle_limit"
            break
    n = len(torques)
    return ScrewCurve(np.arange(1, n + 1) / SAMPLE_RATE_HZ, np.array(torques), np.array(angles), end)


def judge(program: ScrewProgram, curve: ScrewCurve) -> Judgement:
    """Judge a curve against the program's windows and classify failures (module docstring)."""
    torque, angle = float(curve.torque[-1]), float(curve.angle[-1])
    peak = float(curve.torque.max())
    window = (f"torque {torque:.3f} N·m (window {program.torque_min:g}..{program.torque_max:g}), "
              f"angle {angle:.0f}° (window {program.angle_min:g}..{program.angle_max:g})")
    if curve.end == "target":
        if angle < REHIT_ANGLE:
            return Judgement(False, "rehit", f"re-hit: target torque within {angle:.0f}°, the screw was already "
                             f"tight; {window}. Do not count it as a new screw; check the unit's screw count.")
        if angle < program.angle_min:
            return Judgement(False, "cross_thread", f"cross-thread: target torque reached early; {window}. "
                             "Back the screw out and drive a new one; again askew: check the hole position and the bit.")
        if torque > program.torque_max:
            return Judgement(False, "torque_high", f"torque high: {window}. Check the program's speed and target.")
        if angle > program.angle_max:
            return Judgement(False, "angle_high", f"angle high: {window}. Check screw length and hole depth.")
        return Judgement(True, None, f"OK: {window}")
    if peak < NO_SCREW_TORQUE * program.target_torque:
        return Judgement(False, "missing_screw", f"missing screw: the driver spun free (peak {peak:.3f} N·m); "
                         f"{window}. Check the bit's vacuum and the feeder, then retry the hole.")
    if torque < 0.6 * peak:
        return Judgement(False, "stripped", f"stripped thread: torque collapsed after {peak:.3f} N·m; {window}. "
                         "The hole is damaged: send the unit to NOK.")
    if curve.end == "timeout":
        return Judgement(False, "timeout", f"timeout after {curve.time[-1]:.2f} s; {window}.")
    return Judgement(False, "angle_high", f"angle high without reaching the target; {window}.")
