"""Streaming planned motion to an arm, under a speed override that pauses along the path.

A planned motion is a function of *path time* τ. The stream sends setpoints for the next few
control periods only (``horizon``), mapping the backend's clock t to τ through the override
o(t) in [0, 1]: dτ/dt = o. Pausing ramps o to 0 with a jerk-limited profile, so the arm slows
down and stops *on the planned path*; resuming ramps it back to 1 and the motion continues
exactly where it stopped. Positions always come from the plan, whatever o does.
"""

from __future__ import annotations

import numpy as np

from cellctl.hw import ArmInterface
from cellctl.motion import JointLimits, SampledMotion, plan_ptp

SERVO_RATE = 1000.0  # Hz of the setpoints sent to the arm
LEAD = 0.06          # s between now and the first setpoint of a motion (covers planning and the link)
HORIZON = 0.5        # s of setpoints queued ahead: covers a host stall of that long; a pause
                     # starts slowing the motion within this time

# How fast the override may change (per s, s², s³): a full stop takes about 0.3 s.
_OVERRIDE_LIMITS = JointLimits([5.0], [30.0], [400.0])


class Override:
    """The speed override o(t): jerk-limited moves between 1 (run) and 0 (paused)."""

    def __init__(self, now: float) -> None:
        self._t0 = now
        self._plan = plan_ptp([1.0], [1.0], _OVERRIDE_LIMITS)
        self.target = 1.0

    def set_target(self, now: float, target: float) -> None:
        """Start moving o towards ``target`` from its current state."""
        if target == self.target:
            return
        state = self._plan.state_at(now - self._t0)
        self._plan = plan_ptp(state.position, [target], _OVERRIDE_LIMITS, state.velocity, state.acceleration)
        self._t0 = now
        self.target = target

    def values(self, times: np.ndarray) -> np.ndarray:
        return np.clip(self._plan.sample(times - self._t0).position[:, 0], 0.0, 1.0)

    def at_rest(self, now: float) -> bool:
        """True when o has reached its target."""
        return now - self._t0 >= self._plan.duration


class MotionStream:
    """Feeds one planned motion to an arm a horizon at a time (see module docstring)."""

    def __init__(self, arm: ArmInterface, motion: SampledMotion, now: float) -> None:
        self.arm = arm
        self.motion = motion
        self.tau = 0.0
        self._dt = 1.0 / SERVO_RATE
        self._next = now + LEAD           # system time of the next setpoint to send
        self._last_o = 1.0
        self.finished_sending = False

    @property
    def end_time(self) -> float:
        """System time of the last setpoint sent."""
        return self._next - self._dt

    def pump(self, now: float, override: Override) -> None:
        """Send setpoints up to ``now + HORIZON`` (raises MotionRefused if the arm refuses)."""
        if self.finished_sending:
            return
        count = int(np.floor((now + HORIZON - self._next) / self._dt)) + 1
        if count <= 0:
            return
        times = self._next + self._dt * np.arange(count)
        o = override.values(times)
        # Trapezoidal integration of dτ/dt = o, continuing from the last setpoint.
        steps = 0.5 * (np.concatenate(([self._last_o], o[:-1])) + o) * self._dt
        taus = self.tau + np.cumsum(steps)
        end = np.searchsorted(taus, self.motion.duration)
        final = end < count
        if final:
            times, taus = times[: end + 1], taus[: end + 1]
            taus[-1] = self.motion.duration
        positions = self.motion.sample(taus).position
        self.arm.submit(times, positions, final=final)
        self.tau = float(taus[-1])
        self._last_o = float(o[len(taus) - 1])
        self._next = float(times[-1]) + self._dt
        self.finished_sending = final

    def done(self, now: float) -> bool:
        """True once everything was sent and played."""
        return self.finished_sending and now >= self.end_time and not self.arm.read().is_moving
