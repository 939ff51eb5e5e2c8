"""The Python face of the native motion core (``cellctl._motion``).

Joint space: :func:`plan_ptp` / :func:`plan_stop` under :class:`JointLimits`.
Cartesian space: :func:`load_chain` (URDF), then :func:`plan_linear`, :func:`plan_circular`
or :func:`plan_path` under :class:`CartesianLimits`. Every planner returns a trajectory that
samples into (N, dof) numpy arrays at servo rate.
"""

from cellctl.motion.cartesian import (
    CartesianLimits,
    CartesianTrajectory,
    Circ,
    Lin,
    plan_circular,
    plan_linear,
    plan_path,
)
from cellctl.motion.errors import IKError, PathError
from cellctl.motion.kinematics import Chain, load_chain
from cellctl.motion.limits import JointLimits
from cellctl.motion.planning import plan_ptp, plan_stop
from cellctl.motion.trajectory import MotionState, SampledMotion, Samples, Trajectory, servo_times

__all__ = [
    "CartesianLimits",
    "CartesianTrajectory",
    "Chain",
    "Circ",
    "IKError",
    "JointLimits",
    "Lin",
    "PathError",
    "MotionState",
    "SampledMotion",
    "Samples",
    "Trajectory",
    "load_chain",
    "plan_circular",
    "plan_linear",
    "plan_path",
    "plan_ptp",
    "plan_stop",
    "servo_times",
]
