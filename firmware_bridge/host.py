"""The host side of the serial link: port, I/O thread, handshake, resume, clock sync, statistics.

:class:`HostLink` opens any pyserial URL with ``serial.serial_for_url`` (a device path such as
``/dev/ttyACM0``, ``socket://127.0.0.1:5000``, ``loop://``) and runs all I/O on its own thread.
When the port fails it reopens it; when the controller falls silent it handshakes again on the
open port first. Either way it asks to *resume* the session and retransmits whatever the
controller had not acknowledged, so no command is lost or repeated.
If the controller restarted instead (new epoch), the listener is told which commands were lost.

The link is single-threaded: the listener's callbacks run on the I/O thread, and the listener
sends only from inside them (``on_tick`` is called on every loop iteration).
"""

from __future__ import annotations

import logging
import random
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import serial
from serial.urlhandler.protocol_socket import Serial as _SocketSerial

from cellctl.hw.errors import HardwareError, LinkLost
from firmware_bridge.errors import ErrorCode, describe
from firmware_bridge.frames import (
    MAX_PAYLOAD, MIN_MAX_PAYLOAD, PROTOCOL_VERSION, Frame, FrameDecoder, Hello, HelloAck, Message, MsgType, TimeReq, TimeResp,
    encode_frame, parse_message,
)
from firmware_bridge.framesize import LineCounts
from firmware_bridge.link import SACK_BITS, ReliableEndpoint

__all__ = ["HostLink", "LinkStats", "LinkListener", "LinkOptions", "read_available"]

log = logging.getLogger(__name__)


class LinkListener(Protocol):
    """What the backend implements to use a :class:`HostLink` (all calls on the I/O thread)."""

    def on_session(self, ack: HelloAck, resumed: bool, lost: list[tuple[int, int, bytes]]) -> None:
        """A session was established (``resumed``) or started afresh (``lost`` = unacked commands)."""

    def on_message(self, message: Message) -> None:
        """A message arrived (reliable ones exactly once and in order)."""

    def on_tick(self, link: "HostLink") -> None:
        """Called every loop iteration while the session is up; send from here."""

    def on_link_down(self) -> None:
        """The port failed or the controller fell silent; the link is reconnecting."""

    def on_handshaking(self, link: "HostLink") -> None:
        """Called every loop iteration while the host handshakes on an open port after a session
        existed: send only what must reach a controller that may still hear the host although its
        answers are lost (an out-of-band stop), with :meth:`HostLink.send_unreliable`."""


STALL_MEMORY = 10.0
"""Seconds the I/O loop's stalls are remembered (:meth:`HostLink.recent_stalls`)."""
STALL_FLOOR = 0.02
"""Seconds a read of the port may come back late (after its 1 ms timeout) before it counts as a stall."""
READ_CHUNK = 65536
"""Bytes asked of a port whose ``in_waiting`` is not a byte count (pyserial's ``socket://``)."""


def read_available(port: serial.SerialBase) -> bytes:
    """Everything the port has now, waiting at most its read timeout when it has nothing.

    pyserial's ``socket://`` handler reports ``in_waiting`` as 0 or 1 (readable or not), so
    ``read(in_waiting)`` would take one byte per call: a thread that must win the GIL back for each
    call (every 5 ms while another thread computes) then reads 200 bytes a second, and a
    controller's status frames pile up unread until the link goes silent. Sockets are therefore
    read in chunks (the read returns what arrived, after at most the port's timeout).
    """
    if isinstance(port, _SocketSerial):
        return port.read(READ_CHUNK)
    return port.read(max(1, port.in_waiting))


@dataclass(frozen=True)
class LinkOptions:
    """Tunables of a :class:`HostLink`."""

    baudrate: int = 1_000_000
    expected_config_hash: int = 0
    """0 accepts any controller configuration."""
    window: int = 32
    rto: float = 0.05
    read_timeout: float = 0.001
    hello_interval: float = 0.1
    time_sync_interval: float = 0.05
    reconnect_interval: float = 0.05
    silence_timeout: float = 0.5
    """No valid frame for this long while established counts as a disconnect."""
    handshake_retry: float = 1.0
    """Reopen the port when a handshake gets no answer for this long (the device may have changed)."""


