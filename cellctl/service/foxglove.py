"""The Foxglove live view: the cell's channels on a Foxglove WebSocket server (``foxglove-sdk``).

A :class:`FoxgloveSink` is a sink of :class:`cellctl.service.channels.CellChannels` (the same
channels, schemas and CDR bytes a recording writes) served on loopback with the Foxglove
WebSocket protocol (``foxglove.websocket.v1``), which the Foxglove app opens with *Open
connection → Foxglove WebSocket*. Latched channels (the robot descriptions, ``/tf_static``) are
sent again when a client subscribes to them, so a viewer that connects late still draws the arms.

Nothing a viewer does reaches the cell: the server only publishes (no client publishing, services
or parameters), each client has its own bounded queue (the oldest message is dropped when a slow
client falls behind), and messages are handed to the server's own threads without waiting.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

from cellctl.service.channels import Channel

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
INSTALL = "pip install 'cellctl[foxglove]'"


def foxglove_port(text: str) -> int:
    """``--foxglove [PORT]``: a TCP port 0 .. 65535 (0: a free one), with ``foxglove-sdk`` installed."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number 0 .. 65535 (0 = a free one), got {text!r}; "
                                         "write --foxglove=PORT right after the command's arguments") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0 .. 65535 (0 = a free one), got {port}")
    try:
        import foxglove  # noqa: F401
    except ImportError:
        raise argparse.ArgumentTypeError(f"needs the foxglove-sdk package, which is not installed: {INSTALL}") from None
    return port


def add_foxglove_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--foxglove [PORT]`` on ``p`` (``what``: what the server shows)."""
    p.add_argument("--foxglove", type=foxglove_port, nargs="?", const=DEFAULT_PORT, default=None, metavar="PORT",
                   help=f"show {what} live in Foxglove: a Foxglove WebSocket server on {HOST}:PORT (default "
                        f"{DEFAULT_PORT}; 0 = a free port, printed); see docs/recordings.md")


CLOSE_GRACE = 1.0
"""Seconds a server with a subscribed viewer keeps running after the last message, before it stops."""

class _Latches:
    """Notes which latched channels a client just subscribed to (acted on by the writing thread:
    the server's callbacks only note, they never log)."""

    def __init__(self, latched: set[str]) -> None:
        self.latched = latched
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.subscribed = threading.Event()

    def on_subscribe(self, client: Any, channel: Any) -> None:
        self.subscribed.set()
        if channel.topic in self.latched:
            with self.lock:
                self.pending.add(channel.topic)

    def take(self) -> set[str]:
        with self.lock:
            pending, self.pending = self.pending, set()
        return pending


class FoxgloveSink:
    """Serves channels on a Foxglove WebSocket server on ``host:port`` (0: a free port, see ``port``).

    Raises:
        OSError: the server cannot start (e.g. the port is taken), with what to do.
    """

    def __init__(self, port: int = DEFAULT_PORT, host: str = HOST, announce: bool = True) -> None:
        import foxglove
        import foxglove.websocket
        from foxglove.websocket import Capability

        self._foxglove = foxglove
        self._context = foxglove.Context()
        self._channels: dict[str, Any] = {}
        self._latched: dict[str, tuple[bytes, int]] = {}
        latches = self._listener = _Latches(set())

        class Listener(foxglove.websocket.ServerListener):  # the SDK's defaults for every other callback
            def on_subscribe(self, client: Any, channel: Any) -> None:
                latches.on_subscribe(client, channel)
        self._time = -1
        try:
            self.server = foxglove.start_server(name="cellctl", host=host, port=port, context=self._context,
                                                server_listener=Listener(), capabilities=[Capability.Time])
        except Exception as exc:  # noqa: BLE001 - the SDK raises its own error types
            raise OSError(f"--foxglove {port}: cannot start the Foxglove server on {host}:{port} ({exc}); "
                          "name a free port, or 0 to pick one") from None
        self.port: int = self.server.port
        self.url = f"ws://{host}:{self.port}"
        if announce:
            print(f"cellctl: Foxglove live view on {self.url} (Foxglove: Open connection -> Foxglove WebSocket)",
                  file=sys.stderr, flush=True)

    @property
    def subscribed(self) -> threading.Event:
        """Set once a client has subscribed to any channel."""
        return self._listener.subscribed

    def add_channel(self, channel: Channel, schema: str) -> None:
        schema_ = self._foxglove.Schema(name=channel.type_name, encoding="ros2msg", data=schema.encode("utf-8"))
        self._channels[channel.topic] = self._foxglove.Channel(channel.topic, schema=schema_, message_encoding="cdr",
                                                               context=self._context)
        if channel.latched:
            self._listener.latched.add(channel.topic)

    def write(self, topic: str, data: bytes, log_time: int, sequence: int) -> None:
        if self._listener.pending:  # a client subscribed to a latched channel: its last message again
            for latched in self._listener.take():
                if latched in self._latched:
                    again, at = self._latched[latched]
                    self._channels[latched].log(again, log_time=at)
        self._channels[topic].log(data, log_time=log_time)
        if topic in self._listener.latched:
            self._latched[topic] = (data, log_time)
        if log_time > self._time:  # the viewer's clock follows the cell's
            self._time = log_time
            self.server.broadcast_time(log_time)

    def close(self) -> None:
        """Stop the server; with a viewer connected, first give the last messages ``CLOSE_GRACE``
        to leave (the SDK sends from its own queue and has no flush: stopping at once dropped the
        unit's result under load)."""
        if self.subscribed.is_set():
            time.sleep(CLOSE_GRACE)
        self.server.stop()
