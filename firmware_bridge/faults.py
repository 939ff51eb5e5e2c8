"""Seeded fault injection on a byte stream: corruption, byte and frame drops, duplicates, delays, disconnects.

Shared by the fault proxy (``proxy.py``) and the emulator's ``--faults`` option. The injector is
frame-aware: it cuts the stream at 0x00 delimiters so that drop/duplicate/delay act on whole
frames (what a lossy radio or a flaky buffer does), while corruption flips bits of single bytes
and ``drop_byte``/``dup_byte`` lose or repeat single bytes (a UART overrun, a noisy start bit).
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, fields

__all__ = ["FaultSpec", "FaultInjector", "FaultCounters"]


@dataclass(frozen=True)
class FaultSpec:
    """Fault rates. Parse from text with :meth:`parse`, e.g. ``"corrupt=0.01,drop=0.005,seed=3"``.

    Attributes:
        corrupt: probability that a byte gets one random bit flipped.
        drop_byte: probability that a byte is lost.
        dup_byte: probability that a byte is received twice.
        drop: probability that a frame is dropped.
        dup: probability that a frame is sent twice.
        delay: probability that a frame is held back by up to ``delay_ms`` (reorders frames).
        delay_ms: longest delay, milliseconds.
        disconnect: disconnects per second (on average; the transport decides what that means).
        disconnect_ms: how long a disconnect lasts, milliseconds.
        seed: random seed (every run with the same seed and input injects the same faults).
    """

    corrupt: float = 0.0
    drop_byte: float = 0.0
    dup_byte: float = 0.0
    drop: float = 0.0
    dup: float = 0.0
    delay: float = 0.0
    delay_ms: float = 20.0
    disconnect: float = 0.0
    disconnect_ms: float = 100.0
    seed: int = 0

    _BOUNDS = {"corrupt": 0.5, "drop_byte": 0.5, "dup_byte": 0.5, "drop": 0.9, "dup": 0.9, "delay": 1.0, "delay_ms": 10_000.0,
               "disconnect": 100.0, "disconnect_ms": 60_000.0}

    def __post_init__(self) -> None:
        for name, high in self._BOUNDS.items():
            value = getattr(self, name)
            if not 0.0 <= value <= high:
                raise ValueError(f"fault spec {name}={value} is out of range; valid: 0 .. {high}")

    @classmethod
    def parse(cls, text: str) -> "FaultSpec":
        """Parse ``key=value`` pairs separated by commas; unknown keys and bad numbers fail loudly."""
        valid = [f.name for f in fields(cls)]
        values: dict[str, float | int] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, raw = item.partition("=")
            if not sep or key not in valid:
                raise ValueError(f"fault spec item {item!r} is not key=value with a key from {valid}")
            try:
                values[key] = int(raw) if key == "seed" else float(raw)
            except ValueError:
                raise ValueError(f"fault spec {key}={raw!r} is not a number") from None
        return cls(**values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        """True when any fault rate is non-zero."""
        return any(getattr(self, n) for n in ("corrupt", "drop_byte", "dup_byte", "drop", "dup", "delay", "disconnect"))


@dataclass
class FaultCounters:
    """What an injector actually did."""

    bytes: int = 0
    frames: int = 0
    corrupted: int = 0
    """Bytes with a bit flipped."""
    bytes_dropped: int = 0
    bytes_duplicated: int = 0
    dropped: int = 0
    """Whole frames dropped (``drop``)."""
    duplicated: int = 0
    delayed: int = 0
    disconnects: int = 0


class FaultInjector:
    """Applies a :class:`FaultSpec` to one direction of a byte stream.

    Call :meth:`push` with bytes as they arrive and :meth:`pop` to get the bytes to forward now.
    """

    MAX_PENDING = 4096

    def __init__(self, spec: FaultSpec, seed_offset: int = 0) -> None:
        self.spec = spec
        self.counters = FaultCounters()
        self._rng = random.Random(spec.seed * 1_000_003 + seed_offset)
        self._partial = bytearray()
        self._heap: list[tuple[float, int, bytes]] = []
        self._order = 0

    def push(self, data: bytes, now: float) -> None:
        """Feed bytes read from the source at time ``now`` (seconds, any monotonic clock)."""
        self.counters.bytes += len(data)
        self._partial += data
        while True:
            end = self._partial.find(b"\x00")
            if end < 0:
                break
            unit = bytes(self._partial[: end + 1])
            del self._partial[: end + 1]
            self._frame(unit, now)
        if len(self._partial) > self.MAX_PENDING:
            self._frame(bytes(self._partial), now)
            self._partial.clear()

    def pop(self, now: float) -> bytes:
        """Bytes due for forwarding at ``now``, in release order."""
        out = bytearray()
        while self._heap and self._heap[0][0] <= now:
            out += heapq.heappop(self._heap)[2]
        return bytes(out)

    def disconnect_due(self, dt: float) -> bool:
        """Whether a random disconnect happens in the next ``dt`` seconds."""
        if self.spec.disconnect and self._rng.random() < self.spec.disconnect * dt:
            self.counters.disconnects += 1
            return True
        return False

    def clear(self) -> None:
        """Forget bytes in flight (the connection they belonged to is gone)."""
        self._partial.clear()
        self._heap.clear()

    def _frame(self, unit: bytes, now: float) -> None:
        spec, rng = self.spec, self._rng
        self.counters.frames += 1
        if spec.drop and rng.random() < spec.drop:
            self.counters.dropped += 1
            return
        unit = self._corrupt(unit)
        release = now
        if spec.delay and rng.random() < spec.delay:
            self.counters.delayed += 1
            release += rng.random() * spec.delay_ms / 1000.0
        copies = 2 if spec.dup and rng.random() < spec.dup else 1
        self.counters.duplicated += copies - 1
        for _ in range(copies):
            self._order += 1
            heapq.heappush(self._heap, (release, self._order, unit))

    def _corrupt(self, unit: bytes) -> bytes:
        """Flip, lose or repeat single bytes at the spec's per-byte rates."""
        spec = self.spec
        rate = spec.corrupt + spec.drop_byte + spec.dup_byte
        if not rate:
            return unit
        data = bytearray(unit)
        i = self._next_gap(rate) - 1
        while i < len(data):
            kind = self._rng.random() * rate
            if kind < spec.corrupt:
                data[i] ^= 1 << self._rng.randrange(8)
                self.counters.corrupted += 1
            elif kind < spec.corrupt + spec.drop_byte:
                del data[i]
                self.counters.bytes_dropped += 1
                i -= 1
            else:
                data.insert(i, data[i])
                self.counters.bytes_duplicated += 1
                i += 1
            i += self._next_gap(rate)
        return bytes(data)

    def _next_gap(self, rate: float) -> int:
        """Distance to the next faulty byte (geometric), so the cost is per fault, not per byte."""
        u = 1.0 - self._rng.random()
        return 1 + int(math.log(u) / math.log1p(-rate))
