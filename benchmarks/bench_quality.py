"""Quality checks on the simulated screw process: cost per result, false alarms, detection.

Uses the simulator's screw process model (sim.screw_model) directly, unit by unit, four holes
per unit like the demo (the full PyBullet demo takes ~30 s of wall time per unit; the screws'
numbers are the same model). Prints:

1. the cost per tightening result of the SPC update and of the curve check (resample + PCA
   scores), in µs, next to the cost of simulating that tightening (the reference, same run);
   and the cost of journaling a chart point next to journaling a tightening row;
2. false alarms without drift: runs of ``--units`` units over ``--seeds`` seeds, with the demo
   recipe's given limits and with limits learned from the first 25 units;
3. drift +0.5 %/unit of the target torque: the unit of the first alarm and of the first NOK;
4. curve shape: false-alarm rate on ``--curves`` good curves and detection of each shape fault
   (final torque inside the window) on as many, for models learned from 40 good curves (the default)
   on ``--models`` different training sets (the worst set's rates are printed too).

Run:

    python benchmarks/bench_quality.py [--seeds 200 --units 40 --curves 500]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter

from pathlib import Path

import numpy as np

from cellctl.config import demo_cell_path, load_cell
from cellctl.journal import Journal
from cellctl.quality.chart import IndividualsChart, Limits
from cellctl.quality.curves import fit_curve_model, resample
from cellctl.quality.monitor import Observation, QualityMonitor
from cellctl.quality.settings import GivenLimits, QualitySettings
from sim.injection import FailureKind
from sim.screw_model import judge, simulate_tightening

CELL = load_cell(demo_cell_path())
HOLE = next(iter(CELL.holes.values()))
PROGRAM, SEAT = HOLE.program, CELL.screws[HOLE.screw].seat_angle
GIVEN = {"m14_standard": GivenLimits(0.1527, 0.0019)}
HOLES = ("h1", "h2", "h3", "h4")


def curve(kind, seed, shutoff=None):  # noqa: ANN001, ANN201
    return simulate_tightening(PROGRAM, SEAT, kind, np.random.default_rng(seed), shutoff)


def observation(c, hole: str) -> Observation:  # noqa: ANN001
    return Observation("m14_standard", hole, judge(PROGRAM, c).ok, float(c.torque[-1]), PROGRAM.target_torque,
                       PROGRAM.torque_min, PROGRAM.torque_max, c.angle, c.torque)


def cost(n: int) -> None:
    curves = [curve(None, [9, i]) for i in range(n)]
    t0 = time.perf_counter()
    for i in range(n):
        curve(None, [9, i])
    sim_us = (time.perf_counter() - t0) / n * 1e6
    chart = IndividualsChart(limits=Limits(0.1527, 0.0019, "given"))
    t0 = time.perf_counter()
    for c in curves:
        chart.add(float(c.torque[-1]))
    spc_us = (time.perf_counter() - t0) / n * 1e6
    model = fit_curve_model(np.array([resample(c.angle, c.torque, PROGRAM.target_torque) for c in curves[:40]]))
    vectors = [resample(c.angle, c.torque, PROGRAM.target_torque) for c in curves]
    t0 = time.perf_counter()
    for v in vectors:
        model.scores(v)
    scores_us = (time.perf_counter() - t0) / n * 1e6
    t0 = time.perf_counter()
    for c in curves:
        model.scores(resample(c.angle, c.torque, PROGRAM.target_torque))
    pca_us = (time.perf_counter() - t0) / n * 1e6
    monitor = QualityMonitor(QualitySettings(limits=GIVEN))
    obs = [observation(c, HOLES[i % 4]) for i, c in enumerate(curves)]
    t0 = time.perf_counter()
    for o in obs:
        monitor.observe(o)
    all_us = (time.perf_counter() - t0) / n * 1e6
    print(f"per result ({n} results): SPC chart {spc_us:.1f} µs, curve check {pca_us:.1f} µs (of which PCA scores "
          f"{scores_us:.1f} µs, the rest resampling), monitor in all "
          f"(no journal) {all_us:.1f} µs; simulating the tightening {sim_us:.0f} µs "
          f"(monitor/simulation {all_us / sim_us:.3f})")


def journal_cost(n: int) -> None:
    """A point journaled (one committed transaction, synchronous=FULL) next to a tightening's own row."""
    with tempfile.TemporaryDirectory() as folder, Journal(Path(folder) / "j.db") as journal:
        unit = journal.start_unit("B", "r", "1", "c", 0.0)
        t0 = time.perf_counter()
        for i in range(n):
            journal.start_tightening(unit.id, None, "h1", i, "m14_standard", PROGRAM, 10 + i, 0.0)
        row_us = (time.perf_counter() - t0) / n * 1e6
        t0 = time.perf_counter()
        for i in range(n):
            journal.add_spc_point(unit_id=unit.id, tightening_id=i + 1, program="m14_standard", hole="h1",
                                  value=0.15, phase="monitoring", z=0.0, ewma=0.0, at=0.0)
        point_us = (time.perf_counter() - t0) / n * 1e6
    print(f"journal ({n} rows, temporary folder): an SPC point {point_us:.0f} µs, a tightening row {row_us:.0f} µs "
          f"(ratio {point_us / row_us:.2f})")


