"""The Python face of the native motion core (``cellctl._motion``).

Plan with :func:`plan_ptp` / :func:`plan_stop` under :class:`JointLimits`, then sample the
returned :class:`Trajectory` into numpy arrays at servo rate.
"""

from cellctl.motion.limits import JointLimits
from cellctl.motion.planning import plan_ptp, plan_stop
from cellctl.motion.trajectory import MotionState, Samples, Trajectory, servo_times

__all__ = [
    "JointLimits",
    "MotionState",
    "Samples",
    "Trajectory",
    "plan_ptp",
    "plan_stop",
    "servo_times",
]
