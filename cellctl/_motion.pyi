"""
cellctl native motion core: time-optimal jerk-limited joint trajectories
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['CartesianTrajectory', 'Chain', 'JointTrajectory', 'PathSegment', 'arc_about', 'arc_through', 'line_segment', 'plan_cartesian', 'plan_ptp', 'plan_stop']
class JointTrajectory:
    def __repr__(self) -> str:
        ...
    def phases(self, joint: typing.SupportsInt | typing.SupportsIndex) -> list:
        """
        The (duration, jerk) phases of one joint's profile.
        """
    def sample(self, times: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
        """
        Positions, velocities, accelerations and jerks at `times`, each (N, dof).
        """
    @property
    def dof(self) -> int:
        """
        Number of joints.
        """
    @property
    def duration(self) -> float:
        """
        Duration in seconds.
        """
    @property
    def phase_synchronized(self) -> bool:
        """
        True when all joints move on one straight line in joint space.
        """
class Chain:
    def __init__(self, joints: list, tip: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        joints: [(name, 'revolute'|'prismatic', origin 4x4, axis, lower, upper)], tip: 4x4.
        """
    def fk(self, q: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
        ...
    def ik(self, pose: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], seed: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], position_tolerance: typing.SupportsFloat | typing.SupportsIndex = 1e-10, orientation_tolerance: typing.SupportsFloat | typing.SupportsIndex = 1e-09, max_iterations: typing.SupportsInt | typing.SupportsIndex = 300, max_attempts: typing.SupportsInt | typing.SupportsIndex = 50, random_seed: typing.SupportsInt | typing.SupportsIndex = 24301) -> tuple[str, numpy.typing.NDArray[numpy.float64], float, float, int, int]:
        """
        (status, q, position_error, orientation_error, iterations, attempts); status is 'ok', 'unreachable', 'singular' or 'joint_limits'. Invalid input raises ValueError.
        """
    def jacobian(self, q: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def dof(self) -> int:
        ...
    @property
    def reach(self) -> float:
        ...
class PathSegment:
    def pose(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def is_arc(self) -> bool:
        ...
    @property
    def length(self) -> float:
        ...
    @property
    def rotation_angle(self) -> float:
        ...
    @property
    def translation_length(self) -> float:
        ...
class CartesianTrajectory:
    def path_state(self, time: typing.SupportsFloat | typing.SupportsIndex) -> tuple[float, float, float, float]:
        ...
    def poses(self, times: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
        ...
    def positions(self, times: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
        ...
    def sample(self, times: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
        ...
    @property
    def dof(self) -> int:
        ...
    @property
    def duration(self) -> float:
        ...
    @property
    def length(self) -> float:
        ...
    @property
    def time_scale(self) -> float:
        ...
def arc_about(start: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], center: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], end: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], normal: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], rotation_radius: typing.SupportsFloat | typing.SupportsIndex, radius_tolerance: typing.SupportsFloat | typing.SupportsIndex) -> PathSegment:
    ...
def arc_through(start: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], via: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], end: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], rotation_radius: typing.SupportsFloat | typing.SupportsIndex) -> PathSegment:
    ...
def line_segment(start: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], end: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], rotation_radius: typing.SupportsFloat | typing.SupportsIndex) -> PathSegment:
    ...
def plan_cartesian(chain: Chain, start_q: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], segments: collections.abc.Sequence[PathSegment], blends: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], joint_limits: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], cartesian_limits: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], grid_step: typing.SupportsFloat | typing.SupportsIndex = 0.0005, min_singular_value: typing.SupportsFloat | typing.SupportsIndex = 0.002, max_joint_step: typing.SupportsFloat | typing.SupportsIndex = 0.05) -> CartesianTrajectory:
    ...
def plan_ptp(start: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], goal: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], limits: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], start_velocity: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], start_acceleration: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], names: collections.abc.Sequence[str] | None = None) -> JointTrajectory:
    """
    Time-optimal synchronised jerk-limited move from a start state to a goal at rest.
    
    Arrays are float64 (C-contiguous float64 numpy arrays are read without a copy); limits is (3, dof): velocity, acceleration, jerk rows. names (joint names) word errors.
    """
def plan_stop(position: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], velocity: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], acceleration: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], limits: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], names: collections.abc.Sequence[str] | None = None) -> JointTrajectory:
    """
    Bring every joint to rest as fast as the limits allow.
    """
__version__: str = '0.1.0'
