"""How many setpoints one SETPOINTS frame carries: chosen from the line's observed error rate.

A frame is lost whole when any of its bytes is hit (a flipped, lost or repeated byte fails the
CRC), so with byte error rate λ a frame of L bytes arrives with probability ``(1 − λ)^L``. Long
frames waste little on headers but are lost often on a noisy line; short ones survive but spend
more of the line on headers. The useful fraction of the line,

    g(L) = (L − H) / L · (1 − λ)^L        (H: header, CRC and framing bytes of a frame)

is largest at ``L* = (H + sqrt(H² + 4H/λ')) / 2`` with ``λ' = −ln(1 − λ)``; on a clean line
(λ → 0) that is the largest frame allowed. Each frame also costs handling (``FRAME_COST``),
which moves the optimum to somewhat longer frames. :class:`FrameSizer` estimates λ from the sender's own
retransmissions (each one stands for a frame that did not get through) over windows of a few
kilobytes, smooths it, and returns the number of setpoints that makes a frame closest to L*. Frames
shrink within a fraction of a second when errors rise and grow back as the line stays clean.

Pure logic: feed it the endpoint's running totals with :meth:`FrameSizer.observe`.
"""

from __future__ import annotations

import math

__all__ = ["FrameSizer", "FRAME_OVERHEAD"]

FRAME_OVERHEAD = 16 + 5 + 4 + 2
"""Bytes of a SETPOINTS frame besides its knots: header, SETPOINTS fields, CRC, COBS code and delimiter."""
FRAME_COST = 100
"""What handling one more frame costs, in bytes of line time (see :meth:`FrameSizer.best_count`)."""


class FrameSizer:
    """Setpoints per frame for the observed error rate (see module docstring).

    Args:
        knot_bytes: wire bytes of one setpoint (8 + 4 · dof).
        max_count: the most setpoints a frame may carry (frame size, the controller's limit, the
            caller's request).
        window_bytes: evidence gathered before each update of the estimate.
        smoothing: weight of the newest window in the estimate (exponential moving average).
    """

    def __init__(self, knot_bytes: int, max_count: int, *, window_bytes: int = 6000,
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
        self._count = max_count
        self._base: tuple[int, int, int] | None = None

    @property
    def count(self) -> int:
        """Setpoints per frame now."""
        return self._count

    def observe(self, frames_sent: int, bytes_sent: int, retransmits: int) -> int:
        """Update from the sender's running totals (reliable frames and bytes sent, retransmissions
        among them); return the setpoints per frame to use now."""
        if self._base is None:
            self._base = (frames_sent, bytes_sent, retransmits)
            return self._count
        frames, size, lost = (now - then for now, then in zip((frames_sent, bytes_sent, retransmits), self._base))
        if size < self.window_bytes or frames <= 0:
            return self._count
        self._base = (frames_sent, bytes_sent, retransmits)
        loss = min(lost / frames, 0.9)
        mean_length = size / frames
        rate = -math.log1p(-loss) / mean_length
        self.error_rate = (1.0 - self.smoothing) * self.error_rate + self.smoothing * rate
        self._count = self.best_count(self.error_rate)
        self.smallest = min(self.smallest, self._count)
        self.largest = max(self.largest, self._count)
        return self._count

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
