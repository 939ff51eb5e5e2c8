"""The demo's real-time factor against bare PyBullet on the same world and step, and sweep throughput.

    python benchmarks/bench_sim_speed.py [--repeats 3] [--physics-hz HZ] [--lean-reference] [--residual R] [--units 4] [--skip-sweep] [--ray] [--seed 0]

In one run, ``--repeats`` rounds of, side by side:
1. one demo unit under the supervisor (headless, what ``cellctl demo`` runs, at the simulation's
   default physics step): simulated seconds per wall second of ``Supervisor.run``, and the share
   of its wall time spent inside ``stepSimulation``;
2. bare PyBullet: ``stepSimulation`` alone, called on a fresh world of the same cell (same bodies,
   same fixed step, same solver settings, arms holding at home), steps per second and the
   real-time factor that allows;
3. their ratio (the demo's share of what its physics engine allows; issue 16's target is >= 0.8),
   and the demo's own physics cost per step against the bare world's (what its held parts,
   screwed joints and contacts cost: a ceiling on the ratio however lean the rest is).
Then (``--lean-reference``) the same demo with ``SimSystem.lean_steps = False`` alternated with
the lean one, and ``cellctl sweep`` throughput (units per wall minute) of the demo recipe with 1
and 2 workers (and with ``--ray``, on a local Ray with 2 workers).

Wall-time figures on a shared machine move by 10-50 % from run to run: compare the ratios of one
round; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from cellctl.cli.demo import DEMO_RECIPE  # noqa: E402
from cellctl.config import demo_cell_path, load_cell  # noqa: E402
from cellctl.recipe import load_recipe  # noqa: E402
from cellctl.sweep.ledger import Ledger  # noqa: E402
from cellctl.sweep.pool import SweepJob, run_pool  # noqa: E402
from cellctl.sweep.unit import unit_session  # noqa: E402
from sim import SimSystem  # noqa: E402
from sim.world import World  # noqa: E402

import pybullet as pb  # noqa: E402


@dataclass(frozen=True)
class DemoRun:
    """One demo unit: simulated and wall seconds, and the wall seconds and steps inside stepSimulation."""

    sim_s: float
    wall_s: float
    physics_s: float
    steps: int

    @property
    def factor(self) -> float:
        return self.sim_s / self.wall_s


def demo_run(seed: int, lean: bool = True, physics_hz: float | None = None) -> DemoRun:
    """One demo unit under the supervisor, with the time its physics steps took."""
    SimSystem.lean_steps = lean
    spent = [0.0, 0]
    step = World.step

    def timed_step(world: World) -> None:
        started = time.perf_counter()
        step(world)
        spent[0] += time.perf_counter() - started
        spent[1] += 1

    World.step = timed_step  # type: ignore[method-assign]
    try:
        with unit_session(load_recipe(DEMO_RECIPE), load_cell(None), {}, seed, physics_hz) as (supervisor, _, _):
            summary = supervisor.run(1)
    finally:
        World.step = step  # type: ignore[method-assign]
        SimSystem.lean_steps = True
    return DemoRun(summary.sim_time_s, summary.wall_time_s, spent[0], int(spent[1]))


def bare_step_rate(seed: int, steps: int, physics_hz: float | None = None) -> tuple[float, float]:
    """(steps per wall second, dt) of stepSimulation alone on the demo cell's world."""
    with unit_session(load_recipe(DEMO_RECIPE), load_cell(None), {}, seed, physics_hz) as (_, system, _):
        client, dt = system.world.client, 1.0 / system.physics_hz
        started = time.perf_counter()
        for _ in range(steps):
            pb.stepSimulation(physicsClientId=client)
        return steps / (time.perf_counter() - started), dt


