"""Longer fuzz run of the frame decoder, the message parser and the controller's dispatcher.

Feeds random bytes, mutated valid frames (bit flips, truncation, splicing, duplication) and
frames with valid CRCs but random payloads. Any exception, or one feed taking longer than
--hang-ms, is a failure. Prints throughput and counters; exit status 1 on failure.

    PYTHONPATH=. python benchmarks/fuzz_decoder.py [--seconds 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np

from firmware_bridge.controller import Controller, ControllerConfig
from firmware_bridge.frames import (
    MESSAGES, Frame, FrameDecoder, Hello, Marker, Setpoints, Status, encode_frame, parse_message,
)

SEEDS = [
    Hello(1, 0, 1, 5, 0),
    Marker(7),
    Setpoints(0, 1, np.arange(1, 11, dtype=np.int64) * 1000, np.zeros((10, 7), np.int32)),
    Status(1, 0, 1, 0, 0, 0, 0, 0, np.zeros(7, np.int32), np.zeros(7, np.int32), (301,)),
]


def _mutate(rng: random.Random, wire: bytes) -> bytes:
    data = bytearray(wire)
    for _ in range(rng.randrange(1, 6)):
        choice = rng.randrange(5)
        if choice == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif choice == 1 and data:
            del data[rng.randrange(len(data)) :]
        elif choice == 2:
            data[rng.randrange(len(data) + 1) : 0] = rng.randbytes(rng.randrange(1, 20))
        elif choice == 3:
            data.extend(bytes(data))
        else:
            data.insert(rng.randrange(len(data) + 1), 0)
    return bytes(data)


def _case(rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 2000))
    if kind == 1:
        message = rng.choice(SEEDS)
        return _mutate(rng, encode_frame(Frame(int(message.TYPE), rng.randrange(2), 0, 1, 1, 0, message.encode())))
    kind_byte = rng.choice(sorted(MESSAGES))
    payload = rng.randbytes(rng.randrange(0, 300))
    return encode_frame(Frame(kind_byte, rng.randrange(4), 0, rng.getrandbits(32), rng.getrandbits(32),
                              rng.getrandbits(32), payload))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang-ms", type=float, default=200.0, help="slowest acceptable single feed")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    decoder = FrameDecoder()
    controller = Controller(ControllerConfig())
    cases = frames = messages = 0
    slowest = 0.0
    start = time.monotonic()
    now_us = 0
    while time.monotonic() - start < args.seconds:
        data = _case(rng)
        t0 = time.perf_counter()
        for frame in decoder.feed(data):
            frames += 1
            if not isinstance(parse_message(frame), int):
                messages += 1
            controller.on_frame(frame, now_us)
        now_us += 1000
        controller.tick(now_us)
        slowest = max(slowest, time.perf_counter() - t0)
        cases += 1
    elapsed = time.monotonic() - start
    print(f"fuzzed {cases:,} inputs in {elapsed:.0f} s ({cases / elapsed:,.0f}/s), seed {args.seed}")
    print(f"frames passing CRC {frames:,}, parsed as messages {messages:,}; decoder counters {decoder.counters}")
    print(f"controller counters {controller.counters}; slowest single input {slowest * 1e3:.2f} ms")
    if slowest * 1e3 > args.hang_ms:
        print(f"FAIL: an input took {slowest * 1e3:.1f} ms (> {args.hang_ms} ms)")
        return 1
    print("no exception escaped, no hang")
    return 0


if __name__ == "__main__":
    sys.exit(main())
