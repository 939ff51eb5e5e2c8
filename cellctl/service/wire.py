"""The cell's entities on Zenoh: sessions, publishers (latched ones answer queries with their last
sample), services (queryables polled on the owner's thread) and the client side of both.

Nothing here runs user code on Zenoh's threads: a service's queries wait in a bounded channel
until the owner polls them (the supervisor's control loop), so a request is handled between two
control cycles, on the thread that owns the hardware.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import zenoh

from cellctl.service import DEFAULT_ENDPOINT
from cellctl.service.interfaces import CODEC, TYPES, ServiceType, type_hash
from cellctl.service.keys import QOS_DEFAULT, QOS_LATCHED, NodeId, attachment, data_key, gid, parse_attachment


def open_session(listen: Sequence[str] = (), connect: Sequence[str] = ()) -> zenoh.Session:
    """A peer session on explicit endpoints: no multicast scouting, nothing reachable by accident."""
    config = {"mode": "peer",
              "scouting": {"multicast": {"enabled": False}, "gossip": {"enabled": True}},
              "listen": {"endpoints": list(listen)},
              "connect": {"endpoints": list(connect)}}
    try:
        return zenoh.open(zenoh.Config.from_json5(json.dumps(config)))
    except zenoh.ZError as exc:
        reason = str(exc).split(" at /", 1)[0]  # without the Rust source location
        raise OSError(f"cannot open the Zenoh session (listen {list(listen)}, connect {list(connect)}): "
                      f"{reason}; check the endpoints (e.g. tcp/127.0.0.1:7448) and that the port is free") from None


def now_ns() -> int:
    return time.time_ns()


def stamp(ns: int | None = None) -> dict[str, int]:
    """A ``builtin_interfaces/Time`` of wall time ``ns`` (now by default)."""
    ns = now_ns() if ns is None else ns
    return {"sec": ns // 1_000_000_000, "nanosec": ns % 1_000_000_000}


class WireNode:
    """One ROS-style node on a Zenoh session: its liveliness token and its entities' tokens."""

    def __init__(self, session: zenoh.Session, domain: int, namespace: str, name: str) -> None:
        self.session, self.domain = session, domain
        self.id = NodeId(domain, str(session.zid()), 0, namespace, name)
        self._entity_ids = itertools.count(1)
        self._tokens = [session.liveliness().declare_token(self.id.token())]

    def name_of(self, relative: str) -> str:
        """``~/status`` → ``/cell/supervisor/status``; an absolute name stays."""
        if relative.startswith("~/"):
            return f"{self.id.namespace}/{self.id.name}/{relative[2:]}"
        return relative

    def declare(self, kind: str, name: str, dds_type: str, type_name: str, qos: str) -> tuple[str, bytes]:
        """Declare an entity's liveliness token; returns its data key and GID."""
        token = self.id.entity_token(next(self._entity_ids), kind, name, dds_type, type_hash(type_name), qos)
        self._tokens.append(self.session.liveliness().declare_token(token))
        return data_key(self.domain, name, dds_type, type_hash(type_name)), gid(token)

    def publisher(self, name: str, type_name: str, *, latched: bool = False) -> WirePublisher:
        name = self.name_of(name)
        key, source = self.declare("MP", name, TYPES[type_name].dds_name, type_name, QOS_LATCHED if latched else QOS_DEFAULT)
        return WirePublisher(self.session, key, type_name, source, latched)

    def service(self, name: str, service: ServiceType) -> WireService:
        name = self.name_of(name)
        key, _ = self.declare("SS", name, service.dds_name, service.name, QOS_DEFAULT)
        return WireService(self.session, key, service)

    def close(self) -> None:
        for token in self._tokens:
            token.undeclare()
        self._tokens.clear()


class WirePublisher:
    """Publishes messages (dicts) as CDR with rmw_zenoh's attachment; a latched one also answers
    queries on its key with the last sample (what a publication cache does)."""

    def __init__(self, session: zenoh.Session, key: str, type_name: str, source_gid: bytes, latched: bool) -> None:
        self.key, self.type_name, self._gid = key, type_name, source_gid
        self._publisher = session.declare_publisher(key)
        self._sequence = itertools.count(1)
        self._last: tuple[bytes, bytes] | None = None
        self._cache = session.declare_queryable(key, self._answer) if latched else None

    def publish(self, message: dict[str, Any]) -> bytes:
        """Encode and send ``message``; returns the CDR bytes sent."""
        payload = CODEC.encode(self.type_name, message)
        self.put(payload)
        return payload

    def put(self, payload: bytes) -> None:
        """Send CDR bytes already encoded."""
        extra = attachment(next(self._sequence), now_ns(), self._gid)
        self._last = (payload, extra)
        self._publisher.put(payload, attachment=extra)

    def _answer(self, query: zenoh.Query) -> None:  # on a Zenoh thread: reads one reference, no more
        last = self._last
        if last is not None:
            query.reply(self.key, last[0], attachment=last[1])
        query.drop()

    def close(self) -> None:
        if self._cache is not None:
            self._cache.undeclare()
        self._publisher.undeclare()