def sweep_rate(units: int, workers: int, seed: int, ray: bool = False) -> float:
    """Units per wall minute of a demo sweep (fresh ledger, no injected failures); on a local Ray if ``ray``."""
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        ledger = Ledger(Path(folder) / "ledger.db")
        started = time.perf_counter()
        job = SweepJob(DEMO_RECIPE, demo_cell_path(), {}, seed)
        try:
            if ray:
                from cellctl.sweep.ray_pool import run_ray

                run_ray(job, range(units), "local", workers, ledger)
            else:
                run_pool(job, range(units), workers, ledger)
            assert ledger.count() == units
        finally:
            ledger.close()
        return units / (time.perf_counter() - started) * 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=20_000, help="bare PyBullet steps to time per round")
    parser.add_argument("--units", type=int, default=4, help="units per sweep measurement")
    parser.add_argument("--skip-sweep", action="store_true", help="only the real-time factors")
    parser.add_argument("--ray", action="store_true", help="also a sweep on a local Ray with 2 workers")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of demo unit and bare stepping, side by side")
    parser.add_argument("--physics-hz", type=float, default=None,
                        help="physics step rate of both worlds (default: the simulation's default)")
    parser.add_argument("--lean-reference", action="store_true",
                        help="also demo units with SimSystem.lean_steps=False, alternated with lean ones")
    parser.add_argument("--residual", type=float, default=None,
                        help="the constraint solver's residual threshold of both worlds (World.solver_residual; "
                             "default: the simulation's)")
    args = parser.parse_args()
    if args.residual is not None:
        World.solver_residual = args.residual
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} cores)")
    ratios, physics = [], []
    for round_ in range(1, args.repeats + 1):
        demo = demo_run(args.seed, physics_hz=args.physics_hz)
        rate, dt = bare_step_rate(args.seed, args.steps, args.physics_hz)
        bare = rate * dt
        ratios.append(demo.factor / bare)
        physics.append(demo.physics_s / demo.steps * rate)
        print(f"round {round_}: demo unit {demo.sim_s:.2f} s simulated in {demo.wall_s:.2f} s wall = {demo.factor:.2f}x "
              f"real time ({demo.physics_s / demo.wall_s:.0%} in stepSimulation, {demo.physics_s / demo.steps * 1e6:.0f} us "
              f"a step); bare PyBullet, same world, {dt * 1e3:g} ms step: {rate:,.0f} steps/s ({1e6 / rate:.0f} us a "
              f"step) = {bare:.2f}x; demo / bare: {ratios[-1]:.2f}; demo's physics step / bare step: {physics[-1]:.2f}",
              flush=True)
    print(f"demo / bare, {args.repeats} rounds: {' '.join(f'{r:.2f}' for r in ratios)} (median "
          f"{statistics.median(ratios):.2f}); demo's physics step / bare step: median {statistics.median(physics):.2f} "
          f"(ceiling of demo / bare with nothing else per step: {1 / statistics.median(physics):.2f})")
    if args.lean_reference:
        runs: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeats):  # alternated, so a burst of load on the shared machine hits both
            for lean in (False, True):
                runs[lean].append(demo_run(args.seed, lean, args.physics_hz).factor)
        reference, lean_best = max(runs[False]), max(runs[True])
        print(f"lean steps (best of {args.repeats}): {reference:.2f}x without (SimSystem.lean_steps=False), "
              f"{lean_best:.2f}x with: x{lean_best / reference:.2f}")
    if not args.skip_sweep:
        cores = os.cpu_count() or 1
        one = sweep_rate(args.units, 1, args.seed)
        two = sweep_rate(args.units, 2, args.seed)
        print(f"cellctl sweep, demo recipe, {args.units} units ({cores} cores): 1 worker {one:.2f} units/min, "
              f"2 workers {two:.2f} units/min (x{two / one:.2f})")
        if args.ray:
            ray = sweep_rate(args.units, 2, args.seed, ray=True)
            print(f"cellctl sweep --ray local, 2 workers: {ray:.2f} units/min (x{ray / two:.2f} of 2 local workers)")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
