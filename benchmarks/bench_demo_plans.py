"""The Cartesian plans of one demo unit, recorded under the supervisor and replayed.

    python benchmarks/bench_demo_plans.py [--repeats 5] [--seed 0]

Runs one demo unit (headless, as ``cellctl demo``) with every ``plan_path`` call recorded (its
arguments and wall time), then plans the same paths again ``--repeats`` times and prints the
wall time per call, against a PTP plan of each path's end joints measured in the same run (the
joint planner's cost: a reference that does not move with this code's Cartesian part).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cellctl.motion.cartesian as cartesian  # noqa: E402
from cellctl.cli.demo import DEMO_RECIPE  # noqa: E402
from cellctl.config import load_cell  # noqa: E402
from cellctl.motion import plan_ptp  # noqa: E402
from cellctl.recipe import load_recipe  # noqa: E402
from cellctl.sweep.unit import unit_session  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    plan = cartesian._plan_path
    calls: list[tuple[tuple, float]] = []

    def recorded(*call: object) -> cartesian.CartesianTrajectory:
        started = time.perf_counter()
        result = plan(*call)  # type: ignore[arg-type]
        calls.append((call, time.perf_counter() - started))
        return result

    cartesian._plan_path = recorded  # type: ignore[assignment]
    try:
        with unit_session(load_recipe(DEMO_RECIPE), load_cell(None), {}, args.seed, None) as (supervisor, _, _):
            supervisor.run(1)
    finally:
        cartesian._plan_path = plan
    print(f"demo unit: {len(calls)} Cartesian plans, {sum(t for _, t in calls) * 1e3:.0f} ms in all "
          f"(the first {calls[0][1] * 1e3:.1f} ms)")
    ends = []
    for call, _ in calls:
        trajectory = plan(*call)  # type: ignore[arg-type]
        ends.append((call[1], trajectory.positions([trajectory.duration])[0], call[3]))
    started = time.perf_counter()
    for _ in range(args.repeats):
        for call, _ in calls:
            plan(*call)  # type: ignore[arg-type]
    per_plan = (time.perf_counter() - started) / (args.repeats * len(calls))
    started = time.perf_counter()
    for _ in range(args.repeats):
        for start, goal, limits in ends:
            plan_ptp(start, goal, limits)
    per_ptp = (time.perf_counter() - started) / (args.repeats * len(ends))
    print(f"replayed {args.repeats}x: {per_plan * 1e3:.2f} ms a Cartesian plan; a PTP plan between the same "
          f"joints {per_ptp * 1e6:.1f} us (ratio {per_plan / per_ptp:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
