"""How far the simulated arms travel after an e-stop, caught anywhere in a demo unit.

    python benchmarks/bench_estop_travel.py [--every 0.1] [--seed 0]

Runs one demo unit under the supervisor (headless, default physics step). Every ``--every``
seconds of simulated time the process forks: the child e-stops both arms at that instant, steps
1.5 s while they brake, and reports each joint's largest excursion from where the e-stop found it
and the joint's speed then; the parent goes on with the unit as if nothing happened. So every
e-stop starts from a state the demo really reaches (arm speeds, poses, held parts), and one unit
gives hundreds of them. Printed: per arm the worst excursion (which joint, when, at what speed)
and the percentiles over all e-stops; per joint the worst excursion. These are the figures the
e-stop bounds of the tests come from (``tests/simulation/_cell.py``). Needs ``os.fork`` (Linux).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cellctl.cli.demo import DEMO_RECIPE
from cellctl.config import load_cell
from cellctl.hw import StopKind
from cellctl.recipe import load_recipe
from cellctl.sweep.unit import unit_session
from sim.system import SimSystem

BRAKE_WINDOW = 1.5
"""Simulated seconds a child watches its braking arms (every joint stops within 0.2 s)."""


@dataclass(frozen=True)
class Stop:
    """One e-stop: when, and per arm the joint speeds then and each joint's largest excursion after."""

    time: float
    speed: dict[str, np.ndarray]
    travel: dict[str, np.ndarray]


def brake_here(system: SimSystem, step: Callable[[SimSystem, int], None]) -> tuple[dict[str, np.ndarray],
                                                                                dict[str, np.ndarray]]:
    """E-stop every arm now and watch it brake: (speeds at the stop, largest excursions), per arm."""
    arms = system.arms
    at = {name: arm.read() for name, arm in arms.items()}
    for arm in arms.values():
        arm.stop(StopKind.EMERGENCY)
    travel = {name: np.zeros(arm.dof) for name, arm in arms.items()}
    for _ in range(int(BRAKE_WINDOW * system.physics_hz)):
        step(system, 1)
        for name, arm in arms.items():
            travel[name] = np.maximum(travel[name], np.abs(arm.read().positions - at[name].positions))
    return {name: np.abs(state.velocities) for name, state in at.items()}, travel


def survey(every: float, seed: int) -> list[Stop]:
    """One demo unit with an e-stop forked off every ``every`` simulated seconds."""
    stops: list[Stop] = []
    step = SimSystem.step
    due = [every]

    def forking_step(system: SimSystem, count: int = 1) -> None:
        step(system, count)
        if system.now() < due[0]:
            return
        due[0] += every
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: brake, report, leave without running any of the parent's clean-up
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump((system.now(), *brake_here(system, step)), out)
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as report:
            data = report.read()
        os.waitpid(pid, 0)
        when, speed, travel = pickle.loads(data)
        stops.append(Stop(when, speed, travel))

    SimSystem.step = forking_step  # type: ignore[method-assign]
    try:
        with unit_session(load_recipe(DEMO_RECIPE), load_cell(None), {}, seed) as (supervisor, _, _):
            supervisor.run(1)
    finally:
        SimSystem.step = step  # type: ignore[method-assign]
    return stops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.1, help="simulated seconds between e-stops")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not hasattr(os, "fork"):
        print("this benchmark needs os.fork (Linux)", file=sys.stderr)
        return 2
    stops = survey(args.every, args.seed)
    print(f"{len(stops)} e-stops, one every {args.every} s of a demo unit (seed {args.seed}); excursion = a joint's "
          f"largest distance from where the e-stop found it, within {BRAKE_WINDOW} s")
    for arm in stops[0].travel:
        worst = max(stops, key=lambda s: s.travel[arm].max())
        joint = int(np.argmax(worst.travel[arm]))
        per_stop = np.array([s.travel[arm].max() for s in stops])
        p50, p95, p99 = np.percentile(per_stop, [50, 95, 99])
        per_joint = np.max([s.travel[arm] for s in stops], axis=0)
        print(f"{arm}: worst {worst.travel[arm][joint]:.4f} rad (joint {joint}, t = {worst.time:.2f} s, that joint at "
              f"{worst.speed[arm][joint]:.2f} rad/s); per e-stop p50 {p50:.4f}, p95 {p95:.4f}, p99 {p99:.4f} rad")
        print(f"{arm} per joint, worst: " + ", ".join(f"{v:.4f}" for v in per_joint))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
