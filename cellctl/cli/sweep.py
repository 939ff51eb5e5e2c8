"""``cellctl sweep RECIPE --cell CELL --units N``: many simulated units with random failures, and their figures.

Every unit runs in a fresh headless world seeded from (--seed, its index), on worker processes
(one per core by default); failures are drawn per tightening attempt at the --inject-rate rates.
Results go to a ledger in --db DIR (ledger.db), one row per unit: a dead worker's unit is re-run
on another and never counted twice, and --resume continues an interrupted sweep. The report
gives the yield (Wilson interval), the NOK causes, the observed failure rate of each class
against the injected one, and the cycle time's p50 / p95 (order-statistic intervals) and max.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from cellctl.cli.execute import EXIT_NOK, EXIT_OK
from cellctl.cli.loading import UsageError, checked, load
from cellctl.cli.run import _positive
from cellctl.cli.terminal import table
from cellctl.sweep.ledger import Ledger, LedgerError, UnitOutcome
from cellctl.sweep.pool import SweepJob, quiet_stdout, run_pool
from cellctl.sweep.summary import SweepSummary, summarise

LEDGER_NAME = "ledger.db"


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("sweep", help="run many simulated units with random failures and report the figures",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe", type=Path, help="recipe YAML")
    p.add_argument("--cell", type=Path, required=True, help="cell description YAML")
    p.add_argument("--units", type=_positive, required=True, help="units to build")
    p.add_argument("--workers", type=_positive, default=None,
                   help=f"worker processes (default: one per core, here {os.cpu_count() or 1})")
    p.add_argument("--inject-rate", metavar="CLASS=RATE,...", default=None,
                   help="failure probability per tightening attempt, e.g. cross_thread=0.002,missing_screw=0.005 "
                        "(classes: missing_screw, cross_thread, stripped, rehit)")
    p.add_argument("--seed", type=int, default=0, help="sweep seed; unit i's world is seeded from (seed, i)")
    p.add_argument("--db", type=Path, default=Path("cellctl-sweep"), help="folder of the results ledger "
                   "(default: %(default)s)")
    p.add_argument("--ray", metavar="ADDRESS", default=None,
                   help="run the units as Ray tasks on the cluster at ADDRESS (e.g. ray://head:10001, or auto); "
                        "'local' starts a local Ray with --workers CPUs (needs 'pip install ray')")
    p.add_argument("--resume", action="store_true", help="continue the sweep in --db (same recipe, cell, rates, seed)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence of the intervals (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="end with one JSON summary line on stdout")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE.png", help="write a cycle-time and causes plot")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(run=run)


def parse_rates(text: str | None) -> dict[str, float]:
    """``cross_thread=0.002,stripped=0.001`` → {class: rate}; UsageError naming what is wrong."""
    if not text:
        return {}
    with quiet_stdout():  # importing sim imports PyBullet, which prints a banner
        from sim.injection import FailureKind, FailurePlan
    valid = ", ".join(k.value for k in FailureKind)
    rates: dict[str, float] = {}
    for item in text.split(","):
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or name not in {k.value for k in FailureKind}:
            raise UsageError([f"--inject-rate {item!r}: write CLASS=RATE with CLASS one of {valid}"])
        try:
            rates[name] = float(value)
        except ValueError:
            raise UsageError([f"--inject-rate {item!r}: the rate must be a number in 0 .. 1, e.g. {name}=0.01"]) from None
    if any(not 0.0 <= r <= 1.0 for r in rates.values()) or sum(rates.values()) > 1.0:
        given = ", ".join(f"{k}={v:g}" for k, v in rates.items())
        raise UsageError([f"--inject-rate {given}: each rate must be in 0 .. 1 and together at most 1"])
    FailurePlan(rates=rates)  # the simulation's own check, for anything added there later
    return rates


def _check_ray() -> None:
    """UsageError with the install command when Ray is missing."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise UsageError(["--ray: Ray is not installed; install it with 'pip install ray' (or run without --ray: "
                          "worker processes on this machine)"]) from None


def _settings(args: argparse.Namespace, rates: dict[str, float]) -> dict[str, object]:
    return {"recipe": str(args.recipe.resolve()), "recipe_bytes": args.recipe.read_text(),
            "cell": str(args.cell.resolve()), "cell_bytes": args.cell.read_text(),
            "rates": rates, "seed": args.seed, "units": args.units}


