"""The screwdriver's back-out process model: a reverse torque–angle curve at 1 kHz, and its judge.

A back-out turns the spindle in reverse until the screw is free. Angles and torques are
*negative* (the reverse direction), counted from the start of the back-out. Stages:

1. **breakaway** – the preload is released over ``BREAKAWAY_ANGLE`` degrees at 20 % speed: the
   loosening torque climbs to its peak (80–100 % of the torque the screw was left at);
2. **unwind** – full reverse speed with a near-zero prevailing torque (2 % of the peak) until
   the driven angle is undone and the thread lets go;
3. **free** – the driver stops.

It also stops at ``max_angle`` (the screw is not out: NOK ``angle_high``) or at the command's
timeout (NOK ``timeout``). Like the tightening judge, :func:`judge_backout` reads only the curve.
"""

from __future__ import annotations

import numpy as np

from cellctl.hw.tools import BackOutCommand
from sim.screw_model import SAMPLE_RATE_HZ, Judgement, ScrewCurve

__all__ = ["BACKOUT_SPEED_RPM", "simulate_backout", "judge_backout"]

BACKOUT_SPEED_RPM = 600.0
"""Reverse spindle speed, revolutions per minute."""
BREAKAWAY_ANGLE = 8.0
"""Degrees over which the loosening torque builds to its peak."""
PREVAILING = 0.02
"""Unwinding torque as a fraction of the breakaway peak."""


def simulate_backout(command: BackOutCommand, driven_angle: float, left_torque: float,
                     rng: np.random.Generator) -> ScrewCurve:
    """Back out a screw driven ``driven_angle`` degrees and left at ``left_torque`` N·m.

    Returns the curve (negative torque and angle) ending ``free``, ``angle_limit`` or ``timeout``.
    """
    peak = max(abs(left_torque), 1e-3) * rng.uniform(0.8, 1.0)
    full_speed = BACKOUT_SPEED_RPM * 360.0 / 60.0 / SAMPLE_RATE_HZ  # degrees per sample
    free_at = max(abs(driven_angle), BREAKAWAY_ANGLE)
    max_samples = int(command.timeout * SAMPLE_RATE_HZ)
    noise = 0.01 * rng.standard_normal(max_samples)
    angle, torques, angles, end = 0.0, [], [], "timeout"
    for i in range(max_samples):
        breaking = angle < BREAKAWAY_ANGLE
        angle = min(angle + (0.2 if breaking else 1.0) * full_speed, command.max_angle)
        torque = peak * min(angle / BREAKAWAY_ANGLE, 1.0) if breaking else PREVAILING * peak
        torques.append(-torque * (1.0 + noise[i]))
        angles.append(-angle)
        if angle >= free_at:
            end = "free"
            break
        if angle >= command.max_angle:
            end = "angle_limit"
            break
    n = len(torques)
    return ScrewCurve(np.arange(1, n + 1) / SAMPLE_RATE_HZ, np.array(torques), np.array(angles), end)


def judge_backout(command: BackOutCommand, curve: ScrewCurve) -> Judgement:
    """OK when the screw came free; otherwise why not (``angle_high``, ``timeout``)."""
    peak = float(-curve.torque.min())
    angle = float(-curve.angle[-1])
    summary = f"breakaway {peak:.3f} N·m, reversed {angle:.0f}°"
    if curve.end == "free":
        return Judgement(True, None, f"backed out: {summary}")
    if curve.end == "angle_limit":
        return Judgement(False, "angle_high", f"not out after the {command.max_angle:g}° limit ({summary}); "
                         "the screw is still in the hole: raise max_angle and back out again")
    return Judgement(False, "timeout", f"not out after {command.timeout:g} s ({summary}); the screw is still in "
                     "the hole: raise the timeout and back out again")
