"""Forward kinematics against PyBullet, Jacobian against finite differences, IK round trips."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from cellctl.motion import IKError, load_chain
from cellctl.motion.urdf import rpy_matrix

from .arms import ARMS, XARM, pybullet_fk, random_configuration

pytestmark = pytest.mark.unit


def rotation_angle(a: np.ndarray, b: np.ndarray) -> float:
    """Angle of the rotation between two poses (scipy: accurate near zero, unlike arccos)."""
    return float(Rotation.from_matrix(a[:3, :3].T @ b[:3, :3]).magnitude())


@pytest.mark.parametrize("arm", ARMS, ids=lambda a: a.urdf)
def test_forward_kinematics_agrees_with_pybullet(arm) -> None:
    chain = arm.chain()
    rng = np.random.default_rng(1)
    with pybullet_fk(arm, chain) as oracle:
        for _ in range(200):
            q = random_configuration(chain, rng)
            ours, theirs = chain.fk(q), oracle.pose(q)
            # PyBullet computes link states in single precision: agreement to ~1e-7 m.
            assert np.abs(ours[:3, 3] - theirs[:3, 3]).max() < 1e-6
            assert rotation_angle(ours, theirs) < 2e-6


@pytest.mark.parametrize("arm", ARMS, ids=lambda a: a.urdf)
def test_jacobian_matches_finite_differences_of_fk(arm) -> None:
    chain = arm.chain()
    rng = np.random.default_rng(2)
    h = 1e-6
    for _ in range(20):
        q = random_configuration(chain, rng)
        jac = chain.jacobian(q)
        for k in range(chain.dof):
            dq = np.zeros(chain.dof)
            dq[k] = h
            a, b = chain.fk(q - dq), chain.fk(q + dq)
            np.testing.assert_allclose(jac[:3, k], (b[:3, 3] - a[:3, 3]) / (2 * h), atol=1e-8)
            skew = (b[:3, :3] - a[:3, :3]) / (2 * h) @ chain.fk(q)[:3, :3].T
            np.testing.assert_allclose(jac[3:, k], [skew[2, 1], skew[0, 2], skew[1, 0]], atol=1e-8)


@pytest.mark.parametrize("arm", ARMS, ids=lambda a: a.urdf)
def test_ik_reaches_random_reachable_poses_from_cold_seeds(arm) -> None:
    chain = arm.chain()
    rng = np.random.default_rng(3)
    for _ in range(100):
        target = chain.fk(random_configuration(chain, rng, margin=0.0))
        q = chain.ik(target, seed=random_configuration(chain, rng, margin=0.0))
        reached = chain.fk(q)
        assert np.linalg.norm(reached[:3, 3] - target[:3, 3]) <= 1e-10
        assert rotation_angle(reached, target) <= 1e-9
        assert np.all(q >= chain.lower) and np.all(q <= chain.upper)


def test_ik_warm_start_stays_near_the_seed() -> None:
    chain = XARM.chain()
    q0 = np.array([0.3, -0.2, -0.8, 0.4, 1.1, -0.6])
    target = chain.fk(q0)
    target[:3, 3] += [0.001, 0.0, 0.0]
    q = chain.ik(target, seed=q0, max_attempts=1)
    assert np.abs(q - q0).max() < 0.05


def test_ik_reports_an_unreachable_pose() -> None:
    chain = XARM.chain()
    target = np.eye(4)
    target[:3, 3] = [3.0, 0.0, 0.5]
    with pytest.raises(IKError, match=r"it is 3.041 m from the base, beyond the arm.s reach of") as info:
        chain.ik(target)
    assert info.value.reason == "unreachable"


def test_ik_reports_a_pose_reachable_only_outside_the_joint_limits(tmp_path: Path) -> None:
    text = Path(XARM.path).read_text()
    narrow = text.replace('lower="-6.28318530718" upper="6.28318530718"', 'lower="-0.2" upper="0.2"', 1)
    assert narrow != text, "the xarm URDF changed: adapt the test"
    path = tmp_path / "xarm_narrow.urdf"
    path.write_text(narrow)
    chain = load_chain(path, XARM.base, XARM.tip)
    wide = XARM.chain()
    target = wide.fk(np.array([1.5, -0.2, -0.8, 0.4, 1.1, -0.6]))  # base turned 1.5 rad
    with pytest.raises(IKError) as info:
        chain.ik(target, max_attempts=8)
    assert info.value.reason == "joint_limits"


@st.composite
def random_chains(draw: st.DrawFn) -> tuple[str, int]:
    """URDF text of a random 6- or 7-joint serial chain (random offsets, axes, limits)."""
    seed = draw(st.integers(0, 2**31))
    dof = draw(st.sampled_from([6, 7]))
    rng = np.random.default_rng(seed)
    links = "".join(f'<link name="l{i}"/>' for i in range(dof + 1))
    joints = []
    for i in range(dof):
        xyz = rng.uniform(-0.15, 0.15, 3) + [0, 0, 0.1]
        rpy = rng.uniform(-np.pi, np.pi, 3)
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        joints.append(
            f'<joint name="j{i}" type="revolute"><parent link="l{i}"/><child link="l{i + 1}"/>'
            f'<origin xyz="{" ".join(map(str, xyz))}" rpy="{" ".join(map(str, rpy))}"/>'
            f'<axis xyz="{" ".join(map(str, axis))}"/>'
            f'<limit lower="-2.8" upper="2.8" velocity="2" effort="10"/></joint>')
    return f'<robot name="random">{links}{"".join(joints)}</robot>', dof


@settings(max_examples=40)
@given(spec=random_chains(), seed=st.integers(0, 2**31))
def test_random_chains_fk_matches_a_reference_and_ik_round_trips(
    spec: tuple[str, int], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text, dof = spec
    path = tmp_path_factory.mktemp("chain") / "random.urdf"
    path.write_text(text)
    chain = load_chain(path, "l0", f"l{dof}")
    rng = np.random.default_rng(seed)
    q = rng.uniform(-2.5, 2.5, dof)
    # Reference FK written independently here: product of origin and joint rotations.
    reference = np.eye(4)
    for joint, angle in zip(ET.fromstring(text).iter("joint"), q):
        origin = joint.find("origin")
        t = np.eye(4)
        t[:3, :3] = rpy_matrix(*map(float, origin.get("rpy").split()))
        t[:3, 3] = list(map(float, origin.get("xyz").split()))
        axis = np.array(list(map(float, joint.find("axis").get("xyz").split())))
        k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
        rot = np.eye(4)
        rot[:3, :3] = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
        reference = reference @ t @ rot
    np.testing.assert_allclose(chain.fk(q), reference, atol=1e-12)
    try:
        solved = chain.ik(reference, seed=q + rng.normal(0, 0.2, dof))
    except IKError as err:
        # A random chain may be (near) singular there; then it must say so, never return garbage.
        assert err.reason in {"singular", "unreachable", "joint_limits"}
    else:
        reached = chain.fk(solved)
        assert np.linalg.norm(reached[:3, 3] - reference[:3, 3]) <= 1e-10
        assert rotation_angle(reached, reference) <= 1e-9
