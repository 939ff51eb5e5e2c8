"""A reliable, sequenced channel over checked frames: selective repeat with cumulative ack + SACK.

Pure logic with the clock passed in, no threads and no I/O, so it is unit-tested on its own and
used unchanged by the host (``host.py``) and the controller emulator (``emulator.py``).

Rules (docs/protocol.md, "Reliable delivery"):

* every reliable frame gets the next 32-bit sequence number (wrapping, compared in serial-number
  arithmetic); at most ``window`` (≤ 32) are unacknowledged at once;
* every frame sent carries ``ack`` = the next sequence number expected from the peer (all below
  it were received) and ``sack``, a bitmap of received frames above it (bit i = ack+1+i);
* the receiver delivers reliable payloads exactly once and in order; duplicates are dropped and
  re-acknowledged, out-of-order frames within the window are buffered;
* the sender retransmits a frame after the retransmission timeout without acknowledgement,
  sooner (``fast_rto``) when a SACK shows it missing while a later one arrived. The timeout
  adapts to the measured round trip as TCP's does (RFC 6298: srtt + 4·rttvar, at least ``rto``)
  and doubles with each retransmission of the same frame, up to ``rto_max``: a slow peer (a
  loaded host, a busy controller) is not flooded with copies of frames it simply has not
  acknowledged yet, which would only make it slower.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from firmware_bridge.frames import FLAG_RELIABLE, Ack, Frame, Message, MsgType

__all__ = ["ReliableEndpoint", "EndpointStats", "seq_diff", "SACK_BITS"]

SEQ_MOD = 1 << 32
SACK_BITS = 32


def seq_diff(a: int, b: int) -> int:
    """``a - b`` in 32-bit serial-number arithmetic (RFC 1982), in -2**31 .. 2**31-1."""
    d = (a - b) % SEQ_MOD
    return d - SEQ_MOD if d >= SEQ_MOD // 2 else d


@dataclass
class EndpointStats:
    """Counters of one endpoint (monotonic over its lifetime, not reset by sessions)."""

    sent: int = 0
    sent_bytes: int = 0
    """Wire bytes of reliable frames sent (header, payload, CRC, framing), retransmissions included."""
    retransmits: int = 0
    delivered: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    beyond_window: int = 0
    """Frames dropped because they were further ahead than the receive buffer holds."""
    stale_epoch: int = 0
    rtt_samples: deque[float] = field(default_factory=lambda: deque(maxlen=512))


@dataclass
class _Pending:
    seq: int
    type: int
    payload: bytes
    last_sent: float = -1.0
    sends: int = 0
    sacked: bool = False


class ReliableEndpoint:
    """One end of the reliable channel (see module docstring)."""

    def __init__(self, window: int = 32, rto: float = 0.05, ack_delay: float = 0.002, rto_max: float = 0.25,
                 rx_window: int = SACK_BITS) -> None:
        self.window = self.max_window = _check_window("window", window)
        self.rx_window = _check_window("rx_window", rx_window)
        """Out-of-order frames buffered at most (a frame further ahead is dropped and re-acknowledged)."""
        self.rto = rto
        self.rto_max = rto_max
        self.ack_delay = ack_delay
        self.stats = EndpointStats()
        self.epoch = 0
        self._tx_next = 1
        self._rx_next = 1
        self._outstanding: dict[int, _Pending] = {}
        self._next_due = -math.inf  # when the next outstanding frame falls due for retransmission
        self._queue: deque[_Pending] = deque()
        self._rx_buffer: dict[int, Frame] = {}
        self._ack_due: float | None = None
        self._srtt: float | None = None
        self._rttvar = 0.0

    # ------------------------------------------------------------------ session
    @property
    def rx_next(self) -> int:
        """The next sequence number expected from the peer."""
        return self._rx_next

    def reset(self, epoch: int) -> list[tuple[int, int, bytes]]:
        """Start a fresh session; return the (seq, type, payload) of reliable frames never acknowledged."""
        lost = [(p.seq, p.type, p.payload) for p in sorted(self._all_pending(), key=lambda p: p.seq)]
        self.epoch = epoch
        self._tx_next = 1
        self._rx_next = 1
        self._outstanding.clear()
        self._queue.clear()
        self._rx_buffer.clear()
        self._ack_due = None
        return lost

    def resume(self, peer_rx_next: int) -> None:
        """Continue the session after a reconnect: the peer has everything below ``peer_rx_next``."""
        self._apply_ack(peer_rx_next, 0, now=None)
        for pending in self._outstanding.values():
            pending.last_sent = -1.0
        self._next_due = -math.inf
        self._ack_due = 0.0

    def limit_window(self, peer_rx_window: int) -> None:
        """Never have more frames unacknowledged than the peer can buffer (its announced receive window)."""
        self.window = min(self.max_window, _check_window("peer receive window", peer_rx_window))

    def _all_pending(self) -> list[_Pending]:
        return list(self._outstanding.values()) + list(self._queue)

    @property
    def unacknowledged(self) -> int:
        """Reliable frames queued or in flight and not yet acknowledged."""
        return len(self._outstanding) + len(self._queue)

    @property
    def window_free(self) -> int:
        """How many more reliable frames may be put in flight now."""
        return max(0, self.window - len(self._outstanding) - len(self._queue))

    @property
    def retransmission_timeout(self) -> float:
        """Seconds without an acknowledgement before a first retransmission (adaptive)."""
        if self._srtt is None:
            return self.rto
        return min(self.rto_max, max(self.rto, self._srtt + 4.0 * self._rttvar))

    @property
    def srtt(self) -> float | None:
        """Smoothed round-trip time of acknowledged frames, seconds (None before the first)."""
        return self._srtt

    # ------------------------------------------------------------------ sending
    def send(self, message: Message) -> int:
        """Queue a reliable message; return its sequence number."""
        seq = self._tx_next
        self._tx_next = (self._tx_next + 1) % SEQ_MOD
        self._queue.append(_Pending(seq, int(message.TYPE), message.encode()))
        return seq

    def make(self, message: Message) -> Frame:
        """An unreliable frame for ``message`` carrying the current ack/sack."""
        self._ack_due = None
        return Frame(int(message.TYPE), 0, self.epoch, 0, self._rx_next, self._sack_bits(), message.encode())

    def poll(self, now: float) -> list[Frame]:
        """Frames to transmit now: due retransmissions, new frames within the window, a pure ack."""
        out: list[Frame] = []
        if self._outstanding and now >= self._next_due:
            out.extend(self._due(now))
        while self._queue and len(self._outstanding) < self.window:
            pending = self._queue.popleft()
            self._outstanding[pending.seq] = pending
            out.append(self._transmit(pending, now))
            self._next_due = min(self._next_due, now + self.retransmission_timeout)
        if not out and self._ack_due is not None and now >= self._ack_due:
            out.append(self.make(_ACK))
        if out:
            self._ack_due = None
        return out

    def _due(self, now: float) -> list[Frame]:
        """Retransmit the outstanding frames whose timeout has passed, oldest first, and note when
        the next one falls due (polls before then skip this scan: it runs at every servo tick)."""
        out: list[Frame] = []
        fast = min(self.rto, max(0.004, 1.5 * self._srtt)) if self._srtt is not None else self.rto
        timeout = self.retransmission_timeout
        highest_sacked = max((p.seq for p in self._outstanding.values() if p.sacked), default=None,
                             key=lambda s: seq_diff(s, self._rx_next))
        next_due = math.inf
        for pending in sorted(self._outstanding.values(), key=lambda p: seq_diff(p.seq, self._tx_next)):
            if pending.sacked:
                continue
            hole = highest_sacked is not None and seq_diff(pending.seq, highest_sacked) < 0
            wait = fast if hole else min(self.rto_max, timeout * 2 ** max(pending.sends - 1, 0))
            if now - pending.last_sent >= wait:
                out.append(self._transmit(pending, now))
                wait = min(self.rto_max, timeout * 2 ** max(pending.sends - 1, 0))
            next_due = min(next_due, pending.last_sent + wait)
        self._next_due = next_due
        return out

    def _transmit(self, pending: _Pending, now: float) -> Frame:
        if pending.sends:
            self.stats.retransmits += 1
        pending.sends += 1
        pending.last_sent = now
        self.stats.sent += 1
        self.stats.sent_bytes += len(pending.payload) + _FRAMING_BYTES
        return Frame(pending.type, FLAG_RELIABLE, self.epoch, pending.seq, self._rx_next,
                     self._sack_bits(), pending.payload)

    def _sack_bits(self) -> int:
        bits = 0
        for seq in self._rx_buffer:
            offset = seq_diff(seq, self._rx_next) - 1
            if 0 <= offset < SACK_BITS:
                bits |= 1 << offset
        return bits

    # ------------------------------------------------------------------ receiving
    def on_frame(self, frame: Frame, now: float) -> list[Frame]:
        """Process a checked frame of this session; return frames to hand to the application, in order.

        Frames of another epoch are counted in ``stats.stale_epoch`` and ignored.
        """
        if frame.epoch != self.epoch:
            self.stats.stale_epoch += 1
            return []
        self._apply_ack(frame.ack, frame.sack, now)
        if not frame.reliable:
            return [] if frame.type == MsgType.ACK else [frame]
        return self._receive_reliable(frame, now)

    def _receive_reliable(self, frame: Frame, now: float) -> list[Frame]:
        offset = seq_diff(frame.seq, self._rx_next)
        if offset < 0 or frame.seq in self._rx_buffer:
            self.stats.duplicates += 1
            self._ack_due = now
            return []
        if offset >= self.rx_window:
            self.stats.beyond_window += 1
            self._ack_due = now
            return []
        if offset > 0:
            self.stats.out_of_order += 1
            self._rx_buffer[frame.seq] = frame
            self._ack_due = now
            return []
        delivered = [frame]
        self._rx_next = (self._rx_next + 1) % SEQ_MOD
        while self._rx_next in self._rx_buffer:
            delivered.append(self._rx_buffer.pop(self._rx_next))
            self._rx_next = (self._rx_next + 1) % SEQ_MOD
        self.stats.delivered += len(delivered)
        if self._ack_due is None:
            self._ack_due = now + self.ack_delay
        return delivered

    def _apply_ack(self, ack: int, sack: int, now: float | None) -> None:
        for seq in list(self._outstanding):
            pending = self._outstanding[seq]
            if seq_diff(seq, ack) < 0:
                del self._outstanding[seq]
                self._next_due = -math.inf  # timeouts and holes changed: look again at the next poll
                if not pending.sacked:
                    self._rtt_sample(pending, now)
            else:
                bit = seq_diff(seq, ack) - 1
                if 0 <= bit < SACK_BITS and sack >> bit & 1 and not pending.sacked:
                    pending.sacked = True
                    self._next_due = -math.inf
                    self._rtt_sample(pending, now)

    def _rtt_sample(self, pending: _Pending, now: float | None) -> None:
        if now is None or pending.sends != 1 or pending.last_sent < 0:
            return  # Karn's rule: no sample from retransmitted frames
        rtt = now - pending.last_sent
        self.stats.rtt_samples.append(rtt)
        if self._srtt is None:
            self._srtt, self._rttvar = rtt, rtt / 2.0
        else:
            self._rttvar = 0.75 * self._rttvar + 0.25 * abs(self._srtt - rtt)
            self._srtt = 0.875 * self._srtt + 0.125 * rtt


_ACK = Ack()
_FRAMING_BYTES = 16 + 4 + 2
"""Header, CRC, COBS code byte and delimiter of a frame (COBS adds one more byte per 254)."""


def _check_window(name: str, value: int) -> int:
    if not 1 <= value <= SACK_BITS:
        raise ValueError(f"{name}={value} must be 1..{SACK_BITS} (the SACK bitmap covers 32 frames)")
    return value
