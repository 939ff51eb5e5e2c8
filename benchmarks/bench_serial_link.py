"""Benchmark: sustained 1 kHz streaming of 7-axis setpoints over the serial link to the emulator.

Prints bytes per second on the wire (against a 1 Mbaud budget, 8N1 = 100 000 B/s each way),
command latency (a MARKER barrier round trip: median and 99th percentile, idle and while
streaming) and e-stop latency (host call → controller execution, and → confirmation).

    PYTHONPATH=. python benchmarks/bench_serial_link.py [--seconds 10] [--batch 10] [--tcp] [--faults SPEC]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from cellctl.hw.types import StopKind
from firmware_bridge.backend import SerialSystem
from firmware_bridge.faults import FaultSpec
from firmware_bridge.proxy import FaultProxy
from firmware_bridge.testing import EmulatorProcess, read_journal

BUDGET_BYTES_PER_S = 1_000_000 / 10  # 1 Mbaud, 8N1


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms (n={len(ordered)})"


def _stream(system: SerialSystem, seconds: float, lead: float) -> list[float]:
    """Stream 1 kHz setpoints in 100 ms chunks for ``seconds`` from a producer thread; meanwhile
    measure barrier (MARKER) latencies on this thread. Returns the latencies."""
    arm = system.arm
    period, chunk = 0.001, 100  # 0.1 s refills, as the supervisor streams (REFILL)
    phase = np.linspace(0.2, 1.4, arm.dof)
    stop = threading.Event()

    origin = arm.read().positions
    t0 = system.now() + lead

    def path(times: np.ndarray) -> np.ndarray:
        return origin + 0.3 * np.sin(np.outer(times - t0, phase))

    def produce() -> None:
        t_next = t0
        while not stop.is_set():
            while t_next - system.now() < lead:
                times = t_next + np.arange(chunk) * period
                arm.submit(times, path(times), final=False, new_motion=t_next == t0)
                t_next = times[-1] + period
            time.sleep(0.002)
        times = t_next + np.arange(chunk) * period
        arm.submit(times, path(times), final=True)

    producer = threading.Thread(target=produce, name="bench-producer")
    producer.start()
    latencies: list[float] = []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            latencies.append(arm.sync(timeout=2.0))
            time.sleep(0.005)
    finally:
        stop.set()
        producer.join(5.0)
    arm.wait_status(lambda s: not s.is_moving, timeout=5.0)
    return latencies


def _estop_latencies(system: SerialSystem, journal: Path | None, repeats: int) -> tuple[list[float], list[float]]:
    arm = system.arm
    confirm, one_way, sent_at = [], [], []
    for _ in range(repeats):
        start = arm.read().positions
        times = system.now() + 0.03 + np.arange(300) * 0.001
        arm.submit(times, start + np.outer(np.linspace(0, 0.05, 300), np.ones(arm.dof)), new_motion=True)
        arm.wait_status(lambda s: s.time > times[50], timeout=2.0)
        sent_at.append(system.now())
        t0 = time.monotonic()
        arm.stop(StopKind.EMERGENCY)
        confirm.append(time.monotonic() - t0)
        arm.reset()
    if journal is not None:
        stops = [r["t"] * 1e-6 for r in read_journal(str(journal)) if r["k"] == "stop" and r["kind"] == 1]
        one_way = [executed - sent for executed, sent in zip(stops[-repeats:], sent_at)]
    return confirm, one_way


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="streaming duration (default 10 s)")
    parser.add_argument("--batch", type=int, default=255,
                        help="most setpoints per frame (default: as many as fit, 28 for 7 joints; 10 was the "
                             "figure before issue 10); the link may send fewer (frame sizing)")
    parser.add_argument("--tcp", action="store_true", help="connect over TCP instead of the pseudo-terminal")
    parser.add_argument("--estops", type=int, default=30, help="e-stop repetitions (default 30)")
    parser.add_argument("--faults", default="", help='route through the fault proxy, e.g. "corrupt=0.0001,drop=0.001"')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "journal.jsonl"
        with EmulatorProcess("--link", f"{tmp}/arm", "--tcp", "0", "--journal", str(journal)) as emulator:
            url = emulator.tcp_url if args.tcp else emulator.url
            proxy = None
            if args.faults:
                spec = FaultSpec.parse(args.faults)
                proxy = FaultProxy(url, link=f"{tmp}/proxy", to_controller=spec, to_host=spec).start()
                url = proxy.link
            system = SerialSystem(url, max_batch=args.batch)
            try:
                system.configure()
                system.activate()
                idle = [system.arm.sync() for _ in range(200)]
                before = system.link_stats()
                t0 = time.monotonic()
                streaming = _stream(system, args.seconds, lead=1.0)  # the supervisor's default queue depth
                elapsed = time.monotonic() - t0
                after = system.link_stats()
                faults = system.arm.read().faults
                if faults:  # e.g. an underrun when the machine starved the emulator longer than the lead
                    system.arm.reset()
                confirm, one_way = _estop_latencies(system, journal, args.estops)
            finally:
                system.shutdown()
                if proxy is not None:
                    proxy.stop()
    tx = (after.bytes_tx - before.bytes_tx) / elapsed
    rx = (after.bytes_rx - before.bytes_rx) / elapsed
    print(f"link: {'TCP' if args.tcp else 'pseudo-terminal'}, 7 axes, 1 kHz setpoints, {args.batch} per frame, "
          f"{args.seconds:.0f} s, faults: {args.faults or 'none'}")
    print(f"host->controller: {tx:,.0f} B/s = {100 * tx / BUDGET_BYTES_PER_S:.1f} % of 1 Mbaud (8N1)")
    print(f"controller->host: {rx:,.0f} B/s = {100 * rx / BUDGET_BYTES_PER_S:.1f} % of 1 Mbaud (8N1)")
    print(f"frames tx {after.frames_tx - before.frames_tx}, rx {after.frames_rx - before.frames_rx}, "
          f"retransmits {after.retransmits - before.retransmits}, crc errors {after.crc_errors}, "
          f"framing errors {after.framing_errors}")
    print(f"faults after streaming: {[f.name for f in faults] or 'none'}")
    print(f"command latency idle:      {_percentiles(idle)}")
    print(f"command latency streaming: {_percentiles(streaming)}")
    print(f"clock-sync round trip:     median {after.rtt_median * 1e3:.2f} ms, p99 {after.rtt_p99 * 1e3:.2f} ms")
    print(f"e-stop call -> confirmed:  {_percentiles(confirm)}")
    if one_way:
        print(f"e-stop call -> executed:   {_percentiles(one_way)} (controller clock, synchronised)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
