"""Real-time factor of one full demo unit (headless, one core) and the arms' tracking error.

    python benchmarks/bench_sim.py [--seed N] [--kinematic] [--image unit.png]

Prints simulated seconds per wall second for the whole unit (frame, board, cover into the nest,
four screws, the unit to the OK tray) and the tracking-error statistics per arm. Uses the test
suite's scripted operator (tests/simulation/_unit.py) until the supervisor runs recipes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "simulation"))

from _unit import Operator  # noqa: E402

from sim import SimSystem  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinematic", action="store_true", help="exact tracking instead of joint motors")
    parser.add_argument("--image", type=Path, default=None, help="write a PNG of the cell at the end")
    args = parser.parse_args()
    sim = SimSystem(seed=args.seed, kinematic=args.kinematic)
    try:
        sim.configure()
        sim.activate()
        operator = Operator(sim)
        try:
            wall = time.perf_counter()
            report = operator.run_unit(image=str(args.image) if args.image else None)
            wall = time.perf_counter() - wall
        finally:
            operator.close()
        mode = "kinematic" if args.kinematic else "dynamic"
        print(f"demo unit ({mode}, {sim.physics_hz:.0f} Hz physics, seed {args.seed}): "
              f"{'OK' if report.ok else 'NOK'}, {len(report.screws)} screws")
        print(f"  simulated time   {report.sim_time:8.2f} s")
        print(f"  wall time        {wall:8.2f} s")
        print(f"  real-time factor {report.sim_time / wall:8.2f} x")
        for name, arm in sim.arms.items():
            stats = arm.tracking_error()
            print(f"  {name:8s} tracking error max {stats.max_abs:.2e} rad, rms {stats.rms:.2e} rad "
                  f"({stats.samples} steps)")
        board = report.placed["main_board"]
        print(f"  board placement error {abs(board[0]) * 1e6:.0f} / {abs(board[1]) * 1e6:.0f} / "
              f"{abs(board[2]) * 1e6:.0f} µm (x / y / z)")
    finally:
        sim.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
