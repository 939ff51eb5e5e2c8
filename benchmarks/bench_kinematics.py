"""Inverse kinematics next to PyBullet's calculateInverseKinematics, and LIN path accuracy.

For each arm that ships with pybullet: random reachable poses (FK of random configurations)
solved from random seeds (cold) and from nearby seeds (warm, as at servo rate); success rate,
errors reached and time per solve, for both solvers on the same poses and seeds, one run.
Then a 200 mm straight line: our LIN against interpolating IK points 25 mm apart linearly in
joint space. Run:

    python benchmarks/bench_kinematics.py [--poses 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pybullet
import pybullet_data
from scipy.spatial.transform import Rotation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.unit.motion.arms import ARMS, KUKA, Arm, PyBulletFK, random_configuration  # noqa: E402

from cellctl.motion import CartesianLimits, IKError, JointLimits, plan_linear  # noqa: E402

POS_TOL, ROT_TOL = 1e-10, 1e-9


def errors(chain, q, target) -> tuple[float, float]:
    reached = chain.fk(q)
    pos = float(np.linalg.norm(reached[:3, 3] - target[:3, 3]))
    rot = float(Rotation.from_matrix(reached[:3, :3].T @ target[:3, :3]).magnitude())
    return pos, rot


def ours(chain, targets, seeds, attempts: int):
    times, errs, ok = [], [], 0
    for target, seed in zip(targets, seeds):
        t0 = time.perf_counter()
        try:
            q = chain.ik(target, seed=seed, max_attempts=attempts)
        except IKError:
            times.append(time.perf_counter() - t0)
            continue
        times.append(time.perf_counter() - t0)
        e = errors(chain, q, target)
        errs.append(e)
        ok += e[0] <= POS_TOL and e[1] <= ROT_TOL
    return ok, errs, times


def theirs(arm: Arm, chain, targets, seeds, null_space: bool):
    oracle = PyBulletFK(arm, chain)
    try:
        n = pybullet.getNumJoints(oracle.body, physicsClientId=oracle.client)
        movable = [i for i in range(n) if pybullet.getJointInfo(oracle.body, i, physicsClientId=oracle.client)[2] != pybullet.JOINT_FIXED]
        columns = [movable.index(j) for j in oracle.joints]
        lower, upper = list(chain.lower), list(chain.upper)
        ranges = [u - l for l, u in zip(lower, upper)]
        times, errs, ok, ok_loose = [], [], 0, 0
        for target, seed in zip(targets, seeds):
            for index, value in zip(oracle.joints, seed):
                pybullet.resetJointState(oracle.body, index, float(value), physicsClientId=oracle.client)
            quat = Rotation.from_matrix(target[:3, :3]).as_quat()
            extra = dict(lowerLimits=lower, upperLimits=upper, jointRanges=ranges, restPoses=list(seed)) if null_space else {}
            t0 = time.perf_counter()
            solution = pybullet.calculateInverseKinematics(
                oracle.body, oracle.tip, target[:3, 3].tolist(), quat.tolist(), maxNumIterations=100,
                residualThreshold=1e-10, physicsClientId=oracle.client, **extra)
            times.append(time.perf_counter() - t0)
            q = np.array(solution)[columns]
            e = errors(chain, q, target)
            errs.append(e)
            ok += e[0] <= POS_TOL and e[1] <= ROT_TOL
            ok_loose += e[0] <= 1e-4 and e[1] <= 1e-3
        return ok, ok_loose, errs, times
    finally:
        oracle.close()


def bench_ik(count: int) -> None:
    print(f"IK on {count} random reachable poses per arm; success = within {POS_TOL:g} m and {ROT_TOL:g} rad")
    print(f"{'arm':<26}{'solver':<22}{'success':>9}{'median pos err':>16}{'median µs':>11}")
    rng = np.random.default_rng(7)
    for arm in ARMS:
        chain = arm.chain()
        truth = [random_configuration(chain, rng, margin=0.05) for _ in range(count)]
        targets = [chain.fk(q) for q in truth]
        cold = [random_configuration(chain, rng, margin=0.0) for _ in range(count)]
        warm = [np.clip(q + rng.normal(0, 0.02, chain.dof), chain.lower, chain.upper) for q in truth]
        rows = []
        for label, seeds, attempts in (("cellctl cold", cold, 50), ("cellctl warm", warm, 1)):
            ok, errs, times = ours(chain, targets, seeds, attempts)
            rows.append((label, f"{ok / count:.1%}", np.median([e[0] for e in errs]) if errs else np.nan, np.median(times)))
        for label, seeds, null_space in (("pybullet cold", cold, False), ("pybullet warm", warm, False),
                                         ("pybullet warm+limits", warm, True)):
            ok, loose, errs, times = theirs(arm, chain, targets, seeds, null_space)
            rows.append((f"{label}", f"{ok / count:.1%}", np.median([e[0] for e in errs]), np.median(times)))
            rows.append(("  (within 0.1 mm)", f"{loose / count:.1%}", np.nan, np.nan))
        for label, success, err, t in rows:
            t_text = "" if np.isnan(t) else f"{t * 1e6:11.1f}"
            e_text = "" if np.isnan(err) else f"{err:16.2e}"
            print(f"{arm.urdf:<26}{label:<22}{success:>9}{e_text:>16}{t_text:>11}")


def bench_line_accuracy() -> None:
    chain = KUKA.chain()
    q0 = np.array([0.0, 0.2, 0.0, -1.7, 0.0, 1.0, 0.0])
    start = chain.fk(q0)
    goal = start.copy()
    goal[:3, 3] += [0.12, 0.15, -0.06]
    a, b = start[:3, 3], goal[:3, 3]
    direction = (b - a) / np.linalg.norm(b - a)

    def deviation(points: np.ndarray) -> float:
        rel = points - a
        return float(np.linalg.norm(rel - np.outer(rel @ direction, direction), axis=1).max())

    traj = plan_linear(chain, q0, goal, JointLimits.uniform(7, 1.5, 5, 50), CartesianLimits(0.25, 2.0, 20.0))
    oracle = PyBulletFK(KUKA, chain)
    try:
        lin = deviation(np.array([oracle.pose(q)[:3, 3] for q in traj.sample(rate=1000.0).position]))
        # The common practice: IK every 25 mm, joints interpolated linearly in between.
        knots = int(np.ceil(np.linalg.norm(b - a) / 0.025))
        q_knots = [q0]
        for k in range(1, knots + 1):
            pose = start.copy()
            pose[:3, 3] = a + (b - a) * k / knots
            q_knots.append(chain.ik(pose, seed=q_knots[-1], max_attempts=1))
        dense = np.concatenate([np.linspace(q_knots[k], q_knots[k + 1], 200) for k in range(knots)])
        naive = deviation(np.array([oracle.pose(q)[:3, 3] for q in dense]))
    finally:
        oracle.close()
    print(f"\n{np.linalg.norm(b - a) * 1e3:.0f} mm LIN on {KUKA.urdf} (TCP checked by PyBullet's link state):")
    print(f"  cellctl LIN sampled at 1 kHz: max deviation {lin * 1e6:8.3f} µm")
    print(f"  IK every 25 mm + joint-space interpolation: {naive * 1e6:8.1f} µm  ({naive / lin:,.0f}x worse)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poses", type=int, default=300)
    args = parser.parse_args()
    print(f"pybullet data: {pybullet_data.getDataPath()}  (os: {os.uname().sysname})")
    bench_ik(args.poses)
    bench_line_accuracy()


if __name__ == "__main__":
    main()
