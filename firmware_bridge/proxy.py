"""A seeded fault-injecting proxy between a host and a controller, for tests.

The host side is a pseudo-terminal reached through a stable symlink (``link``), so the proxy can
pull the "cable" (:meth:`FaultProxy.disconnect`): the pty disappears, the host's port fails, and
after the outage a new pty appears behind the same symlink — exactly what a USB adapter that
vanishes and comes back looks like. The controller side is any pyserial URL (the emulator's pty
or ``socket://``). Each direction has its own :class:`~firmware_bridge.faults.FaultInjector`.

Use it in-process::

    with FaultProxy("/tmp/emu", link="/tmp/host-side", to_controller=spec, to_host=spec) as proxy:
        ...  # the host opens /tmp/host-side
        proxy.disconnect(0.1)
"""

from __future__ import annotations

import select
import threading
import time
from types import TracebackType

import serial

from firmware_bridge.faults import FaultCounters, FaultInjector, FaultSpec
from firmware_bridge.host import read_available
from firmware_bridge.transports import PtyTransport

__all__ = ["FaultProxy"]


class FaultProxy:
    """Forward bytes between a host-side pty and a controller URL, injecting faults (see module doc)."""

    def __init__(self, upstream: str, *, link: str, to_controller: FaultSpec | None = None,
                 to_host: FaultSpec | None = None, baudrate: int = 1_000_000) -> None:
        self.upstream_url = upstream
        self.link = link
        self._to_controller = FaultInjector(to_controller or FaultSpec(), seed_offset=101)
        self._to_host = FaultInjector(to_host or FaultSpec(), seed_offset=202)
        self._host = PtyTransport(link)
        try:
            self._upstream = serial.serial_for_url(upstream, baudrate=baudrate, timeout=0)
        except BaseException:
            self._host.close()
            raise
        self._lock = threading.Lock()
        self._down_until: float | None = None
        self._deaf_until = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.disconnects = 0

    @property
    def to_controller(self) -> FaultCounters:
        """What was injected on the host → controller direction."""
        return self._to_controller.counters

    @property
    def to_host(self) -> FaultCounters:
        """What was injected on the controller → host direction."""
        return self._to_host.counters

    def start(self) -> "FaultProxy":
        """Start forwarding on a background thread."""
        self._thread = threading.Thread(target=self._run, name="cellctl-fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop forwarding and release the pty, symlink and upstream port (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._host.close()
        self._upstream.close()

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def disconnect(self, duration: float) -> None:
        """Pull the host-side cable for ``duration`` seconds (bytes in flight are lost)."""
        with self._lock:
            self._host.disconnect()
            self._to_controller.clear()
            self._to_host.clear()
            self._down_until = time.monotonic() + duration
            self.disconnects += 1

    def mute_to_host(self, duration: float) -> None:
        """Lose every byte from the controller to the host for ``duration`` seconds, the other
        direction untouched: a controller that still hears the host but whose answers do not
        arrive (a broken receive wire, an adapter that stopped delivering)."""
        with self._lock:
            self._deaf_until = time.monotonic() + duration

    def _run(self) -> None:
        up = self._upstream.fileno()
        while not self._stop.is_set():
            with self._lock:
                host = self._host.fileno()
            fds = [up] + ([host] if host >= 0 else [])
            readable, _, _ = select.select(fds, [], [], 0.001)
            with self._lock:
                self._forward(up in readable, host >= 0 and host in readable, time.monotonic())

    def _forward(self, up_ready: bool, host_ready: bool, now: float) -> None:
        if self._down_until is not None and now >= self._down_until:
            self._down_until = None
            self._host.reconnect()
        elif self._down_until is None and self._to_host.disconnect_due(0.001):
            self._down_until = now + self._to_host.spec.disconnect_ms / 1000.0
            self._host.disconnect()
            self.disconnects += 1
        if host_ready:
            self._to_controller.push(self._host.read(), now)
        if up_ready:
            self._to_host.push(read_available(self._upstream), now)
        data = self._to_controller.pop(now)
        if data:
            self._upstream.write(data)
        data = self._to_host.pop(now)
        if data and self._down_until is None and now >= self._deaf_until:
            self._host.write(data)
