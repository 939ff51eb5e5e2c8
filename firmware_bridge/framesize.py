"""How many setpoints one SETPOINTS frame carries: chosen from the line's observed error rate.

A frame is lost whole when any of its bytes is hit (a flipped, lost or repeated byte fails the
CRC), so with byte error rate λ a frame of L bytes arrives with probability ``(1 − λ)^L``. Long
frames waste little on headers but are lost often on a noisy line; short ones survive but spend
more of the line on headers. The useful fraction of the line,

    g(L) = (L − H) / L · (1 − λ)^L        (H: header, CRC and framing bytes of a frame)

is largest at ``L* = (H + sqrt(H² + 4H/λ')) / 2`` with ``λ' = −ln(1 − λ)``; on a clean line
(λ → 0) that is the largest frame allowed. Each frame also costs handling (``FRAME_COST``),
which moves the optimum to somewhat longer frames. :class:`FrameSizer` estimates λ from the frames
the host receives damaged (failing CRC or framing) over windows of a few kilobytes: the
controller's STATUS flows all the time, so the estimate is ready before the first motion, and
both directions of a serial line share its noise. Retransmissions are not evidence: a peer that
is merely slow (a loaded host, an emulator writing its journal) makes the sender time out too,
and shrinking frames then only adds work — a spiral that starved the queue in our tests. (Whole
frames lost without damage do not depend on the frame size, so nothing is gained by shrinking
for them.) It smooths the estimate, and returns the number of
setpoints that makes the best use of the line. Frames shrink within a fraction of a second when
errors rise and grow back as the line stays clean.

Pure logic: feed it the link's running totals (:class:`LineCounts`) with :meth:`FrameSizer.observe`.
"""

from __future__ import annotations

import logging
import math
from typing import NamedTuple

log = logging.getLogger(__name__)

__all__ = ["FrameSizer", "LineCounts", "FRAME_OVERHEAD", "window_floor"]

FRAME_OVERHEAD = 16 + 5 + 4 + 2
"""Bytes of a SETPOINTS frame besides its knots: header, SETPOINTS fields, CRC, COBS code and delimiter."""
FRAME_COST = 100
"""What handling one more frame costs, in bytes of line time (see :meth:`FrameSizer.best_count`)."""


class LineCounts(NamedTuple):
    """Running totals of one link, both directions (the sender's own frames tell about the line
    towards the peer, the frames received about the line back; both usually share the noise)."""

    sent_frames: int
    """Reliable frames sent, retransmissions included."""
    sent_bytes: int
    retransmits: int
    received_frames: int
    """Good frames received."""
    received_bad: int
    """Frames received that failed CRC or framing."""
    received_bytes: int


def _rate(bad: int, frames: int, size: int) -> float:
    """Byte error rate that loses ``bad`` of ``frames`` frames totalling ``size`` bytes."""
    if frames <= 0 or size <= 0:
        return 0.0
    return -math.log1p(-min(bad / frames, 0.9)) / (size / frames)


def window_floor(window: int, srtt: float | None, knot_rate: float = 1000.0, headroom: float = 2.0) -> int:
    """Fewest setpoints a frame that still stream ``headroom`` × faster than they play.

    At most ``window`` frames are in flight per round trip ``srtt``, so frames of n setpoints carry
    ``window · n / srtt`` setpoints a second; below this floor the window, not the line, would
    starve the queue (the host samples motion at ``knot_rate``, 1 kHz)."""
    if srtt is None or srtt <= 0:
        return 1
    return max(1, math.ceil(headroom * knot_rate * srtt / window))


class FrameSizer:
    """Setpoints per frame for the observed error rate (see module docstring).

    Args:
        knot_bytes: wire bytes of one setpoint (8 + 4 · dof).
        max_count: the most setpoints a frame may carry (frame size, the controller's limit, the
            caller's request).
        window_bytes: bytes received between updates of the estimate.
        smoothing: weight of the newest window in the estimate (exponential moving average).
    """

    def __init__(self, knot_bytes: int, max_count: int, *, window_bytes: int = 4000,
                 smoothing: float = 0.4) -> None:
        if knot_bytes <= 0 or max_count < 1:
            raise ValueError(f"knot_bytes={knot_bytes} and max_count={max_count} must be positive")
        self.knot_bytes = knot_bytes
        self.max_count = max_count
        self.window_bytes = window_bytes
        self.smoothing = smoothing
        self.error_rate = 0.0
        """Estimated probability that a byte is damaged (flipped, lost or repeated)."""
        self.smallest = self.largest = max_count
        self.informed = False
        """True once a window of evidence was seen (before that the error rate is unknown, not 0)."""
        self._count = max_count
        self._floor = 1
        self._base: LineCounts | None = None

    @property
    def noisy(self) -> bool:
        """True while the line damages frames (False before there was enough traffic to tell)."""
        return self.error_rate > 1e-6

    @property
    def count(self) -> int:
        """Setpoints per frame now (the best for the line, at least the floor)."""
        count = max(self._count, self._floor)
        self.smallest = min(self.smallest, count)
        self.largest = max(self.largest, count)
        return count

    def observe(self, sent: LineCounts, floor: int = 1) -> int:
        """Update from the link's running totals; return the setpoints per frame to use now.

        ``floor``: never fewer setpoints a frame than this (see :func:`window_floor`)."""
        self._floor = max(1, min(floor, self.max_count))
        if self._base is None:
            self._base = sent
            return self.count
        delta = LineCounts(*(now - then for now, then in zip(sent, self._base)))
        if delta.received_bytes < self.window_bytes:
            return self.count
        self._base = sent
        self.informed = True
        rate = _rate(delta.received_bad, delta.received_frames + delta.received_bad, delta.received_bytes)
        self.error_rate = (1.0 - self.smoothing) * self.error_rate + self.smoothing * rate
        count = self.best_count(self.error_rate)
        if count != self._count:
            log.debug("frame size %d -> %d setpoints (byte error rate %.2g; %d of %d frames retransmitted)",
                      self._count, count, self.error_rate, delta.retransmits, delta.sent_frames)
        self._count = count
        return self.count

    def best_count(self, error_rate: float) -> int:
        """The setpoints per frame that carry the most setpoints through a line with ``error_rate``.

        Each frame also costs ``FRAME_COST`` bytes' worth of handling (two Python loops, a window
        slot, an acknowledgement): without it the optimum on a noisy line is so many tiny frames
        that the 32-frame window, not the line, limits the stream."""
        if error_rate <= 1e-9:
            return self.max_count
        keep = math.log1p(-min(error_rate, 0.5))

        def goodput(n: int) -> float:
            length = FRAME_OVERHEAD + n * self.knot_bytes
            return n * self.knot_bytes / (length + FRAME_COST) * math.exp(keep * length)

        return max(range(1, self.max_count + 1), key=goodput)
