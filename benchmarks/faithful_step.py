"""Which physics step is faithful: every placement and every tightening as at 1 ms, over many seeds.

    python benchmarks/faithful_step.py [--seeds 50] [--steps 1.5,2,3] [--rates cross_thread=0.1,...] [--jobs 1]

For every seed, one demo unit under the supervisor runs at the 1 ms reference step and at each
candidate step (setpoints stay at 1 kHz: the arm's controller model interpolates them at each
physics step's end). Compared with the reference run of the same seed:

* placements: every part's position 0.25 s after each release (a gripper or cup letting go, in
  the order they happen) and at the end of the unit; the largest distance is reported (the issue's
  bound: 0.1 mm);
* tightenings: the sequence of (hole, attempt, status, failure class) must be the same;
* the unit's result; and the cycle time's difference (reported, not bound).

Failures are injected at the given rates (drawn per seed, hole and attempt, so every step sees
the same ones) so that recoveries (back-out, re-drive, NOK tray) are exercised too. The table
ends with the largest candidate step that passed for every seed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from cellctl.cli.demo import DEMO_RECIPE  # noqa: E402
from cellctl.config import load_cell  # noqa: E402
from cellctl.recipe import load_recipe  # noqa: E402
from cellctl.sweep.unit import unit_session  # noqa: E402
import cellctl.supervisor.clearout  # noqa: E402,F401  (imported before the workers fork)
import sim  # noqa: E402,F401
from sim.world import PYBULLET_RESIDUAL, World  # noqa: E402

DEFAULT_MODEL = {name: getattr(World, name) for name in ("contacts_within_joints", "solver_residual")}
"""The simulation's own physics model (World's class attributes a run may change)."""
SETTLE = 0.25
"""Seconds after a release at which the released part's position is taken."""
PLACEMENT_BOUND = 1e-4
"""Metres: the issue's bound on a placement's distance from the 1 ms run."""


@dataclass
class Run:
    """What one unit left: placements (part, position) in release order, tightenings, result, cycle."""

    placements: list[tuple[str, np.ndarray]] = field(default_factory=list)
    tightenings: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    result: str = ""
    cycle: float = float("nan")
    wall: float = 0.0
    sim: float = 0.0


def run_unit(seed: int, step_ms: float, rates: dict[str, float], model: dict[str, object] | None = None) -> Run:
    """One demo unit at a physics step of ``step_ms``, with its placements recorded. ``model``: class
    attributes of :class:`~sim.world.World` to set for this run (``contacts_within_joints``,
    ``solver_residual``); the others keep the simulation's defaults."""
    out = Run()
    started = time.perf_counter()
    for name, value in {**DEFAULT_MODEL, **(model or {})}.items():
        setattr(World, name, value)
    with unit_session(load_recipe(DEMO_RECIPE), load_cell(None), rates, seed, physics_hz=1000.0 / step_ms) as (
            supervisor, system, journal):
        step, seen, due = system.step, 0, []

        def observed_step(count: int = 1) -> None:
            nonlocal seen
            step(count)
            events = system.events.all("released")
            due.extend((e.time + SETTLE, e.subject) for e in events[seen:])
            seen = len(events)
            while due and system.now() >= due[0][0]:
                part = due.pop(0)[1]
                out.placements.append((part, system.part_pose(part).position))

        system.step = observed_step  # type: ignore[method-assign]
        summary = supervisor.run(1)
        out.placements += [(p, system.part_pose(p).position) for p in sorted(system.cell.parts)]
        unit = journal.units()[-1]
        out.tightenings = [(t.hole, t.attempt, t.status, t.failure_class) for t in journal.tightenings(unit.id)]
        out.result = unit.result or ""
        out.cycle = journal.unit_time(unit.id) or float("nan")
        out.sim = summary.sim_time_s
    out.wall = time.perf_counter() - started
    return out


def compare(reference: Run, candidate: Run) -> tuple[float, bool, bool]:
    """(largest placement distance in m (inf when the releases differ), tightenings same, result same)."""
    names = [p for p, _ in reference.placements]
    if names != [p for p, _ in candidate.placements]:
        distance = float("inf")
    else:
        distance = max(float(np.linalg.norm(a - b)) for (_, a), (_, b) in zip(reference.placements,
                                                                              candidate.placements))
    return distance, reference.tightenings == candidate.tightenings, reference.result == candidate.result


def parse_rates(text: str) -> dict[str, float]:
    """``cross_thread=0.1,missing_screw=0.05`` → a dict."""
    return {k: float(v) for k, v in (item.split("=") for item in text.split(",") if item)}


def parse_model(text: str) -> dict[str, object]:
    """``contacts_within_joints=1,solver_residual=1e-4`` → World attributes, typed like the defaults."""
    model: dict[str, object] = {}
    for name, _, value in (item.partition("=") for item in text.split(",") if item):
        if name not in DEFAULT_MODEL or not value:
            raise SystemExit(f"model {text!r}: expected NAME=VALUE,... with NAME one of {', '.join(DEFAULT_MODEL)}")
        model[name] = bool(int(value)) if isinstance(DEFAULT_MODEL[name], bool) else float(value)
    return model


Job = tuple[int, list[float], dict[str, float], dict[str, object], dict[str, object]]


