"""What ``--record FILE.mcap`` costs: the demo run with and without it, in one run.

Runs ``cellctl demo --units N --json`` alternately without and with ``--record`` (``--pairs``
times each, in fresh processes, so a burst of load on the shared machine spoils one pass, not
one side), and prints each run's wall time and real-time factor (cell seconds per wall second)
from the JSON summary, the best of each side, the overhead (best real-time factor without over
best with, minus 1) and the recording's size and message count. Run:

    python benchmarks/bench_record.py [--units 1] [--pairs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mcap.reader import make_reader


def _cellctl() -> list[str]:
    script = shutil.which("cellctl")
    return [script] if script else [sys.executable, "-m", "cellctl.cli.main"]


def run_demo(folder: Path, units: int, record: Path | None) -> dict:
    db = folder / "bench.db"
    for stale in folder.glob("bench.db*"):
        if stale.is_file():
            stale.unlink()
        else:
            shutil.rmtree(stale)
    argv = [*_cellctl(), "demo", "--units", str(units), "--json", "--quiet", "--db", str(db),
            "--image", str(folder / "bench.png")]
    if record is not None:
        argv += ["--record", str(record)]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=900, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
                summary = run_demo(folder, args.units, record if side == "with" else None)
                results[side].append(summary)
                print(f"pair {index + 1} {side:>7} --record: wall {summary['wall_time_s']:6.2f} s, "
                      f"cell {summary['sim_time_s']:6.2f} s, {summary['realtime_factor']:.2f}x real time", flush=True)
        with record.open("rb") as stream:
            summary = make_reader(stream).get_summary()
        messages = summary.statistics.message_count if summary and summary.statistics else 0
        size = record.stat().st_size
    best = {side: max(r["realtime_factor"] for r in runs) for side, runs in results.items()}
    wall = {side: min(r["wall_time_s"] for r in runs) for side, runs in results.items()}
    print(f"best real-time factor: {best['without']:.2f}x without, {best['with']:.2f}x with --record; "
          f"overhead {100 * (best['without'] / best['with'] - 1):+.1f} %")
    print(f"best wall time: {wall['without']:.2f} s without, {wall['with']:.2f} s with "
          f"({100 * (wall['with'] / wall['without'] - 1):+.1f} %)")
    print(f"recording: {size / 1e6:.2f} MB, {messages} messages, {size / max(1, messages):.0f} bytes per message")


if __name__ == "__main__":
    main()
