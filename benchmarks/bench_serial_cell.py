"""Benchmark: the demo unit over serial on a busy host, beside the same unit in simulation.

Starts two controller emulators (``cellctl emulator --cell … --arm …``, on TCP), then runs
``cellctl run`` of the demo recipe against them while ``--busy`` CPU-bound processes run beside
it and the host process is stopped (SIGSTOP) ``--stalls`` times for ``--stall-ms`` each. Prints
the unit's result, its cycle time next to the simulation's (``cellctl demo --units 1``), and
per arm the smallest queue margin the controller saw when a batch arrived (how much motion was
still queued: the host's stalls must stay shorter than this) and how many new motions it
delayed because they arrived late.

    python benchmarks/bench_serial_cell.py [--busy 2] [--stalls 3] [--stall-ms 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from firmware_bridge.testing import EmulatorProcess

CELLCTL = [shutil.which("cellctl") or "cellctl"]


def _spin() -> None:
    while True:
        pass


def _staller(pid: int, count: int, stall: float, first: float, every: float, done: threading.Event) -> None:
    """Stop the process ``pid`` for ``stall`` seconds, ``count`` times."""
    if done.wait(first):
        return
    for _ in range(count):
        try:
            os.kill(pid, signal.SIGSTOP)
            time.sleep(stall)
        finally:
            os.kill(pid, signal.SIGCONT)
        if done.wait(every):
            return


REFILL_GAP_US = 20_000  # a batch this long after the arm's previous one is a refill, not part of a burst


def _margins(journal: Path) -> tuple[float | None, float | None, int]:
    """From an emulator journal: (smallest queue margin when a refill arrived, smallest margin when
    any batch continuing a motion arrived, new motions delayed), margins in seconds.

    A refill comes after the host waited for the queue to drain (the low-water mark of the deep
    queue); the batches of a motion's first fill come back to back, each 28 ms behind the last,
    and their margin is the lead plus what the earlier ones queued."""
    refill = continuing = None
    delayed, previous_at = 0, None
    for line in journal.read_text().splitlines():
        record = json.loads(line)
        if record["k"] != "setpoints":
            continue
        at, margin = record["at"], record.get("margin")
        if margin is not None:
            margin *= 1e-6
            continuing = margin if continuing is None else min(continuing, margin)
            if previous_at is not None and at - previous_at >= REFILL_GAP_US:
                refill = margin if refill is None else min(refill, margin)
        elif record["t"][0] <= record["tau"]:
            delayed += 1
        previous_at = at
    return refill, continuing, delayed


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1e3:.0f} ms"


def _sim_cycle(folder: Path) -> float:
    done = subprocess.run([*CELLCTL, "demo", "--units", "1", "--json", "--quiet"], cwd=folder, capture_output=True,
                          text=True, timeout=600, check=True)
    return float(json.loads(done.stdout.splitlines()[-1])["cycle_time_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--busy", type=int, default=2, help="CPU-bound processes beside the host (default 2)")
    parser.add_argument("--stalls", type=int, default=3, help="SIGSTOP stalls of the host (default 3)")
    parser.add_argument("--stall-ms", type=float, default=200.0, help="length of each stall (default 200 ms)")
    parser.add_argument("--keep", metavar="DIR", help="copy the journals and logs of the run here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([*CELLCTL, "demo", "--export", str(folder / "demo")], cwd=folder, check=True,
                       capture_output=True, timeout=120)
        recipe, cell = folder / "demo" / "recipe.yaml", folder / "demo" / "cell.yaml"
        sim_cycle = _sim_cycle(folder)
        emulators = {arm: EmulatorProcess("--cell", str(cell), "--arm", arm, "--tcp", "0", "--journal",
                                          str(folder / f"{arm}.jsonl"), command=[*CELLCTL, "emulator"],
                                          log=folder / f"{arm}.log", ready_timeout=30.0)
                     for arm in ("loader", "screwer")}
        hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
        try:
            for emulator in emulators.values():
                emulator.start()
            backend = "serial:" + ",".join(f"{arm}={e.tcp_url}" for arm, e in emulators.items())
            for hog in hogs:
                hog.start()
            started = time.monotonic()
            host = subprocess.Popen([*CELLCTL, "run", str(recipe), "--cell", str(cell), "--backend", backend,
                                     "--json", "--quiet", "--db", str(folder / "serial.db")], cwd=folder,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            done = threading.Event()
            staller = threading.Thread(target=_staller, args=(host.pid, args.stalls, args.stall_ms / 1e3, 5.0,
                                                              10.0, done), daemon=True)
            staller.start()
            try:
                out, err = host.communicate(timeout=900)
            finally:
                done.set()
                staller.join(5.0)
                if host.poll() is None:
                    host.kill()
            wall = time.monotonic() - started
        finally:
            for hog in hogs:
                hog.terminate()
            for emulator in emulators.values():
                emulator.stop()
        summary = json.loads(out.splitlines()[-1]) if out.strip() else {}
        print(f"host: {args.busy} busy processes beside it, {args.stalls} stalls of {args.stall_ms:.0f} ms")
        print(f"serial run: exit {host.returncode}, units OK {summary.get('units_ok')}, "
              f"NOK {summary.get('units_nok')}, {wall:.1f} s wall")
        if host.returncode != 0:
            print(err.strip().splitlines()[-1] if err.strip() else "(no message)")
        serial_cycle = summary.get("cycle_time_s") or float("nan")
        print(f"cycle time: serial {serial_cycle:.2f} s, simulation {sim_cycle:.2f} s, "
              f"ratio {serial_cycle / sim_cycle:.3f}")
        for arm in emulators:
            refill, continuing, delayed = _margins(folder / f"{arm}.jsonl")
            print(f"{arm}: smallest queue margin at a refill {_ms(refill)}, at any batch continuing a motion "
                  f"{_ms(continuing)}; new motions delayed {delayed}")
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
            print(f"journals and logs kept in {args.keep}")
        return 0 if host.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
