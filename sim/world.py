"""The PyBullet world of a cell: floor, stations, parts and arms built from a cell description.

Owns the PyBullet client. Every body is created here and looked up by name; nothing else in
``sim`` calls ``loadURDF`` or ``createMultiBody`` except the screw visuals (:mod:`sim.screws`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pybullet as pb
import pybullet_data

from cellctl.config.model import ArmSpec, CellDescription, PartSpec, StationSpec
from cellctl.config.pose import Pose
from sim.urdf_merge import merge_tool

if TYPE_CHECKING:
    from sim.clamps import FixtureClamps

__all__ = ["World", "ArmBody"]

GRAVITY = 9.81
REFERENCE_STEP = 1e-3
"""Seconds: the physics step at which the per-step gains of motors and constraints were tuned."""
SOLVER_ITERATIONS = 50
"""The constraint solver's most iterations a step."""
PYBULLET_RESIDUAL = 1e-7
"""PyBullet's own default ``solverResidualThreshold``."""


@dataclass(frozen=True)
class ArmBody:
    """An arm's body id with its joint and link indices."""

    body: int
    joint_index: tuple[int, ...]
    """Driven joints, in the cell description's order."""
    links: dict[str, int]
    """Link name → PyBullet link index (-1 for the base)."""
    joints: dict[str, int]
    """Every joint name → index."""


