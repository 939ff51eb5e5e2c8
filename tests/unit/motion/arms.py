"""The URDF arms that ship with pybullet, and PyBullet as an independent FK oracle."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pybullet
import pybullet_data

from cellctl.motion import Chain, load_chain


@dataclass(frozen=True)
class Arm:
    urdf: str
    base: str
    tip: str

    @property
    def path(self) -> str:
        return os.path.join(pybullet_data.getDataPath(), self.urdf)

    def chain(self) -> Chain:
        return load_chain(self.path, self.base, self.tip)


KUKA = Arm("kuka_iiwa/model.urdf", "lbr_iiwa_link_0", "lbr_iiwa_link_7")
PANDA = Arm("franka_panda/panda.urdf", "panda_link0", "panda_hand")
XARM = Arm("xarm/xarm6_robot.urdf", "link_base", "link6")
ARMS = (KUKA, PANDA, XARM)


class PyBulletFK:
    """Link poses computed by PyBullet on the same URDF (a headless client)."""

    def __init__(self, arm: Arm, chain: Chain) -> None:
        self.client = pybullet.connect(pybullet.DIRECT)
        self.body = pybullet.loadURDF(arm.path, useFixedBase=True, physicsClientId=self.client)
        n = pybullet.getNumJoints(self.body, physicsClientId=self.client)
        info = [pybullet.getJointInfo(self.body, i, physicsClientId=self.client) for i in range(n)]
        names = [i[1].decode() for i in info]
        links = [i[12].decode() for i in info]
        self.joints = [names.index(name) for name in chain.joint_names]
        self.tip = links.index(arm.tip)

    def pose(self, q: np.ndarray) -> np.ndarray:
        for index, value in zip(self.joints, q):
            pybullet.resetJointState(self.body, index, float(value), physicsClientId=self.client)
        state = pybullet.getLinkState(self.body, self.tip, computeForwardKinematics=True,
                                      physicsClientId=self.client)
        t = np.eye(4)
        t[:3, :3] = np.reshape(pybullet.getMatrixFromQuaternion(state[5]), (3, 3))
        t[:3, 3] = state[4]
        return t

    def close(self) -> None:
        pybullet.disconnect(self.client)


@contextmanager
def pybullet_fk(arm: Arm, chain: Chain) -> Iterator[PyBulletFK]:
    oracle = PyBulletFK(arm, chain)
    try:
        yield oracle
    finally:
        oracle.close()


def random_configuration(chain: Chain, rng: np.random.Generator, margin: float = 0.1) -> np.ndarray:
    lower = np.maximum(chain.lower, -np.pi) + margin
    upper = np.minimum(chain.upper, np.pi) - margin
    return rng.uniform(lower, upper)
