"""Throughput and overhead of the cellctl.rt runtime, with a plain-Python reference per figure.

Run:  PYTHONPATH=. python benchmarks/bench_runtime.py [--quick]

Prints figures; asserts nothing about wall time. Each runtime figure is paired with a plain
Python loop doing the same useful work (build the message, call the callback) without the
runtime, measured in the same run, so the ratio is comparable across machines.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import deque
from concurrent.futures import Future
from typing import Callable

from cellctl.rt.clock import Duration, SimClock
from cellctl.rt.context import Context
from cellctl.rt.executor import Executor
from cellctl.rt.messages import JointState, Trigger
from cellctl.rt.node import Node
from cellctl.rt.topics import QoSProfile

JOINTS = ("j1", "j2", "j3", "j4", "j5", "j6")
POSITIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def best_of(repeats: int, run: Callable[[], float]) -> float:
    """The shortest of ``repeats`` timings (seconds), the least disturbed by the machine."""
    return min(run() for _ in range(repeats))


def timed(body: Callable[[], None]) -> float:
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def setup() -> tuple[Context, Executor, Node, Node]:
    context = Context(SimClock())
    executor = Executor(context)
    server, client = Node(context, "server"), Node(context, "client")
    executor.add_node(server)
    executor.add_node(client)
    return context, executor, server, client


def bench_topic(n: int, repeats: int) -> tuple[float, float]:
    """Messages/s: build a 6-joint JointState, publish, dispatch to one subscriber callback."""
    _, executor, server, client = setup()
    received: list[JointState] = []
    client.create_subscription(JointState, "/js", received.append, QoSProfile(depth=n))
    pub = server.create_publisher(JointState, "/js")

    def runtime() -> None:
        for _ in range(n):
            pub.publish(JointState(name=JOINTS, position=POSITIONS))
        executor.spin_some()
        received.clear()

    def reference() -> None:
        queue: deque[JointState] = deque()
        for _ in range(n):
            queue.append(JointState(name=JOINTS, position=POSITIONS))
        while queue:
            received.append(queue.popleft())
        received.clear()

    return n / best_of(repeats, lambda: timed(runtime)), n / best_of(repeats, lambda: timed(reference))


def bench_service(n: int, repeats: int) -> tuple[float, float]:
    """Round trips/s of a blocking Trigger call (request → handler → response)."""
    _, _, server, client = setup()

    def handler(request: Trigger.Request) -> Trigger.Response:
        return Trigger.Response(True)

    server.create_service(Trigger, "/go", handler)
    cli = client.create_client(Trigger, "/go")

    def runtime() -> None:
        for _ in range(n):
            cli.call(Trigger.Request(), timeout=1.0)

    def reference() -> None:
        for _ in range(n):
            future: Future[Trigger.Response] = Future()
            future.set_result(handler(Trigger.Request()))
            future.result()

    return n / best_of(repeats, lambda: timed(runtime)), n / best_of(repeats, lambda: timed(reference))


def bench_timer(n: int, repeats: int) -> tuple[float, float]:
    """Seconds per timer callback through advance_sim, and per plain call of the same callback."""
    context, executor, server, _ = setup()
    clock = context.clock
    assert isinstance(clock, SimClock)
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1

    server.create_timer(0.001, tick)

    def runtime() -> None:
        executor.advance_sim(clock, Duration.from_seconds(n * 0.001))

    def reference() -> None:
        for _ in range(n):
            tick()

    return best_of(repeats, lambda: timed(runtime)) / n, best_of(repeats, lambda: timed(reference)) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    args = parser.parse_args()
    n, repeats = (500, 2) if args.quick else (20_000, 5)
    print(f"cellctl.rt benchmark — Python {platform.python_version()} on {platform.machine()}, "
          f"n={n}, best of {repeats}")
    rows = [
        ("topic messages/s (6-joint JointState)", *bench_topic(n, repeats), "/s"),
        ("service round trips/s (Trigger)", *bench_service(n // 4, repeats), "/s"),
    ]
    for label, runtime, reference, _unit in rows:
        print(f"{label:<42} {runtime:>12,.0f}   reference {reference:>12,.0f}   "
              f"runtime is {reference / runtime:4.1f}x slower")
    per_tick, per_call = bench_timer(n, repeats)
    print(f"{'executor overhead per timer callback':<42} {per_tick * 1e6:>10.2f} µs   reference "
          f"{per_call * 1e6:>10.3f} µs   overhead {(per_tick - per_call) * 1e6:.2f} µs")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