def run(seed: int, units: int, drift: float, settings: QualitySettings) -> tuple[int | None, int | None, list[str]]:
    monitor = QualityMonitor(settings)
    first_alarm = first_nok = None
    rules: list[str] = []
    for unit in range(units):
        for k, hole in enumerate(HOLES):
            c = curve(None, [seed, unit, k], PROGRAM.target_torque * (1.0 + drift * unit))
            o = observation(c, hole)
            alarms = monitor.observe(o)
            rules += [a.rule for a in alarms]
            if alarms and first_alarm is None:
                first_alarm = unit + 1
            if not o.ok and first_nok is None:
                first_nok = unit + 1
    return first_alarm, first_nok, rules


def false_alarms(seeds: int, units: int) -> None:
    for name, settings in (("given limits", QualitySettings(limits=GIVEN)),
                           ("learned from 25 units", QualitySettings())):
        runs = [run(1000 + s, units, 0.0, settings) for s in range(seeds)]
        noisy = [r for r in runs if r[0] is not None]
        rules = Counter(rule for r in runs for rule in r[2])
        print(f"no drift, {name}: {len(noisy)} of {seeds} runs of {units} units alarmed "
              f"({len(noisy) / seeds:.1%}; {sum(rules.values())} alarms in {seeds * units} units; "
              f"by rule {dict(sorted(rules.items())) or '-'})")


def drift(seeds: int, units: int) -> None:
    runs = [run(2000 + s, units, 0.005, QualitySettings(limits=GIVEN)) for s in range(seeds)]
    alarm = np.array([r[0] or 999 for r in runs])
    nok = np.array([r[1] or 999 for r in runs])
    print(f"drift +0.5 %/unit, given limits, {seeds} runs: first alarm at unit median {np.median(alarm):.0f} "
          f"(max {alarm.max()}), first NOK at unit median {np.median(nok):.0f} (min {nok.min()}); alarm before the "
          f"first NOK in {np.mean(alarm < nok):.1%} of runs")


def curves(n: int, models: int) -> None:
    def vector(c) -> np.ndarray:  # noqa: ANN001
        return resample(c.angle, c.torque, PROGRAM.target_torque)

    cs = QualitySettings().curves
    assert cs is not None
    learn = cs.learn
    fitted = [fit_curve_model(np.array([vector(curve(None, [5, m, i])) for i in range(learn)]), alpha=cs.alpha,
                              margin=cs.margin) for m in range(models)]
    good = [vector(curve(None, [6, i])) for i in range(n)]
    rates = [np.mean([model.flags(v) for v in good]) for model in fitted]
    print(f"curves: good curves flagged {np.mean(rates):.3%} (worst training set {max(rates):.2%}) of {n} curves, "
          f"{models} models of {learn} curves each, margin {cs.margin}")
    for kind in (FailureKind.HARD_JOINT, FailureKind.BURR, FailureKind.THREAD_YIELD):
        faulty = [curve(kind, [7, i]) for i in range(n)]
        in_window = [vector(c) for c in faulty if judge(PROGRAM, c).ok]
        hits = [np.mean([model.flags(v) for v in in_window]) for model in fitted]
        print(f"curves: {kind.value}: {len(in_window)} of {n} judged OK by the windows; flagged {np.mean(hits):.1%} "
              f"(worst training set {min(hits):.1%})")


def drift_journal(path: Path, units: int, drift: float, seed: int = 1) -> None:
    """Write a journal of ``units`` units (4 holes, the process model) drifting by ``drift`` per unit,
    charted with the recipe defaults and limits learned from the first 10 units (for the docs' chart)."""
    from cellctl.hw.tools import ToolResult
    from cellctl.quality.monitor import restore

    path.unlink(missing_ok=True)
    with Journal(path) as journal:
        monitor = restore(QualitySettings(learn=10, on_alarm="warn"), journal)
        for u in range(units):
            unit = journal.start_unit("PH", "bench", "1", "bench", float(u))
            for k, hole in enumerate(HOLES):
                c = curve(None, [seed, u, k], PROGRAM.target_torque * (1.0 + drift * u))
                o = observation(c, hole)
                tid = journal.start_tightening(unit.id, None, hole, 0, "m14_standard", PROGRAM, 100 + 4 * u + k, 0.0)
                journal.finish_tightening(tid, ToolResult(command_id=0, ok=o.ok, status="OK" if o.ok else "NOK",
                                                          torque=o.torque, angle=float(c.angle[-1]),
                                                          curve_time=c.time, curve_torque=c.torque,
                                                          curve_angle=c.angle), float(u))
                monitor.observe(Observation(**{**o.__dict__, "unit_id": unit.id, "tightening_id": tid}), float(u))
            journal.end_unit(unit.id, "OK", None, float(u))
    print(f"wrote {path}: {units} units drifting {drift:+.2%}/unit; 'cellctl plot --db {path} --spc' draws it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--curves", type=int, default=500)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--journal", type=Path, default=None,
                        help="only write a 30-unit journal drifting +0.5 %%/unit to this file (for a chart)")
    args = parser.parse_args()
    if args.journal is not None:
        drift_journal(args.journal, 30, 0.005)
        return
    cost(2000)
    journal_cost(200)
    false_alarms(args.seeds, args.units)
    drift(min(args.seeds, 100), args.units)
    curves(args.curves, args.models)


if __name__ == "__main__":
    main()
