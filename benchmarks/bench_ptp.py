"""Planning time per trajectory against Ruckig, and sampling throughput.

Both planners are called through their pybind11 bindings on the same pre-built random 7-axis
problems, so per-call binding overhead is in both figures. Run:

    python benchmarks/bench_ptp.py [--problems 20000] [--seed 1] [--repeats 9]

The ratio column is cellctl's time over Ruckig's, measured in the same run with the passes
interleaved (below 1: cellctl is faster).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cellctl import _motion
from cellctl.motion import JointLimits, plan_ptp

try:
    import ruckig
except ImportError:  # pragma: no cover - the benchmark still reports our own figures
    ruckig = None


def random_problems(n: int, moving: bool, seed: int) -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        v, a, j = rng.uniform(0.3, 3, 7), rng.uniform(1, 15, 7), rng.uniform(5, 200, 7)
        v0, a0 = np.zeros(7), np.zeros(7)
        if moving:
            for i in range(7):
                while True:
                    v0[i], a0[i] = rng.uniform(-v[i], v[i]), rng.uniform(-a[i], a[i])
                    if abs(v0[i] + a0[i] * abs(a0[i]) / (2 * j[i])) <= v[i]:
                        break
        out.append((rng.uniform(-3, 3, 7), rng.uniform(-3, 3, 7), np.stack([v, a, j]), v0, a0))
    return out


def seconds_per_call(fn, items) -> float:
    """Mean seconds per call over one pass through all items."""
    t0 = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - t0) / len(items)


def best_interleaved(candidates, repeats: int, chunk: int = 1000) -> list[float]:
    """Seconds per call of each (fn, items): the items are timed in chunks, each chunk's passes
    interleaved across the candidates and the best of `repeats` kept, so that every planner sees
    the same load and a burst of load on the shared machine spoils one pass of one chunk only."""
    n = len(candidates[0][1])
    total = [0.0] * len(candidates)
    for begin in range(0, n, chunk):
        best = [float("inf")] * len(candidates)
        for _ in range(repeats):
            for k, (fn, items) in enumerate(candidates):
                part = items[begin:begin + chunk]
                best[k] = min(best[k], seconds_per_call(fn, part) * len(part))
        total = [t + b for t, b in zip(total, best)]
    return [t / n for t in total]


def ruckig_inputs(problems):
    otg, out, inputs = ruckig.Ruckig(7), ruckig.Trajectory(7), []
    for p0, pf, (v, a, j), v0, a0 in problems:
        inp = ruckig.InputParameter(7)
        inp.current_position, inp.target_position = p0, pf
        inp.current_velocity, inp.current_acceleration = v0, a0
        inp.max_velocity, inp.max_acceleration, inp.max_jerk = v, a, j
        inputs.append(inp)
    return inputs, lambda inp: otg.calculate(inp, out)


def worst_duration_gap(problems) -> float:
    """Largest relative difference between cellctl's and Ruckig's durations on the problems."""
    otg, out, worst = ruckig.Ruckig(7), ruckig.Trajectory(7), 0.0
    inputs, _ = ruckig_inputs(problems)
    for p, inp in zip(problems, inputs):
        otg.calculate(inp, out)
        ours = _motion.plan_ptp(*p).duration
        worst = max(worst, abs(ours - out.duration) / max(out.duration, 1e-12))
    return worst


def bench_planning(n: int, seed: int, repeats: int) -> None:
    print(f"planning, 7 axes, {n} random problems per case (best of {repeats} interleaved passes "
          "per chunk of 1000)")
    print(f"{'case':<22}{'cellctl µs':>12}{'ruckig µs':>12}{'cellctl/ruckig':>16}")
    for moving in (False, True):
        problems = random_problems(n, moving, seed + moving)
        candidates = [(lambda p: _motion.plan_ptp(*p), problems)]
        if ruckig is not None:
            inputs, calculate = ruckig_inputs(problems)
            candidates.append((calculate, inputs))
        times = best_interleaved(candidates, repeats) + [float("nan")]
        ours, ref = times[0], times[1]
        case = "from moving state" if moving else "from rest"
        print(f"{case:<22}{ours * 1e6:>12.2f}{ref * 1e6:>12.2f}{ours / ref:>16.2f}")
        if ruckig is not None:
            print(f"{'':<22}same durations: worst relative difference {worst_duration_gap(problems):.1e}")


def bench_call_overhead(repeats: int) -> None:
    """A 1-joint zero move: almost nothing to plan, so mostly the cost of the call itself."""
    zero, limits = np.zeros(1), np.ones((3, 1))
    candidates = [(lambda _: _motion.plan_ptp(zero, zero, limits, zero, zero), range(20000))]
    if ruckig is not None:
        otg, out, inp = ruckig.Ruckig(1), ruckig.Trajectory(1), ruckig.InputParameter(1)
        inp.current_position = inp.target_position = [0.0]
        inp.max_velocity = inp.max_acceleration = inp.max_jerk = [1.0]
        candidates.append((lambda _: otg.calculate(inp, out), range(20000)))
    times = best_interleaved(candidates, repeats) + [float("nan")]
    print(f"call overhead (1 joint, zero move): cellctl {times[0] * 1e6:.2f} µs, "
          f"ruckig {times[1] * 1e6:.2f} µs")


def bench_sampling() -> None:
    limits = JointLimits.uniform(7, 1.5, 6.0, 60.0)
    traj = plan_ptp(np.zeros(7), np.linspace(-2, 2, 7), limits)
    times = np.linspace(0.0, traj.duration, 1_000_000)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        traj.sample(times)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(f"sampling: {len(times) / best / 1e6:.1f} M samples/s (7 axes, p/v/a/j per sample; "
          f"{best * 1e3:.1f} ms per million, median {statistics.median(runs) * 1e3:.1f} ms)")
    print(f"  a 1 kHz servo second of a 7-axis arm costs {best / 1e3 * 1e6:.1f} µs to sample")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    bench_planning(args.problems, args.seed, args.repeats)
    bench_call_overhead(args.repeats)
    bench_sampling()


if __name__ == "__main__":
    main()