def run(args: argparse.Namespace) -> int:
    if not 0.0 < args.confidence < 1.0:
        raise UsageError([f"--confidence {args.confidence}: must be between 0 and 1, e.g. 0.95"])
    rates = parse_rates(args.inject_rate)
    if args.ray is not None:
        _check_ray()
    recipe, cell = load(args.recipe, args.cell)
    checked(recipe, cell)
    try:
        ledger = Ledger(args.db / LEDGER_NAME)
        ledger.adopt(_settings(args, rates), args.resume)
    except LedgerError as exc:
        raise UsageError([str(exc)]) from None
    try:
        todo = sorted(set(range(args.units)) - ledger.done())
        workers = min(args.workers or os.cpu_count() or 1, max(1, len(todo)))
        progress = _Progress(args.units - len(todo), args.units, args.quiet)
        started = time.perf_counter()
        if todo and not args.quiet:
            where = f"Ray at {args.ray}" if args.ray else f"{workers} workers"
            print(f"sweep: {len(todo)} units to build on {where} "
                  f"({args.units - len(todo)} already in {ledger.path})", file=sys.stderr)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            job = SweepJob(args.recipe.resolve(), args.cell.resolve(), rates, args.seed)
            if args.ray is not None:
                from cellctl.sweep.ray_pool import run_ray

                run_ray(job, todo, args.ray, workers, ledger, progress)
            else:
                run_pool(job, todo, workers, ledger, progress)
        except KeyboardInterrupt:
            print(f"sweep: interrupted with {ledger.count()} of {args.units} units in {ledger.path}; continue with "
                  "the same command and --resume", file=sys.stderr)
            return EXIT_NOK
        finally:
            signal.signal(signal.SIGTERM, previous)
        wall = time.perf_counter() - started
        outcomes = ledger.outcomes(args.units)
    finally:
        ledger.close()
    summary = summarise(outcomes, rates, args.confidence)
    _report(summary, args, wall, len(todo), workers)
    return EXIT_OK if len(outcomes) == args.units else EXIT_NOK


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops a sweep as Ctrl-C does: workers stopped, the ledger kept for --resume."""
    raise KeyboardInterrupt


class _Progress:
    """One stderr line per finished unit."""

    def __init__(self, done: int, total: int, quiet: bool) -> None:
        self.done, self.total, self.quiet = done, total, quiet

    def __call__(self, outcome: UnitOutcome) -> None:
        self.done += 1
        if not self.quiet:
            cycle = f"{outcome.cycle_s:.2f} s" if outcome.cycle_s is not None else "-"
            why = f" ({outcome.reason})" if outcome.reason else ""
            print(f"[{self.done}/{self.total}] unit {outcome.unit}: {outcome.result}{why}, cycle {cycle}, "
                  f"{outcome.wall_s:.1f} s wall", file=sys.stderr, flush=True)


def _interval(i, unit: str = "") -> str:  # noqa: ANN001
    bound = lambda v: "?" if v is None else f"{v:.2f}{unit}"  # noqa: E731
    return f"{i.estimate:.2f}{unit} [{bound(i.low)}, {bound(i.high)}]"


def _report(summary: SweepSummary, args: argparse.Namespace, wall: float, built: int, workers: int) -> None:
    y = summary.yield_
    rows = [["units", str(summary.units), ", ".join(f"{k} {v}" for k, v in summary.results.items())],
            ["yield", f"{y.estimate:.2%} [{y.low:.2%}, {y.high:.2%}]", f"Wilson {y.confidence:.0%}"],
            ["cycle p50", _interval(summary.cycle_p50, " s"), f"order statistics, n={len(summary.cycle_samples)}"],
            ["cycle p95", _interval(summary.cycle_p95, " s"), "? = too few units for this bound"],
            ["cycle max", "-" if summary.cycle_max is None else f"{summary.cycle_max:.2f} s", "observed"]]
    for cause, count in summary.nok_causes.items():
        rows.append([f"NOK: {cause}", str(count), "units"])
    for cls, (rate, injected) in summary.failure_rates.items():
        inside = "" if injected is None else (" (inside)" if rate.low <= injected <= rate.high else " (OUTSIDE)")
        rows.append([f"rate: {cls}", f"{rate.estimate:.4f} [{rate.low:.4f}, {rate.high:.4f}]",
                     f"per attempt of {summary.attempts}; injected {injected if injected is not None else '-'}{inside}"])
    print(table(rows, ["figure", "value [CI]", "note"]))
    throughput = built / wall * 60.0 if wall > 0 and built else 0.0
    print(f"{built} units built in {wall:.1f} s on {workers} workers ({throughput:.2f} units/min); ledger: "
          f"{args.db / LEDGER_NAME}")
    if args.plot is not None:
        from cellctl.sweep.plot import plot_sweep

        print(f"plot: {plot_sweep(summary, args.plot, f'{args.recipe.name}: {summary.units} units, seed {args.seed}')}")
    if args.json:
        print(json.dumps({**summary.as_dict(), "built": built, "wall_s": wall, "workers": workers,
                          "units_per_min": throughput, "ledger": str(args.db / LEDGER_NAME)}))
