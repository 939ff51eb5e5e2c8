"""The demo cell under the supervisor: real-time factor, tracking error, and the supervisor's
own cost per control cycle (tree tick, streaming, journal, status) against the physics.

    taskset -c 0 python benchmarks/bench_supervisor.py [--units 2] [--seed 0]

One core, headless. The cycle cost is measured around the supervisor's cycle (wall time,
physics excluded); the physics share is the rest of the wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "simulation"))

from _supervised import supervised  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, supervised(Path(tmp), seed=args.seed) as cell:
        sup = cell.supervisor
        cycle_times: list[float] = []
        inner = sup._cycle  # noqa: SLF001 - measured from outside, the product is unchanged

        def timed_cycle():  # noqa: ANN202
            t0 = time.perf_counter()
            status = inner()
            cycle_times.append(time.perf_counter() - t0)
            return status

        sup._cycle = timed_cycle  # type: ignore[method-assign]
        for arm in cell.sim.arms.values():
            arm.reset_tracking()
        wall = time.perf_counter()
        summary = cell.run(args.units)
        wall = time.perf_counter() - wall
        sim_time = summary.sim_time_s
        supervisor_total = sum(cycle_times)
        print(f"{summary.units_ok} OK / {summary.units_nok} NOK of {args.units} units; mean cycle time "
              f"{summary.cycle_time_s:.2f} s of cell time")
        print(f"real-time factor: {sim_time:.1f} s simulated in {wall:.1f} s wall = {sim_time / wall:.1f}x "
              "(headless, 1 kHz physics)")
        ordered = sorted(cycle_times)
        p99 = ordered[int(0.99 * (len(ordered) - 1))]
        print(f"supervisor cycle ({len(cycle_times)} cycles of 10 ms cell time): median "
              f"{statistics.median(cycle_times) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs, max {ordered[-1] * 1e3:.1f} ms; "
              f"{supervisor_total / wall:.0%} of the wall time (the rest is physics)")
        for name, arm in cell.sim.arms.items():
            stats = arm.tracking_error()
            print(f"tracking error {name}: max {stats.max_abs:.2e} rad, rms {stats.rms:.2e} rad "
                  f"over {stats.samples} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
