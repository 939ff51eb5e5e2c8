"""Streaming planned motion to an arm: deep queues in the arm's trajectory time.

The host is not real-time: a garbage collection, a busy PC or a slow disk stalls it for tens
to hundreds of milliseconds. So the stream keeps ``depth`` seconds of setpoints queued in the
arm's controller (default 2 s, never more than 90 % of what its queue holds) and the controller keeps time.
Setpoints are stamped in the arm's *trajectory time* τ (see :mod:`cellctl.hw.player`), which
the controller advances at the speed override: pause, resume and the operator's speed setting
act in the controller, at once, however much is queued, and the arm stays on its path.

A motion is planned before its stream is made, so its first setpoint is stamped ``lead``
(a parameter of the supervisor, :mod:`cellctl.supervisor.tuning`) after the arm's trajectory time *when it is first sent*, never after a clock reading taken
before planning: however long planning took, the motion starts on time.

Consecutive motions of an arm are *joined*: once a motion's last setpoint is queued, the next
one is planned from that motion's goal while it still plays, and stamped to start one servo
period after it ends (``after``), so the arm goes on without a stop for a new lead. Both
motions rest at the joint, so the join is smooth. Should the next motion reach the controller
after the queue ran dry (a long host stall), it is flagged as a new motion and the controller
starts it from rest at once (protocol §8, rule 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellctl.hw import ArmInterface
from cellctl.motion import SampledMotion
from cellctl.supervisor.tuning import DEFAULT_TUNING

SERVO_RATE = 1000.0
"""Hz of the setpoints sent to an arm."""
DEFAULT_DEPTH = 2.0
"""Seconds of setpoints kept queued ahead of the arm (a host stall shorter than this is harmless)."""
REFILL = 0.1
"""The stream tops the queue up once it has drained this much below ``depth`` (larger chunks,
fewer calls)."""


@dataclass(frozen=True)
class MotionTail:
    """A motion whose setpoints are all queued: where and when (trajectory time) it ends."""

    end_tau: float
    goal: np.ndarray


class MotionStream:
    """Feeds one planned motion to an arm, ``depth`` seconds ahead (see module docstring)."""

    def __init__(self, arm: ArmInterface, motion: SampledMotion, depth: float = DEFAULT_DEPTH, *,
                 after: float | None = None, lead: float = DEFAULT_TUNING.lead) -> None:
        """``after``: the trajectory time of the last setpoint of the motion this one joins
        (``motion`` must start where that one ends); None for a motion from where the arm is.
        ``lead``: trajectory time between the arm's τ when a motion from rest is first sent and
        its first setpoint."""
        self.arm = arm
        self.lead = lead
        self.motion = motion
        self.depth = _capped_depth(arm, depth)
        self._knots = max(1, round(motion.duration * SERVO_RATE))
        self._step = motion.duration / self._knots if motion.duration > 0 else 1.0 / SERVO_RATE
        self._start: float | None = after  # trajectory time of the motion's t = 0
        self._sent = 0                    # knots sent (knot k, 1-based, at motion time k·step)
        self.finished_sending = False
        self.min_margin = math.inf
        """Smallest queue margin seen at a refill, seconds of trajectory time (for benchmarks)."""

    @property
    def end_tau(self) -> float | None:
        """Trajectory time of the motion's last setpoint (None before the first send)."""
        return None if self._start is None else self._start + self.motion.duration

    def pump(self, now: float) -> None:
        """Top the arm's queue up to ``depth`` ahead (raises MotionRefused if the arm refuses)."""
        if self.finished_sending:
            return
        tau_now = self.arm.read().path_time_at(now)
        new_motion = self._sent == 0
        if self._start is None:
            self._start = tau_now + self.lead
        elif not new_motion:
            margin = self._start + self._sent * self._step - tau_now
            self.min_margin = min(self.min_margin, margin)
            if margin > self.depth - REFILL:
                return
        last = min(self._knots, int(math.floor((tau_now + self.depth - self._start) / self._step)))
        last = max(last, self._sent + 1)
        k = np.arange(self._sent + 1, last + 1)
        motion_t = np.minimum(k * self._step, self.motion.duration)
        final = last >= self._knots
        self.arm.submit(self._start + motion_t, self.motion.sample(motion_t).position, final=final,
                        new_motion=new_motion)
        self._sent = last
        self.finished_sending = final

    def done(self) -> bool:
        """True once everything was sent and played."""
        return self.finished_sending and not self.arm.read().is_moving


def _capped_depth(arm: ArmInterface, depth: float) -> float:
    """``depth``, but never more than 90 % of what the arm's queue holds."""
    capacity = arm.queue_capacity
    if capacity is None:
        return depth
    return max(REFILL * 2, min(depth, 0.9 * capacity / SERVO_RATE))