def one_seed(job: Job) -> tuple[int, Run, dict[float, Run]]:
    """The reference (1 ms) and every candidate for one seed (one worker's job)."""
    seed, steps, rates, reference_model, candidate_model = job
    return seed, run_unit(seed, 1.0, rates, reference_model), {s: run_unit(seed, s, rates, candidate_model)
                                                              for s in steps}


def _results(pool: ProcessPoolExecutor, seeds: range, live: list[float], rates: dict[str, float], jobs: int,
             keep_failed: bool, reference_model: dict[str, object],
             candidate_model: dict[str, object]) -> Iterator[tuple[int, Run, dict[float, Run]]]:
    """Seeds in rounds of ``jobs``; unless ``keep_failed``, a candidate that failed a seed is not run again
    (``live`` shrinks: one failure rules a step out)."""
    for first in range(0, len(seeds), jobs):
        batch = [(seed, list(live), rates, reference_model, candidate_model) for seed in seeds[first:first + jobs]]
        for seed, reference, candidates in pool.map(one_seed, batch):
            yield seed, reference, candidates
            for step, run in candidates.items():
                distance, same_tightenings, same_result = compare(reference, run)
                failed = distance > PLACEMENT_BOUND or not (same_tightenings and same_result)
                if failed and not keep_failed and step in live:
                    live.remove(step)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", default="1.5,2,3", help="candidate physics steps, ms")
    parser.add_argument("--rates", default="cross_thread=0.1,missing_screw=0.05,stripped=0.05",
                        help="injected failure rates per tightening attempt")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (seeds in parallel)")
    parser.add_argument("--keep-failed", action="store_true",
                        help="keep running a candidate step on later seeds after it failed one")
    parser.add_argument("--old-reference", action="store_true",
                        help="the 1 ms reference keeps contacts between bodies a fixed joint holds (the model "
                             "before issue 16; same as --reference-model contacts_within_joints=1)")
    parser.add_argument("--residual", type=float, default=None,
                        help="the candidates' solver residual threshold (same as --model solver_residual=R); "
                             f"the reference keeps the simulation's ({PYBULLET_RESIDUAL:g})")
    parser.add_argument("--model", default="", help="World attributes the candidates run with, e.g. "
                        "solver_residual=1e-4 (default: the simulation's)")
    parser.add_argument("--reference-model", default="", help="World attributes the 1 ms reference runs with")
    args = parser.parse_args()
    reference_model = parse_model(args.reference_model)
    if args.old_reference:
        reference_model["contacts_within_joints"] = True
    candidate_model = parse_model(args.model)
    if args.residual is not None:
        candidate_model["solver_residual"] = args.residual
    steps = [float(s) for s in args.steps.split(",")]
    rates = parse_rates(args.rates)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    rows: dict[float, list[tuple[int, float, bool, bool, float, float]]] = {s: [] for s in steps}
    walls: dict[float, list[float]] = {1.0: [], **{s: [] for s in steps}}
    walls_ref: dict[float, list[float]] = {s: [] for s in steps}  # the 1 ms runs of the seeds a candidate ran
    live = list(steps)  # candidates not yet ruled out
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for seed, reference, candidates in _results(pool, seeds, live, rates, args.jobs, args.keep_failed,
                                                    reference_model, candidate_model):
            walls[1.0].append(reference.wall / reference.sim)
            line = [f"seed {seed:3d}: 1 ms {reference.result} {len(reference.tightenings)} tightenings"]
            for step, run in candidates.items():
                distance, same_tightenings, same_result = compare(reference, run)
                rows[step].append((seed, distance, same_tightenings, same_result, run.cycle - reference.cycle,
                                   run.wall / run.sim))
                walls[step].append(run.wall / run.sim)
                walls_ref[step].append(reference.wall / reference.sim)
                line.append(f"{step:g} ms {distance * 1e3:.3f} mm{'' if same_tightenings else ' TIGHTENINGS DIFFER'}")
            print("; ".join(line), flush=True)
    print(f"\n{len(seeds)} seeds, rates {args.rates}; candidates' model {candidate_model or 'the default'}; "
          f"reference 1 ms, model {reference_model or 'the default'}: wall/sim {np.mean(walls[1.0]):.3f}"
          f"{'' if args.keep_failed else ' (a candidate is dropped after the first seed it fails)'}")
    print("| step | seeds | largest placement distance (mm) | seed | p95 (mm) | tightenings as at 1 ms | results as at 1 ms "
          "| cycle difference (s, max abs) | wall / sim vs 1 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    chosen = 1.0
    for step in steps:
        data = rows[step]
        if not data:
            continue
        distances = np.array([d for _, d, *_ in data])
        worst = int(np.argmax(distances))
        same_t = sum(1 for r in data if r[2])
        same_r = sum(1 for r in data if r[3])
        cycle = max(abs(r[4]) for r in data)
        speed = np.mean(walls[step]) / np.mean(walls_ref[step])
        print(f"| {step:g} ms | {len(data)} | {distances[worst] * 1e3:.4f} | {data[worst][0]} | "
              f"{np.percentile(distances, 95) * 1e3:.4f} | {same_t}/{len(data)} | {same_r}/{len(data)} | {cycle:.3f} | "
              f"{speed:.2f} |")
        if (distances.max() <= PLACEMENT_BOUND and same_t == len(data) and same_r == len(data)
                and len(data) == len(seeds)):
            chosen = max(chosen, step)
    print(f"largest faithful step: {chosen:g} ms")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
