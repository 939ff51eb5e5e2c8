"""A minimal Foxglove WebSocket client for tests, written from the protocol (not the SDK): JSON
``serverInfo`` / ``advertise`` / ``subscribe`` text frames and binary message-data frames (opcode
1, subscription id uint32 LE, log time uint64 LE, payload). Every receive has a deadline."""

from __future__ import annotations

import json
import re
import struct
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

SUBPROTOCOLS = ["foxglove.sdk.v1", "foxglove.websocket.v1"]
"""What the client offers: foxglove-sdk's servers speak ``foxglove.sdk.v1`` (the successor of
``foxglove.websocket.v1``, the same messages), the ROS bridges the older name."""
MESSAGE_DATA = 0x01
ANNOUNCED = re.compile(r"Foxglove live view on ws://127\.0\.0\.1:(\d+)")


def port_from(log: Path) -> int | None:
    """The port a cellctl process announced in its log, or None (not yet)."""
    found = ANNOUNCED.search(log.read_text(errors="replace")) if log.exists() else None
    return int(found.group(1)) if found else None


class FoxgloveClient:
    """One connection: what the server said about itself and its channels, and subscriptions."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self._stack = ExitStack()  # connect() is a context manager (websockets >= 17.1 insists)
        self.ws: ClientConnection = self._stack.enter_context(connect(
            f"ws://127.0.0.1:{port}", subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
            open_timeout=timeout, close_timeout=5))
        self.timeout = timeout
        self.server_info: dict[str, Any] = {}
        self.channels: dict[str, dict[str, Any]] = {}  # topic -> advertised channel
        self._subscriptions: dict[int, str] = {}  # subscription id -> topic

    def __enter__(self) -> FoxgloveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _next(self, deadline: float) -> str | bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no frame from the Foxglove server in time")
        return self.ws.recv(timeout=left)

    def handshake(self, topics: set[str]) -> None:
        """Read ``serverInfo`` and ``advertise`` frames until every topic of ``topics`` is advertised."""
        deadline = time.monotonic() + self.timeout
        while not self.server_info or not topics <= set(self.channels):
            frame = self._next(deadline)
            if isinstance(frame, str):
                message = json.loads(frame)
                if message["op"] == "serverInfo":
                    self.server_info = message
                elif message["op"] == "advertise":
                    self.channels.update({c["topic"]: c for c in message["channels"]})

    def register_types(self, store: Any, topic: str) -> None:
        """Register the message types of ``topic``'s advertised ``ros2msg`` schema (the type, then
        each type it uses after a line of ``=`` and ``MSG: pkg/Name``) in a rosbags type store."""
        from rosbags.typesys import get_types_from_msg
        channel = self.channels[topic]
        name, types = channel["schemaName"], {}
        for part in re.split(r"^=+\n", channel["schema"], flags=re.MULTILINE):
            header, _, body = part.partition("\n")
            if header.startswith("MSG: "):
                package, short = header[5:].strip().split("/")
                types.update(get_types_from_msg(body, f"{package}/msg/{short}"))
            else:
                types.update(get_types_from_msg(part, name))
        store.register(types)

    def subscribe(self, *topics: str) -> None:
        subscriptions = []
        for topic in topics:
            sid = len(self._subscriptions) + 1
            self._subscriptions[sid] = topic
            subscriptions.append({"id": sid, "channelId": self.channels[topic]["id"]})
        self.ws.send(json.dumps({"op": "subscribe", "subscriptions": subscriptions}))

    def first_messages(self, topics: set[str], timeout: float) -> dict[str, tuple[int, bytes]]:
        """The first message on each subscribed topic of ``topics``: (log time ns, CDR payload)."""
        deadline = time.monotonic() + timeout
        got: dict[str, tuple[int, bytes]] = {}
        while not topics <= set(got):
            frame = self._next(deadline)
            if isinstance(frame, bytes) and frame[0] == MESSAGE_DATA:
                sid, log_time = struct.unpack_from("<IQ", frame, 1)
                got.setdefault(self._subscriptions[sid], (log_time, frame[13:]))
        return got