@dataclass
class Request:
    """A service request taken from the channel: the decoded message, the query's parameters."""

    message: dict[str, Any]
    parameters: dict[str, str]
    query: zenoh.Query


class WireService:
    """A service whose requests are taken and answered on the owner's thread (see module docstring)."""

    def __init__(self, session: zenoh.Session, key: str, service: ServiceType) -> None:
        self.key, self.service = key, service
        self._queryable = session.declare_queryable(key, zenoh.handlers.FifoChannel(64))
        self._sequence = itertools.count(1)

    def take(self) -> Iterator[Request]:
        """Requests waiting now (a request that does not decode is answered with an error)."""
        while (query := self._queryable.try_recv()) is not None:
            params = _parameters(str(query.parameters))
            try:
                message = CODEC.decode(self.service.request, query.payload.to_bytes() if query.payload else b"")
            except ValueError as exc:
                self.refuse(Request({}, params, query), f"bad request: {exc}")
                continue
            yield Request(message, params, query)

    def reply(self, request: Request, message: dict[str, Any]) -> None:
        """Answer with ``message`` (a response of this service's type) and end the query."""
        request.query.reply(self.key, CODEC.encode(self.service.response, message), attachment=self._attachment(request))
        request.query.drop()

    def refuse(self, request: Request, why: str) -> None:
        """Answer with an error (the caller sees ``why``) and end the query."""
        request.query.reply_err(why.encode("utf-8"))
        request.query.drop()

    def _attachment(self, request: Request) -> bytes:
        sent = parse_attachment(request.query.attachment.to_bytes()) if request.query.attachment else None
        sequence, source = (sent[0], sent[2]) if sent else (next(self._sequence), bytes(16))
        return attachment(sequence, now_ns(), source)

    def close(self) -> None:
        self._queryable.undeclare()


def _parameters(text: str) -> dict[str, str]:
    """``token=ab;origin=me@host:1`` → {"token": "ab", "origin": "me@host:1"}."""
    pairs = (item.partition("=") for item in text.replace("&", ";").split(";") if item)
    return {key: value for key, _, value in pairs}


class ServiceFailed(RuntimeError):
    """A service answered with an error (refused, or a bad request); the message says why."""


class NoCell(RuntimeError):
    """No serve process answered."""


class CallTimeout(NoCell):
    """A server took the request but did not answer within the timeout (e.g. a goal still running)."""


def call(session: zenoh.Session, key: str, service: ServiceType, request: dict[str, Any], *,
         parameters: dict[str, str] | None = None, timeout: float = 2.0, source_gid: bytes = bytes(16)) -> dict:
    """Call a service once and return its response (a dict).

    While no server is known (a session just opened has not yet heard of it) the call is
    repeated until ``timeout``: a request that reached no server cannot have been acted on.

    Raises:
        NoCell: nothing answered within ``timeout`` seconds.
        ServiceFailed: the server answered with an error.
    """
    selector = key + ("?" + ";".join(f"{k}={v}" for k, v in parameters.items()) if parameters else "")
    payload = CODEC.encode(service.request, request)
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        replies = list(session.get(selector, payload=payload, attachment=attachment(1, now_ns(), source_gid),
                                   timeout=max(left, 0.05)))
        for reply in replies:
            if reply.ok is not None:
                return CODEC.decode(service.response, reply.ok.payload.to_bytes())
            text = reply.err.payload.to_bytes().decode("utf-8", "replace")
            if text != "Timeout":
                raise ServiceFailed(text)
        name = "/".join(key.split("/")[1:-2])
        if replies:
            raise CallTimeout(f"/{name} did not answer within {timeout:.1f} s")
        if time.monotonic() >= deadline:
            raise NoCell(f"no cell answered /{name} on domain {key.split('/')[0]} within {timeout:.1f} s")
        time.sleep(0.05)


def subscribe(session: zenoh.Session, key: str, type_name: str,
              callback: Callable[[dict[str, Any], int | None], None]) -> zenoh.Subscriber:
    """Deliver each sample on ``key`` decoded, with its source timestamp (ns) when attached."""
    def on_sample(sample: zenoh.Sample) -> None:
        sent = parse_attachment(sample.attachment.to_bytes()) if sample.attachment else None
        callback(CODEC.decode(type_name, sample.payload.to_bytes()), sent[1] if sent else None)
    return session.declare_subscriber(key, on_sample)


def latest(session: zenoh.Session, key: str, type_name: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The last sample of a latched topic (None when nothing answers within ``timeout``)."""
    for reply in session.get(key, timeout=timeout):
        if reply.ok is not None:
            return CODEC.decode(type_name, reply.ok.payload.to_bytes())
    return None
