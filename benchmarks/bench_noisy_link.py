"""Benchmark: the demo unit over serial through the fault proxy on a noisy line.

Starts two controller emulators (``cellctl emulator --cell … --arm …`` on pseudo-terminals), puts
a :class:`~firmware_bridge.proxy.FaultProxy` in front of each that flips, drops and repeats bytes
in both directions, and runs ``cellctl run`` of the demo recipe (in this process, so the host's
link counters can be read at the end). Prints the unit's result, per arm what the proxy did and
what the host saw (retransmitted frames, CRC errors, the range of setpoints per frame the frame
sizer chose), and checks from the emulators' journals that every reliable command was executed
exactly once (no sequence number twice, none missing).

    python benchmarks/bench_noisy_link.py [--corrupt 5e-4] [--drop-byte 2e-4] [--dup-byte 2e-4] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cellctl.cli.main import main as cellctl_main
from firmware_bridge.faults import FaultSpec
from firmware_bridge.proxy import FaultProxy
from firmware_bridge.testing import EmulatorProcess, read_journal

CELLCTL = [shutil.which("cellctl") or "cellctl"]
ARMS = ("loader", "screwer")


class _LinkReports(logging.Handler):
    """Collects the link statistics each SerialSystem logs when it closes."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.reports: dict[str, logging.LogRecord] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "link_stats"):
            self.reports[record.arm] = record  # type: ignore[attr-defined]


def _exactly_once(journal: Path) -> tuple[int, int, int]:
    """(reliable commands executed, sequence numbers executed twice, missing) from an emulator journal."""
    seqs: dict[int, list[int]] = {}
    epoch = 0
    for record in read_journal(str(journal)):
        if record["k"] == "hello" and not record["resumed"]:
            epoch = record["epoch"]
        elif "seq" in record:
            seqs.setdefault(epoch, []).append(record["seq"])
    executed = sum(len(s) for s in seqs.values())
    twice = sum(len(s) - len(set(s)) for s in seqs.values())
    missing = sum(max(s) - len(set(s)) for s in seqs.values() if s)
    return executed, twice, missing


def _batches(journal: Path) -> list[int]:
    return [len(r["t"]) for r in read_journal(str(journal)) if r["k"] == "setpoints"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corrupt", type=float, default=5e-4, help="bytes with a bit flipped, per byte (default 5e-4)")
    parser.add_argument("--drop-byte", type=float, default=2e-4, help="bytes lost, per byte (default 2e-4)")
    parser.add_argument("--dup-byte", type=float, default=2e-4, help="bytes repeated, per byte (default 2e-4)")
    parser.add_argument("--seed", type=int, default=1, help="fault seed (default 1)")
    parser.add_argument("--keep", type=Path, default=None, help="copy the emulators' journals and logs to this folder")
    args = parser.parse_args()

    handler = _LinkReports()
    backend_log = logging.getLogger("firmware_bridge.backend")
    backend_log.setLevel(logging.INFO)
    backend_log.addHandler(handler)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        debug = logging.FileHandler(args.keep / "host.log", mode="w")
        debug.setLevel(logging.DEBUG)
        debug.setFormatter(logging.Formatter("%(relativeCreated)9.0f %(message)s"))
        backend_log.addHandler(debug)
        backend_log.setLevel(logging.DEBUG)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([*CELLCTL, "demo", "--export", str(folder / "demo")], cwd=folder, check=True,
                       capture_output=True, timeout=120)
        recipe, cell = folder / "demo" / "recipe.yaml", folder / "demo" / "cell.yaml"
        emulators = {arm: EmulatorProcess("--cell", str(cell), "--arm", arm, "--link", str(folder / f"{arm}-emu"),
                                          "--journal", str(folder / f"{arm}.jsonl"), command=[*CELLCTL, "emulator"],
                                          log=folder / f"{arm}.log", ready_timeout=30.0)
                     for arm in ARMS}
        proxies: dict[str, FaultProxy] = {}
        try:
            for i, (arm, emulator) in enumerate(emulators.items()):
                emulator.start()
                spec = {"corrupt": args.corrupt, "drop_byte": args.drop_byte, "dup_byte": args.dup_byte}
                proxies[arm] = FaultProxy(emulator.url, link=str(folder / f"{arm}-host"),
                                          to_controller=FaultSpec(**spec, seed=args.seed + 2 * i),
                                          to_host=FaultSpec(**spec, seed=args.seed + 2 * i + 1)).start()
            backend = "serial:" + ",".join(f"{arm}={proxy.link}" for arm, proxy in proxies.items())
            out, err = io.StringIO(), io.StringIO()
            started = time.monotonic()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = cellctl_main(["run", str(recipe), "--cell", str(cell), "--backend", backend, "--json",
                                       "--quiet", "--db", str(folder / "serial.db")])
            wall = time.monotonic() - started
        finally:
            for proxy in proxies.values():
                proxy.stop()
            for emulator in emulators.values():
                emulator.stop()
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            for arm in ARMS:
                for suffix in (".jsonl", ".log"):
                    shutil.copy(folder / f"{arm}{suffix}", args.keep)
        lines = out.getvalue().strip().splitlines()
        summary = json.loads(lines[-1]) if lines else {}
        print(f"line: per byte {args.corrupt:g} flipped, {args.drop_byte:g} dropped, {args.dup_byte:g} "
              f"duplicated, each direction (seed {args.seed})")
        print(f"run: exit {status}, units OK {summary.get('units_ok')}, NOK {summary.get('units_nok')}, "
              f"cycle {summary.get('cycle_time_s') or float('nan'):.2f} s, {wall:.1f} s wall")
        if status != 0:
            print(err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else "(no message)")
        for arm in ARMS:
            proxy = proxies[arm]
            down, up = proxy.to_controller, proxy.to_host
            print(f"{arm}: proxy host->controller {down.bytes:,} B: {down.corrupted} flipped, {down.bytes_dropped} "
                  f"dropped, {down.bytes_duplicated} duplicated; controller->host {up.bytes:,} B: {up.corrupted} "
                  f"flipped, {up.bytes_dropped} dropped, {up.bytes_duplicated} duplicated")
            report = handler.reports.get(arm)
            if report is not None:
                stats = report.link_stats  # type: ignore[attr-defined]
                low, high = report.batch_range  # type: ignore[attr-defined]
                print(f"{arm}: host sent {stats.frames_tx:,} frames, retransmitted {stats.retransmits}; received "
                      f"{stats.frames_rx:,}, {stats.crc_errors} CRC errors, {stats.framing_errors} framing errors; "
                      f"frame sizer {low}..{high} setpoints a frame; reconnects {stats.reconnects}")
            batches = _batches(folder / f"{arm}.jsonl")
            executed, twice, missing = _exactly_once(folder / f"{arm}.jsonl")
            if batches:
                print(f"{arm}: controller got {len(batches)} SETPOINTS frames of {min(batches)}..{max(batches)} "
                      f"setpoints (mean {sum(batches) / len(batches):.1f}); {executed} reliable commands executed, "
                      f"{twice} twice, {missing} missing")
        return 0 if status == 0 and summary.get("units_ok") == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