@dataclass(frozen=True)
class LinkStats:
    """A snapshot of link statistics (counters are totals since the link was created)."""

    connected: bool
    epoch: int
    bytes_tx: int
    bytes_rx: int
    frames_tx: int
    frames_rx: int
    retransmits: int
    crc_errors: int
    framing_errors: int
    oversize: int
    duplicates_rx: int
    out_of_order_rx: int
    stale_epoch: int
    disconnects: int
    reconnects: int
    resumes: int
    reopens: int
    """Times the port was closed and opened again: it failed, or a handshake got no answer for
    ``handshake_retry`` (a silent session alone is handshaken again on the open port)."""
    rtt_median: float
    rtt_p99: float
    rtt_min: float
    clock_offset: float


class _Clock:
    """Controller-clock estimate from TIME_REQ/TIME_RESP round trips.

    The estimate is the offset of the sample with the smallest round trip among the last
    ``WINDOW`` (asymmetric delays of a busy link inflate the round trip, so the fastest sample is
    the most trustworthy). The offset *applied* follows the estimate at no more than ``SLEW``
    (seconds per second), never in a step once the first sample has set it: a new estimate of a
    few milliseconds must not move the controller clock the host sees backwards, or stretch a
    queue margin by the same amount at once.
    """

    WINDOW = 64   # samples: 3.2 s at one TIME_REQ per 50 ms
    SLEW = 0.05   # the applied offset changes by at most 50 ms per second, so host-side time never runs backwards

    def __init__(self) -> None:
        self._samples: deque[tuple[int, int]] = deque(maxlen=self.WINDOW)
        self.rtts: deque[float] = deque(maxlen=1024)
        # (host ns, applied offset ns there, estimate ns to slew to): one tuple, swapped whole,
        # so a reader in another thread never sees half an update
        self._slew: tuple[int, int, int] | None = None

    @property
    def offset_ns(self) -> int | None:
        """Controller clock minus host monotonic clock now, ns (None before any estimate)."""
        return self.offset_at(time.monotonic_ns())

    def offset_at(self, host_ns: int) -> int | None:
        """The applied offset at host time ``host_ns``, slewing towards the latest estimate."""
        slew = self._slew
        if slew is None:
            return None
        since, offset, target = slew
        room = int(self.SLEW * max(0, host_ns - since))
        return offset + max(-room, min(room, target - offset))

    def _adopt(self, estimate_ns: int, host_ns: int, step: bool) -> None:
        applied = None if step else self.offset_at(host_ns)
        self._slew = (host_ns, estimate_ns if applied is None else applied, estimate_ns)

    def rough(self, controller_us: int, host_ns: int) -> None:
        if self._slew is None:
            self._adopt(controller_us * 1000 - host_ns, host_ns, step=True)

    def sample(self, resp: TimeResp, t4_ns: int) -> None:
        t1, t2, t3 = resp.t1, resp.t2 * 1000, resp.t3 * 1000
        rtt = (t4_ns - t1) - (t3 - t2)
        if rtt < 0:
            return
        self.rtts.append(rtt * 1e-9)
        first = not self._samples
        self._samples.append((rtt, ((t2 - t1) + (t3 - t4_ns)) // 2))
        self._adopt(min(self._samples)[1], t4_ns, step=first)

    def reset(self) -> None:
        """A new session (the controller may have restarted): forget the estimate and its history."""
        self._samples.clear()
        self._slew = None


class HostLink:
    """A reliable link to one controller over a pyserial URL (see module docstring)."""

    def __init__(self, url: str, listener: LinkListener, options: LinkOptions | None = None,
                 seed: int | None = None) -> None:
        self.url = url
        self.options = options or LinkOptions()
        self._listener = listener
        self._endpoint = ReliableEndpoint(window=self.options.window, rto=self.options.rto)
        self._stalls: deque[tuple[float, float]] = deque(maxlen=256)
        self._stall_lock = threading.Lock()
        self._decoder = FrameDecoder()
        self._clock = _Clock()
        self._nonce_source = random.SystemRandom()
        """Nonces come from the OS, never from ``seed``: two hosts started with the same seed must
        not send the same nonce, or the controller takes the second for a repeat of the first."""
        self._port: serial.SerialBase | None = None
        self._state = "down"
        self._fatal: HardwareError | None = None
        self._nonce = 0
        self._epoch = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._muted = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_rx = 0.0
        self._hello_since = 0.0
        self._next_hello = 0.0
        self._next_time_req = 0.0
        self._next_open = 0.0
        self._counts = {"bytes_tx": 0, "bytes_rx": 0, "frames_tx": 0, "disconnects": 0, "reconnects": 0,
                        "resumes": 0, "opens": 0}
        self.controller_info: HelloAck | None = None

    # ------------------------------------------------------------------ public, any thread
    def start(self) -> None:
        """Start the I/O thread (it opens the port and handshakes)."""
        self._thread = threading.Thread(target=self._run, name=f"cellctl-link {self.url}", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the I/O thread and close the port (idempotent, bounded by ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close_port()

    def wait_established(self, timeout: float) -> HelloAck:
        """Block until the handshake succeeded.

        Raises:
            HardwareError: the controller refused the handshake (version or configuration mismatch).
            LinkLost: no handshake within ``timeout`` seconds.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._state == "up" or self._fatal is not None, timeout)
            if self._fatal is not None:
                raise self._fatal
            if self._state != "up" or self.controller_info is None:
                raise LinkLost(
                    f"no handshake with a controller on {self.url} within {timeout} s (link state "
                    f"{self._state}); check that the controller is powered and the port/URL is right"
                )
            return self.controller_info

    @property
    def established(self) -> bool:
        """True while a session is up."""
        return self._state == "up"

    def set_muted(self, muted: bool) -> None:
        """Stop (or resume) transmitting while still receiving: simulates a stalled host (tests, HIL)."""
        if muted:
            self._muted.set()
        else:
            self._muted.clear()

    def controller_time(self) -> float:
        """The controller's clock now, seconds (the synchronised estimate)."""
        host_ns = time.monotonic_ns()
        offset = self._clock.offset_at(host_ns)
        if offset is None:
            raise LinkLost(f"the controller clock on {self.url} is not synchronised yet; configure() first")
        return (host_ns + offset) * 1e-9

    def clock_offset(self) -> float:
        """Controller clock minus the host's monotonic clock, seconds (the synchronised estimate)."""
        offset = self._clock.offset_ns
        if offset is None:
            raise LinkLost(f"the controller clock on {self.url} is not synchronised yet; configure() first")
        return offset * 1e-9

    def stats(self) -> LinkStats:
        """A snapshot of the link statistics."""
        dec, ep = self._decoder.counters, self._endpoint.stats
        rtts = sorted(self._clock.rtts) or [float("nan")]
        return LinkStats(
            connected=self.established, epoch=self._epoch,
            bytes_tx=self._counts["bytes_tx"], bytes_rx=self._counts["bytes_rx"],
            frames_tx=self._counts["frames_tx"], frames_rx=dec["frames"], retransmits=ep.retransmits,
            crc_errors=dec["crc_errors"], framing_errors=dec["framing_errors"], oversize=dec["oversize"],
            duplicates_rx=ep.duplicates, out_of_order_rx=ep.out_of_order, stale_epoch=ep.stale_epoch,
            disconnects=self._counts["disconnects"], reconnects=self._counts["reconnects"],
            resumes=self._counts["resumes"], reopens=max(0, self._counts["opens"] - 1),
            rtt_median=statistics.median(rtts),
            rtt_p99=rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))], rtt_min=rtts[0],
            clock_offset=(self._clock.offset_ns or 0) * 1e-9,
        )

    # ------------------------------------------------------------------ I/O thread only
    def send_reliable(self, message: Message) -> int:
        """Queue a reliable message (I/O thread only); returns its sequence number."""
        return self._endpoint.send(message)

    def send_unreliable(self, message: Message) -> None:
        """Send an unreliable message now (I/O thread only)."""
        self._write([self._endpoint.make(message)])

    @property
    def retransmission_timeout(self) -> float:
        """The host's present retransmission timeout, seconds (adapts to the round trip)."""
        return self._endpoint.retransmission_timeout

    @property
    def window(self) -> int:
        """Reliable frames the host keeps unacknowledged at most (after the controller's limit)."""
        return self._endpoint.window

    @property
    def srtt(self) -> float | None:
        """Smoothed round trip of reliable frames, seconds (None before the first)."""
        return self._endpoint.srtt

    def line_counts(self) -> LineCounts:
        """Running totals of both directions, for sizing frames (I/O thread only)."""
        sent, dec = self._endpoint.stats, self._decoder.counters
        return LineCounts(sent.sent, sent.sent_bytes, sent.retransmits, dec["frames"],
                          dec["crc_errors"] + dec["framing_errors"], self._counts["bytes_rx"])

    @property
    def window_free(self) -> int:
        """Reliable frames that may still be queued without exceeding the window (I/O thread only)."""
        return self._endpoint.window_free

    # ------------------------------------------------------------------ loop
    def recent_stalls(self) -> list[float]:
        """The I/O loop's stalls in the last ``STALL_MEMORY`` seconds, oldest first: reads of the
        port that returned ``STALL_FLOOR`` or more after their 1 ms timeout, because the OS did not
        run this thread (a busy host). Time spent writing to a slow port does not count."""
        horizon = time.monotonic() - STALL_MEMORY
        with self._stall_lock:
            while self._stalls and self._stalls[0][0] < horizon:
                self._stalls.popleft()
            return [gap for _at, gap in self._stalls]

    def _note_read(self, started: float, now: float) -> None:
        late = now - started - self.options.read_timeout
        if late >= STALL_FLOOR:
            with self._stall_lock:
                self._stalls.append((now, late))

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._port is None:
                self._try_open()
                continue
            try:
                self._pump()
            except (serial.SerialException, OSError) as exc:
                log.warning("link %s failed: %s; reconnecting", self.url, exc)
                self._link_down()

    def _try_open(self) -> None:
        now = time.monotonic()
        if now < self._next_open:
            self._stop.wait(min(self.options.reconnect_interval, self._next_open - now))
            return
        self._next_open = now + self.options.reconnect_interval
        try:
            port = serial.serial_for_url(self.url, baudrate=self.options.baudrate,
                                         timeout=self.options.read_timeout, write_timeout=0.5)
        except (serial.SerialException, OSError, ValueError) as exc:
            log.debug("cannot open %s yet: %s", self.url, exc)
            return
        self._port = port
        self._counts["opens"] += 1
        self._decoder.reset()
        port.write(b"\x00")
        self._handshake(time.monotonic())

    def _handshake(self, now: float) -> None:
        """Start a handshake on the open port: a fresh nonce, HELLO at once and every
        ``hello_interval`` until answered, the port reopened if no answer comes within
        ``handshake_retry`` (docs/protocol.md section 2)."""
        if self._counts["disconnects"]:
            self._counts["reconnects"] += 1
        self._set_state("hello")
        self._nonce = self._nonce_source.getrandbits(32)
        self._next_hello = 0.0
        self._last_rx = self._hello_since = now

    def _pump(self) -> None:
        port = self._port
        assert port is not None
        started = time.monotonic()
        data = read_available(port)
        now = time.monotonic()
        self._note_read(started, now)
        if data:
            self._counts["bytes_rx"] += len(data)
            for frame in self._decoder.feed(data):
                self._last_rx = now
                self._on_frame(frame, now)
        if self._state == "hello":
            if now - self._hello_since > self.options.handshake_retry:
                raise serial.SerialException(f"no handshake answer for {self.options.handshake_retry} s; "
                                             "reopening the port")
            if now >= self._next_hello:
                self._next_hello = now + self.options.hello_interval
                hello = Hello(PROTOCOL_VERSION, self._epoch, self._endpoint.rx_next, self._nonce,
                              self.options.expected_config_hash)
                self._write([Frame(int(MsgType.HELLO), payload=hello.encode())])
            if self._epoch:
                self._listener.on_handshaking(self)
            return
        if self._state != "up":
            return
        if now - self._last_rx > self.options.silence_timeout:
            self._silent(now)
            return
        if now >= self._next_time_req:
            self._next_time_req = now + self.options.time_sync_interval
            self.send_unreliable(TimeReq(time.monotonic_ns()))
        self._listener.on_tick(self)
        self._write(self._endpoint.poll(now))

    def _on_frame(self, frame: Frame, now: float) -> None:
        if frame.type == MsgType.HELLO_ACK:
            self._on_hello_ack(parse_message(frame))
            return
        if self._state != "up":
            return
        for delivered in self._endpoint.on_frame(frame, now):
            message = parse_message(delivered)
            if isinstance(message, ErrorCode):
                log.warning("dropped a %s frame from %s: %s", delivered.type, self.url, message.name)
            elif isinstance(message, TimeResp):
                self._clock.sample(message, time.monotonic_ns())
            else:
                self._listener.on_message(message)

    def _on_hello_ack(self, ack: Message | ErrorCode) -> None:
        if not isinstance(ack, HelloAck) or self._state != "hello" or ack.nonce != self._nonce:
            return
        if ack.result != ErrorCode.OK:
            name, meaning, action = describe(ack.result)
            self._fail(f"controller on {self.url} refused the handshake: {name} ({ack.result}): {meaning} "
                       f"{action} (host protocol {PROTOCOL_VERSION}, controller {ack.version}; expected "
                       f"config hash 0x{self.options.expected_config_hash:08x}, controller 0x{ack.config_hash:08x})")
            return
        if not (1 <= ack.rx_window <= SACK_BITS and MIN_MAX_PAYLOAD <= ack.max_payload <= MAX_PAYLOAD):
            self._fail(f"controller on {self.url} announced rx_window={ack.rx_window} and max_payload="
                       f"{ack.max_payload} in its handshake; valid: rx_window 1 .. {SACK_BITS}, max_payload "
                       f"{MIN_MAX_PAYLOAD} .. {MAX_PAYLOAD} (docs/protocol.md section 2): fix the controller firmware")
            return
        self._endpoint.limit_window(ack.rx_window)
        resumed = bool(ack.resumed) and ack.epoch == self._epoch
        if resumed:
            self._endpoint.resume(ack.rx_next)
            self._counts["resumes"] += 1
            lost: list[tuple[int, int, bytes]] = []
        else:
            lost = self._endpoint.reset(ack.epoch)
            self._clock.reset()
        self._epoch = ack.epoch
        self._clock.rough(ack.time_us, time.monotonic_ns())
        self._next_time_req = 0.0
        self.controller_info = ack
        self._listener.on_session(ack, resumed, lost)
        self._set_state("up")

    def _fail(self, message: str) -> None:
        """A handshake the host cannot use: report ``message`` to wait_established() and stop."""
        with self._cond:
            self._fatal = HardwareError(message)
            self._cond.notify_all()
        self._stop.set()

    def _write(self, frames: list[Frame]) -> None:
        if not frames or self._port is None or self._muted.is_set():
            return
        data = b"".join(encode_frame(f) for f in frames)
        self._port.write(data)
        self._counts["bytes_tx"] += len(data)
        self._counts["frames_tx"] += len(frames)

    def _silent(self, now: float) -> None:
        """No valid frame for ``silence_timeout``: the session is lost to the host, and it
        handshakes again, asking to resume, on the port it has. A controller that was only slow
        (its process not scheduled, a stalled USB adapter) answers as soon as it runs, with the
        host's last frames still in its input renewing its lease; closing and reopening the port
        first would have added the reopen to the time its lease runs without host frames."""
        log.warning("link %s: no valid frame for %s s; handshaking again", self.url, self.options.silence_timeout)
        self._counts["disconnects"] += 1
        self._listener.on_link_down()
        self._handshake(now)

    def _link_down(self) -> None:
        was_up = self._state == "up"
        self._close_port()
        self._counts["disconnects"] += 1
        self._set_state("down")
        self._next_open = time.monotonic() + self.options.reconnect_interval
        if was_up:
            self._listener.on_link_down()

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("closing %s: %s", self.url, exc)

    def _set_state(self, state: str) -> None:
        with self._cond:
            self._state = state
            self._cond.notify_all()
