"""Test helper: inverse kinematics with PyBullet, until ``cellctl.motion.load_chain`` exists.

The simulator backend is joint-space only; tests and the demo-unit script turn Cartesian TCP
poses into joint positions here. Switch :meth:`ArmIk.solve` to ``load_chain(...).ik`` once the
motion package provides it. Runs in its own DIRECT client so it never disturbs the world.
"""

from __future__ import annotations

import numpy as np
import pybullet as pb

from cellctl.config import Pose
from sim import SimSystem

REFINEMENTS = 60
TOLERANCE = 2e-5
"""Metres of TCP position error accepted."""


class IkError(RuntimeError):
    """No joint solution reaches the pose."""


class ArmIk:
    """IK for one arm of a configured :class:`SimSystem`, by its TCP link."""

    def __init__(self, sim: SimSystem, arm: str, tcp_link: str) -> None:
        spec = sim.cell.arms[arm]
        self.client = pb.connect(pb.DIRECT)
        self.body = pb.loadURDF(str(sim.world.urdf_paths[arm]), *spec.base.as_tuple(), useFixedBase=True,
                                physicsClientId=self.client)
        names = {pb.getJointInfo(self.body, j, physicsClientId=self.client)[1].decode(): j
                 for j in range(pb.getNumJoints(self.body, physicsClientId=self.client))}
        links = {pb.getJointInfo(self.body, j, physicsClientId=self.client)[12].decode(): j
                 for j in range(pb.getNumJoints(self.body, physicsClientId=self.client))}
        self.movable = [j for j in range(pb.getNumJoints(self.body, physicsClientId=self.client))
                        if pb.getJointInfo(self.body, j, physicsClientId=self.client)[2] != pb.JOINT_FIXED]
        self.joints = [names[n] for n in spec.joints]
        self.tcp = links[tcp_link]
        arm_infos = [pb.getJointInfo(self.body, j, physicsClientId=self.client) for j in self.joints]
        self.lower_arm = np.array([i[8] for i in arm_infos])
        self.upper_arm = np.array([i[9] for i in arm_infos])

    def fk(self, q: np.ndarray) -> Pose:
        """TCP pose at joint positions ``q``."""
        for j, v in zip(self.joints, q):
            pb.resetJointState(self.body, j, float(v), physicsClientId=self.client)
        state = pb.getLinkState(self.body, self.tcp, computeForwardKinematics=True, physicsClientId=self.client)
        return Pose(np.array(state[4]), np.array(state[5]))

    def solve(self, pose: Pose, seed: np.ndarray) -> np.ndarray:
        """Joint positions that put the TCP at ``pose``, starting near ``seed``."""
        q = np.array(seed, dtype=float)
        for _ in range(REFINEMENTS):
            self.fk(q)
            full = pb.calculateInverseKinematics(
                self.body, self.tcp, pose.position.tolist(), pose.quaternion.tolist(),
                maxNumIterations=100, residualThreshold=1e-7, physicsClientId=self.client)
            q = np.array([full[self.movable.index(j)] for j in self.joints])
            reached = self.fk(q)
            if (np.linalg.norm(reached.position - pose.position) < TOLERANCE
                    and abs(abs(float(reached.quaternion @ pose.quaternion)) - 1.0) < 1e-6):
                if np.any(q < self.lower_arm) or np.any(q > self.upper_arm):
                    raise IkError(f"the IK solution for {pose.position} leaves the joint limits: {q}")
                return q
        raise IkError(f"no IK solution within {TOLERANCE} m for {pose.position}")

    def close(self) -> None:
        """Disconnect the IK client."""
        if pb.isConnected(physicsClientId=self.client):
            pb.disconnect(physicsClientId=self.client)
