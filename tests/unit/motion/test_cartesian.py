"""Cartesian moves: straight lines and arcs to the micron (PyBullet as the FK oracle),
orientation on the rotation group, blends, limits, and plans rejected before motion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation, Slerp

from cellctl.motion import (
    CartesianLimits,
    JointLimits,
    Lin,
    PathError,
    load_chain,
    plan_circular,
    plan_linear,
    plan_path,
)

from .arms import KUKA, PANDA, XARM, pybullet_fk

pytestmark = pytest.mark.unit

MICRON = 1e-6
CART = CartesianLimits(speed=0.25, acceleration=2.0, jerk=20.0, angular_speed=1.0,
                       angular_acceleration=5.0, angular_jerk=50.0)
KUKA_Q0 = np.array([0.0, 0.2, 0.0, -1.7, 0.0, 1.0, 0.0])  # TCP at (0.48, 0, 0.56) m
KUKA_LIMITS = JointLimits.uniform(7, 1.5, 5.0, 50.0)


def offset(pose: np.ndarray, dxyz, rotvec=(0.0, 0.0, 0.0)) -> np.ndarray:
    out = pose.copy()
    out[:3, 3] += dxyz
    out[:3, :3] = Rotation.from_rotvec(rotvec).as_matrix() @ pose[:3, :3]
    return out


def distance_to_line(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (b - a) / np.linalg.norm(b - a)
    rel = points - a
    return np.linalg.norm(rel - np.outer(rel @ d, d), axis=1)


def test_a_linear_move_sampled_at_1khz_stays_within_a_micron_of_the_line() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    goal = offset(start, [0.12, 0.15, -0.06], rotvec=[0.2, -0.3, 0.4])
    traj = plan_linear(chain, KUKA_Q0, goal, KUKA_LIMITS, CART)
    q = traj.sample(rate=1000.0).position
    with pybullet_fk(KUKA, chain) as oracle:
        poses = np.array([oracle.pose(qi) for qi in q])
    deviation = distance_to_line(poses[:, :3, 3], start[:3, 3], goal[:3, 3])
    assert deviation.max() <= MICRON
    np.testing.assert_allclose(poses[-1][:3, 3], goal[:3, 3], atol=MICRON)


def test_orientation_follows_the_shortest_slerp_along_a_line() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    goal = offset(start, [0.2, 0.0, 0.0], rotvec=[0.0, 0.0, 0.5])
    traj = plan_linear(chain, KUKA_Q0, goal, KUKA_LIMITS, CART)
    times = np.linspace(0.0, traj.duration, 200)
    reached = np.array([chain.fk(q) for q in traj.sample(times).position])
    # The fraction travelled, read off the position, gives scipy's slerp at that fraction.
    u = (reached[:, 0, 3] - start[0, 3]) / 0.2
    ideal = Slerp([0.0, 1.0], Rotation.from_matrix([start[:3, :3], goal[:3, :3]]))(np.clip(u, 0, 1))
    error = (ideal.inv() * Rotation.from_matrix(reached[:, :3, :3])).magnitude()
    assert error.max() < 1e-8


def test_a_circular_move_through_a_via_point_stays_within_a_micron_of_the_arc() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    via = start[:3, 3] + [0.08, 0.08, 0.0]
    goal = offset(start, [0.16, 0.0, 0.0])
    traj = plan_circular(chain, KUKA_Q0, goal, KUKA_LIMITS, CART, via=via)
    q = traj.sample(rate=1000.0).position
    with pybullet_fk(KUKA, chain) as oracle:
        points = np.array([oracle.pose(qi)[:3, 3] for qi in q])
    center, radius = start[:3, 3] + [0.08, 0.0, 0.0], 0.08  # the circle through the 3 points
    radial = np.linalg.norm(points - center, axis=1) - radius
    out_of_plane = np.abs(points[:, 2] - start[2, 3])
    assert np.abs(radial).max() <= MICRON and out_of_plane.max() <= MICRON
    # It went through the via point, not the other way round.
    assert np.linalg.norm(points - via, axis=1).min() < 1e-3


def test_a_circular_move_about_a_centre_takes_the_short_way() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    center = start[:3, 3] + [0.0, 0.1, 0.0]
    goal = offset(start, [0.1, 0.1, 0.0])
    traj = plan_circular(chain, KUKA_Q0, goal, KUKA_LIMITS, CART, center=center)
    assert traj.length == pytest.approx(np.pi / 2 * 0.1, rel=1e-9)


def test_blended_corners_are_rounded_within_the_radius_and_exact_elsewhere() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    corners = [offset(start, [0.1, 0.0, 0.0]), offset(start, [0.1, 0.1, 0.0]), offset(start, [0.0, 0.1, 0.0])]
    radius = 0.02
    traj = plan_path(chain, KUKA_Q0, [Lin(c) for c in corners], KUKA_LIMITS, CART, blend=radius)
    times = np.linspace(0.0, traj.duration, 3000)
    points = np.array([chain.fk(q)[:3, 3] for q in traj.sample(times).position])
    ideal = np.array([p[:3, 3] for p in traj.poses(times)])
    np.testing.assert_allclose(points, ideal, atol=MICRON)
    vertices = [start[:3, 3]] + [c[:3, 3] for c in corners]
    for k in (1, 2):
        corner = vertices[k]
        near = np.linalg.norm(points - corner, axis=1) < radius
        # Inside the blend zone: rounded, never further than the radius from the corner.
        assert near.any() and np.linalg.norm(points[near] - corner, axis=1).max() <= radius + MICRON
    far_from_corners = np.all([np.linalg.norm(points - vertices[k], axis=1) > radius + 1e-4 for k in (1, 2)], axis=0)
    on_some_line = np.min([distance_to_line(points, vertices[k], vertices[k + 1]) for k in range(3)], axis=0)
    assert on_some_line[far_from_corners].max() <= MICRON
    # The tool never stops at a blended corner.
    _, speed, _, _ = zip(*(traj._native.path_state(t) for t in times[10:-10]))
    assert min(speed) > 0.0


def test_joint_and_cartesian_limits_hold_after_the_slow_down() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    goal = offset(start, [0.15, -0.1, 0.1], rotvec=[0.3, 0.0, 0.0])
    limits = JointLimits.uniform(7, 0.5, 2.0, 20.0)
    traj = plan_linear(chain, KUKA_Q0, goal, limits, CART)
    assert traj.time_scale < 1.0  # the joints, not the Cartesian limits, govern here
    s = traj.sample(np.linspace(0.0, traj.duration, 5000))
    for values, bound in ((s.velocity, limits.velocity), (s.acceleration, limits.acceleration), (s.jerk, limits.jerk)):
        assert (np.abs(values) / bound).max() <= 1.0
    times = np.linspace(0.0, traj.duration, 5000)
    tcp = traj.poses(times)[:, :3, 3]
    speed = np.linalg.norm(np.diff(tcp, axis=0), axis=1) / np.diff(times)
    assert speed.max() <= CART.speed * (1 + 1e-3)


def test_an_unreachable_line_is_rejected_naming_the_move_and_the_place() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    with pytest.raises(PathError, match=r"move 1 \(LIN\), at \d+% of its length: the pose is out of") as info:
        plan_path(chain, KUKA_Q0, [Lin(offset(start, [0.05, 0, 0])), Lin(offset(start, [1.5, 0, 0]))],
                  KUKA_LIMITS, CART)
    assert info.value.move == 1 and 0.0 < info.value.fraction < 1.0


def test_a_line_that_needs_a_joint_beyond_its_limit_names_the_joint(tmp_path: Path) -> None:
    text = Path(XARM.path).read_text()
    narrow = text.replace('lower="-6.28318530718" upper="6.28318530718"', 'lower="-0.3" upper="0.3"', 1)
    path = tmp_path / "xarm_narrow.urdf"
    path.write_text(narrow)
    chain = load_chain(path, XARM.base, XARM.tip)
    q0 = np.array([0.0, -0.3, -0.8, 0.0, 1.1, 0.0])
    start = chain.fk(q0)
    sideways = offset(start, [0.0, 0.4, 0.0])
    with pytest.raises(PathError, match=r"a joint would leave its limits \(joint 'joint1'\)") as info:
        plan_linear(chain, q0, sideways, JointLimits.uniform(6, 1, 5, 50), CART)
    assert info.value.reason == "joint_limits"


def test_a_line_through_a_singularity_is_rejected() -> None:
    chain = PANDA.chain()
    q0 = np.array([0.0, 0.3, 0.0, -1.2, 0.0, 1.5, 0.8])
    start = chain.fk(q0)
    # Stretch the arm straight out: the elbow singularity lies on the way to the boundary.
    outward = offset(start, 0.9 * start[:3, 3] / np.linalg.norm(start[:3, 3]))
    with pytest.raises(PathError) as info:
        plan_linear(chain, q0, outward, JointLimits.uniform(7, 2, 10, 100), CART)
    assert info.value.reason in {"singular", "unreachable"}


def test_a_blend_radius_longer_than_half_a_move_is_refused() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    with pytest.raises(ValueError, match=r"move 0 \(LIN\): blend radius 0.05 m is more than half"):
        plan_path(chain, KUKA_Q0, [Lin(offset(start, [0.06, 0, 0])), Lin(offset(start, [0.06, 0.2, 0]))],
                  KUKA_LIMITS, CART, blend=0.05)


def test_a_via_point_on_the_line_is_refused() -> None:
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    goal = offset(start, [0.1, 0, 0])
    with pytest.raises(ValueError, match=r"move 0 \(CIRC\): the via point lies on the line"):
        plan_circular(chain, KUKA_Q0, goal, KUKA_LIMITS, CART, via=start[:3, 3] + [0.05, 0, 0])


@settings(max_examples=25)
@given(st.lists(st.floats(-0.12, 0.12), min_size=3, max_size=3), st.lists(st.floats(-0.4, 0.4), min_size=3, max_size=3))
def test_random_lines_are_either_exact_or_rejected(dxyz: list[float], rotvec: list[float]) -> None:
    chain = PANDA.chain()
    q0 = np.array([0.2, -0.3, 0.1, -2.0, 0.1, 1.8, 0.6])
    start = chain.fk(q0)
    if np.linalg.norm(dxyz) < 1e-3:
        return
    goal = offset(start, dxyz, rotvec)
    try:
        traj = plan_linear(chain, q0, goal, JointLimits.uniform(7, 2.0, 10.0, 100.0), CART)
    except PathError:
        return
    q = traj.sample(rate=500.0).position
    points = np.array([chain.fk(qi)[:3, 3] for qi in q])
    assert distance_to_line(points, start[:3, 3], goal[:3, 3]).max() <= MICRON
    np.testing.assert_allclose(points[-1], goal[:3, 3], atol=MICRON)


def test_the_motion_slows_down_only_where_the_limits_need_it() -> None:
    """Blended corners need the tool slower than the straight stretches: the straight parts
    still reach the speed limit, which a uniform slow-down could not do."""
    chain = KUKA.chain()
    start = chain.fk(KUKA_Q0)
    corners = [offset(start, [0.2, 0.0, 0.0]), offset(start, [0.2, 0.2, 0.0]), offset(start, [0.0, 0.2, 0.0])]
    traj = plan_path(chain, KUKA_Q0, [Lin(c) for c in corners], KUKA_LIMITS, CART, blend=0.02)
    times = np.linspace(0.0, traj.duration, 8000)
    tcp = traj.poses(times)[:, :3, 3]
    speed = np.linalg.norm(np.diff(tcp, axis=0), axis=1) / np.diff(times)
    assert traj.time_scale < 0.8, "the corners should need a slow-down"
    # A uniform slow-down would cap the speed at time_scale x the limit everywhere.
    assert speed.max() > 0.9 * CART.speed > 1.1 * traj.time_scale * CART.speed, (speed.max(), traj.time_scale)
    assert speed.max() <= CART.speed * (1 + 1e-3)
    s = traj.sample(times)
    for values, bound in ((s.velocity, KUKA_LIMITS.velocity), (s.acceleration, KUKA_LIMITS.acceleration),
                          (s.jerk, KUKA_LIMITS.jerk)):
        assert (np.abs(values) / bound).max() <= 1.0
