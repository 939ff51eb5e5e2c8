"""What ``--record FILE.mcap`` costs: the demo run with and without it, in one run.

Runs ``cellctl demo --units N --json`` in this process alternately without and with
``--record`` (``--pairs`` times each, so a burst of load on the shared machine spoils one pass,
not one side). For each run it prints the wall time, the CPU time of this process and the
real-time factor (cell seconds per wall second); for the runs with ``--record`` also the time
spent inside the recorder (sampling the arms, encoding, writing; measured by wrapping its
methods), as a share of that run's wall time and (thread CPU time) of the process's CPU time:
the figure least disturbed by other load. Then
the best of each side, the overheads, and the recording's size. Run:

    python benchmarks/bench_record.py [--units 1] [--pairs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcap.reader import make_reader  # noqa: E402

from cellctl.cli.main import main as cellctl  # noqa: E402
from cellctl.service.recording import Recorder  # noqa: E402

INSIDE = [0.0, 0.0]  # wall and CPU seconds inside the recorder


def _timed(method: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return method(*args, **kwargs)
        finally:
            INSIDE[0] += time.perf_counter() - wall
            INSIDE[1] += time.thread_time() - cpu
    return wrapper


for _name in ("__init__", "sample", "on_record", "close"):
    setattr(Recorder, _name, _timed(getattr(Recorder, _name)))


def run_demo(folder: Path, units: int, record: Path | None) -> dict:
    for stale in folder.iterdir():
        if stale.name.startswith("bench.db") and stale.is_file():
            stale.unlink()
    argv = ["demo", "--units", str(units), "--json", "--quiet", "--db", str(folder / "bench.db"),
            "--image", str(folder / "bench.png")]
    if record is not None:
        argv += ["--record", str(record)]
    INSIDE[:] = [0.0, 0.0]
    out = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        code = cellctl(argv)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert code == 0, summary
    summary.update(process_wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu, recorder_s=INSIDE[0],
                   recorder_cpu_s=INSIDE[1])
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        record = folder / "bench.mcap"
        results: dict[str, list[dict]] = {"without": [], "with": []}
        for index in range(args.pairs):
            for side in ("without", "with"):
                s = run_demo(folder, args.units, record if side == "with" else None)
                results[side].append(s)
                inside = (f", recorder {s['recorder_s']:5.2f} s wall = {100 * s['recorder_s'] / s['wall_time_s']:.1f} %"
                          f" of the run, {s['recorder_cpu_s']:5.2f} s CPU = {100 * s['recorder_cpu_s'] / s['cpu_s']:.1f} %"
                          " of the process's" if side == "with" else "")
                print(f"pair {index + 1} {side:>7} --record: run {s['wall_time_s']:6.2f} s wall, "
                      f"process {s['cpu_s']:6.2f} s CPU, {s['realtime_factor']:.2f}x real time{inside}", flush=True)
        with record.open("rb") as stream:
            summary = make_reader(stream).get_summary()
        messages = summary.statistics.message_count if summary and summary.statistics else 0
        size = record.stat().st_size
    best = {side: max(r["realtime_factor"] for r in runs) for side, runs in results.items()}
    cpu = {side: min(r["cpu_s"] for r in runs) for side, runs in results.items()}
    share = [r["recorder_s"] / r["wall_time_s"] for r in results["with"]]
    cpu_share = [r["recorder_cpu_s"] / r["cpu_s"] for r in results["with"]]
    print(f"best real-time factor: {best['without']:.2f}x without, {best['with']:.2f}x with --record "
          f"({100 * (best['without'] / best['with'] - 1):+.1f} % time)")
    print(f"least CPU time: {cpu['without']:.2f} s without, {cpu['with']:.2f} s with "
          f"({100 * (cpu['with'] / cpu['without'] - 1):+.1f} %)")
    print(f"time inside the recorder: {100 * min(share):.1f} .. {100 * max(share):.1f} % of each recorded run's wall "
          f"time, {100 * min(cpu_share):.1f} .. {100 * max(cpu_share):.1f} % of its CPU time")
    print(f"recording: {size / 1e6:.2f} MB, {messages} messages, {size / max(1, messages):.0f} bytes per message")


if __name__ == "__main__":
    main()