class World:
    """A connected PyBullet client holding the cell (see module docstring).

    Args:
        cell: the cell description.
        physics_hz: fixed physics step rate.
        gui: open PyBullet's GUI instead of the headless DIRECT client.
    """

    def __init__(self, cell: CellDescription, physics_hz: float, gui: bool = False) -> None:
        self.cell = cell
        self.dt = 1.0 / physics_hz
        self.client = pb.connect(pb.GUI if gui else pb.DIRECT)
        if self.client < 0:
            raise RuntimeError("PyBullet could not connect (is another GUI already open?)")
        self._tmp = tempfile.TemporaryDirectory(prefix="cellctl-sim-")
        self.parts: dict[str, int] = {}
        self.arms: dict[str, ArmBody] = {}
        self.static: dict[str, int] = {}
        self.urdf_paths: dict[str, Path] = {}
        """Arm name → the URDF loaded for it (tool models merged in)."""
        self.clamps: FixtureClamps | None = None
        """The fixtures' clamps (set by the system that owns the world; see :mod:`sim.clamps`)."""
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    def _setup(self) -> None:
        c = self.client
        pb.resetSimulation(physicsClientId=c)
        pb.setPhysicsEngineParameter(fixedTimeStep=self.dt, numSolverIterations=SOLVER_ITERATIONS,
                                     solverResidualThreshold=self.solver_residual,
                                     deterministicOverlappingPairs=1, physicsClientId=c)
        pb.setGravity(0.0, 0.0, -GRAVITY, physicsClientId=c)
        pb.setAdditionalSearchPath(pybullet_data.getDataPath(), physicsClientId=c)
        self.static["floor"] = pb.loadURDF("plane.urdf", physicsClientId=c)
        for station in self.cell.stations.values():
            self._add_station(station)
        for part in self.cell.parts.values():
            self.parts[part.name] = self._add_part(part)
        for arm in self.cell.arms.values():
            self.arms[arm.name] = self._add_arm(arm)

    # ------------------------------------------------------------------ building
    def _box(self, name: str, half: np.ndarray, pose: Pose, color: tuple[float, ...], mass: float = 0.0) -> int:
        c = self.client
        shape = pb.createCollisionShape(pb.GEOM_BOX, halfExtents=half.tolist(), physicsClientId=c)
        visual = pb.createVisualShape(pb.GEOM_BOX, halfExtents=half.tolist(), rgbaColor=list(color), physicsClientId=c)
        body = pb.createMultiBody(mass, shape, visual, *pose.as_tuple(), physicsClientId=c)
        self.static[name] = body
        return body

    def _add_station(self, station: StationSpec) -> None:
        size = station.size
        below = station.pose * Pose(np.array([0.0, 0.0, -size[2] / 2]), np.array([0.0, 0.0, 0.0, 1.0]))
        self._box(station.name, size / 2, below, station.color)
        if station.type == "fixture" and station.pocket is not None:
            self._add_walls(station)

    def _add_walls(self, station: StationSpec) -> None:
        size, pocket, h = station.size, station.pocket, station.wall_height
        assert pocket is not None
        walls = {  # name: (centre x, centre y, half x, half y)
            "xp": ((size[0] + pocket[0]) / 4, 0.0, (size[0] - pocket[0]) / 4, size[1] / 2),
            "xn": (-(size[0] + pocket[0]) / 4, 0.0, (size[0] - pocket[0]) / 4, size[1] / 2),
            "yp": (0.0, (size[1] + pocket[1]) / 4, pocket[0] / 2, (size[1] - pocket[1]) / 4),
            "yn": (0.0, -(size[1] + pocket[1]) / 4, pocket[0] / 2, (size[1] - pocket[1]) / 4),
        }
        darker = tuple(0.8 * v for v in station.color[:3]) + (1.0,)
        for side, (x, y, hx, hy) in walls.items():
            pose = station.pose * Pose(np.array([x, y, h / 2]), np.array([0.0, 0.0, 0.0, 1.0]))
            self._box(f"{station.name}.wall_{side}", np.array([hx, hy, h / 2]), pose, darker)

    def slot_pose(self, station: str, slot: str) -> Pose:
        """World pose of a station slot (on the station's top face)."""
        spec = self.cell.stations[station]
        return spec.pose * spec.slots[slot]

    def start_pose(self, part: str) -> Pose:
        """Where a part is presented: centred on its start slot, 0.1 mm above it."""
        spec = self.cell.parts[part]
        slot = self.slot_pose(spec.start_station, spec.start_slot)
        return slot * Pose(np.array([0.0, 0.0, spec.height / 2 + 1e-4]), np.array([0.0, 0.0, 0.0, 1.0]))

    def place_part(self, part: str, pose: Pose) -> None:
        """Put a part at ``pose``, at rest (out of a clamp that held it)."""
        if self.clamps is not None:
            self.clamps.take(part)
        body = self.parts[part]
        pb.resetBasePositionAndOrientation(body, *pose.as_tuple(), physicsClientId=self.client)
        pb.resetBaseVelocity(body, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], physicsClientId=self.client)

    def _add_part(self, part: PartSpec) -> int:
        c = self.client
        if part.shape == "box":
            geometry = {"shapeType": pb.GEOM_BOX, "halfExtents": (part.size / 2).tolist()}
            col = pb.createCollisionShape(**geometry, physicsClientId=c)
            vis = pb.createVisualShape(**geometry, rgbaColor=list(part.color), physicsClientId=c)
        else:
            col = pb.createCollisionShape(pb.GEOM_CYLINDER, radius=float(part.size[0]), height=float(part.size[1]),
                                          physicsClientId=c)
            vis = pb.createVisualShape(pb.GEOM_CYLINDER, radius=float(part.size[0]), length=float(part.size[1]),
                                       rgbaColor=list(part.color), physicsClientId=c)
        body = pb.createMultiBody(part.mass, col, vis, *self.start_pose(part.name).as_tuple(), physicsClientId=c)
        pb.changeDynamics(body, -1, lateralFriction=part.friction, physicsClientId=c)
        return body

    def _arm_urdf(self, arm: ArmSpec) -> Path:
        models = [t for t in arm.tools.values() if t.model is not None]
        path = arm.urdf
        for tool in models:
            assert tool.model is not None
            path = merge_tool(path, arm.tip_link, tool.model, tool.mount, Path(self._tmp.name), f"{arm.name}_{tool.name}")
        return path

    def _add_arm(self, arm: ArmSpec) -> ArmBody:
        c = self.client
        self.urdf_paths[arm.name] = self._arm_urdf(arm)
        body = pb.loadURDF(str(self.urdf_paths[arm.name]), *arm.base.as_tuple(), useFixedBase=True,
                           flags=pb.URDF_USE_INERTIA_FROM_FILE, physicsClientId=c)
        joints: dict[str, int] = {}
        links: dict[str, int] = {pb.getBodyInfo(body, physicsClientId=c)[0].decode(): -1}
        for j in range(pb.getNumJoints(body, physicsClientId=c)):
            info = pb.getJointInfo(body, j, physicsClientId=c)
            joints[info[1].decode()] = j
            links[info[12].decode()] = j
        index = tuple(joints[name] for name in arm.joints)
        for j, q in zip(index, arm.home):
            pb.resetJointState(body, j, float(q), physicsClientId=c)
        return ArmBody(body, index, links, joints)

    def gain(self, per_reference_step: float) -> float:
        """A per-step gain (PyBullet's motor ``positionGain``, a constraint's ``erp``: the share of
        the error corrected in one step) tuned at the 1 ms reference step, for this world's step:
        the same correction per second, so the servo's stiffness does not depend on the step (at
        most 1: a whole error per step)."""
        return min(1.0, per_reference_step * self.dt / REFERENCE_STEP)

    solver_residual = PYBULLET_RESIDUAL
    """The constraint solver stops iterating once its residual is below this (PyBullet's
    ``solverResidualThreshold``). Class-wide, for ``benchmarks/faithful_step.py --residual``."""

    # ------------------------------------------------------------------ joints
    contacts_within_joints = False
    """Keep contacts between two bodies a fixed joint holds together (the model before issue 16).
    Off: such a pair does not collide while joined (a screwed pair, a clamped part and its
    fixture). The joint already holds them; their contact points only cost solver time (a third of
    a step with the finished phone in its tray) and changed no placement by more than
    ``benchmarks/faithful_step.py`` allows. Class-wide, for that comparison."""

    def fix(self, parent: int, child: int, relative: Pose, max_force: float) -> int:
        """A fixed joint holding ``child``'s base at ``relative`` in ``parent``'s base frame, with at
        most ``max_force`` N; returns the constraint id (see :attr:`contacts_within_joints`)."""
        c = self.client
        constraint = pb.createConstraint(
            parent, -1, child, -1, pb.JOINT_FIXED, [0.0, 0.0, 0.0],
            parentFramePosition=relative.position.tolist(), childFramePosition=[0.0, 0.0, 0.0],
            parentFrameOrientation=relative.quaternion.tolist(), physicsClientId=c)
        pb.changeConstraint(constraint, maxForce=max_force, physicsClientId=c)
        if not self.contacts_within_joints:
            pb.setCollisionFilterPair(parent, child, -1, -1, 0, physicsClientId=c)
        return constraint

    def unfix(self, constraint: int) -> None:
        """Release a joint made by :meth:`fix`; its two bodies collide again."""
        c = self.client
        parent, _, child = pb.getConstraintInfo(constraint, physicsClientId=c)[:3]
        pb.removeConstraint(constraint, physicsClientId=c)
        if not self.contacts_within_joints:
            pb.setCollisionFilterPair(parent, child, -1, -1, 1, physicsClientId=c)

    # ------------------------------------------------------------------ queries
    def body_pose(self, body: int) -> Pose:
        """World pose of a body's base."""
        pos, orn = pb.getBasePositionAndOrientation(body, physicsClientId=self.client)
        return Pose(np.array(pos), np.array(orn))

    def link_pose(self, body: int, link: int) -> Pose:
        """World pose of a link frame (the base for -1)."""
        if link < 0:
            return self.body_pose(body)
        state = pb.getLinkState(body, link, computeForwardKinematics=True, physicsClientId=self.client)
        return Pose(np.array(state[4]), np.array(state[5]))

    def part_pose(self, name: str) -> Pose:
        """World pose of a part's centre."""
        return self.body_pose(self.parts[name])

    def part_named(self, body: int) -> str | None:
        """The part a body id belongs to, or None."""
        return next((name for name, b in self.parts.items() if b == body), None)

    def step(self) -> None:
        """Advance physics by one fixed step."""
        pb.stepSimulation(physicsClientId=self.client)

    def close(self) -> None:
        """Disconnect the client and remove merged URDFs (idempotent, never raises)."""
        if self.client >= 0:
            try:
                if pb.isConnected(physicsClientId=self.client):
                    pb.disconnect(physicsClientId=self.client)
            except pb.error:
                pass
            self.client = -1
        self._tmp.cleanup()
