"""Request/response services with typed requests and responses.

A service type is any class with nested ``Request`` and ``Response`` classes (like
:class:`cellctl.rt.messages.Trigger`). The handler is ``handler(request) -> Response`` and runs on
the server node's executor thread; the answer is delivered on the client node's executor thread.
If the handler raises or returns the wrong type, the client gets a :class:`ServiceError` and the
server logs the cause; the server keeps serving.
"""

from __future__ import annotations

import functools
import itertools
import time
from concurrent.futures import Future
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from cellctl.rt.errors import GraphError, MessageTypeError, ServiceError, ServiceUnavailableError
from cellctl.rt.executor import wait_future
from cellctl.rt.waitable import Rank, Waitable

T = TypeVar("T")

if TYPE_CHECKING:
    from cellctl.rt.node import Node


def check_interface(kind: str, interface: type, parts: tuple[str, ...]) -> None:
    """``interface`` must have the nested classes ``parts`` (e.g. Request/Response)."""
    missing = [p for p in parts if not isinstance(getattr(interface, p, None), type)]
    if missing:
        raise MessageTypeError(
            f"{kind} type {interface!r} lacks nested class(es) {', '.join(missing)}; "
            f"a {kind} type needs {', '.join(parts)}"
        )


def find_server(servers: Mapping[str, T], kind: str, name: str, wanted: type, served: Callable[[T], type]) -> T:
    """The server of a service or action by name, of the type the client uses.

    Raises:
        ServiceUnavailableError: nobody serves ``name`` (lists who serves what now).
        MessageTypeError: it is served with another type.
    """
    server = servers.get(name)
    if server is None:
        known = ", ".join(sorted(servers)) or "none"
        raise ServiceUnavailableError(
            f"no server for {kind} '{name}' ({wanted.__qualname__}); servers now: {known}. "
            "Start the node that provides it, or check name and namespace"
        )
    if served(server) is not wanted:
        raise MessageTypeError(f"{kind} '{name}' is served as {served(server).__qualname__}, "
                               f"client uses {wanted.__qualname__}")
    return server


def check_instance(what: str, value: object, expected: type) -> None:
    """Raise MessageTypeError naming ``what`` unless ``value`` is an ``expected``."""
    if not isinstance(value, expected):
        raise MessageTypeError(
            f"{what} must be {expected.__qualname__}, got {type(value).__qualname__}: {value!r}"
        )


def wait_until(predicate: Callable[[], bool], context_owner: Node, timeout: float) -> bool:
    """Wait (bounded) for a graph condition such as 'a server exists'; True if it came true."""
    context = context_owner.context
    deadline = time.monotonic() + timeout
    while True:
        seen = context.generation
        if predicate():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        context.wait_for_change(seen, remaining)


class ServiceServer(Waitable):
    """Answers requests on one service name; at most one server per name in a context."""

    rank = Rank.SERVICE

    def __init__(self, node: Node, srv_type: type, name: str, handler: Callable[[Any], Any]) -> None:
        check_interface("service", srv_type, ("Request", "Response"))
        self.srv_type = srv_type
        self.name = name
        self.handler = handler
        context = node.context
        with context.graph_lock:
            other = context.services.get(name)
            if other is not None:
                raise GraphError(
                    f"service '{name}' already has a server in node "
                    f"'{other.node.fully_qualified_name if other.node else '?'}'; one server per name"
                )
            super().__init__(context, node)
            context.services[name] = self
        context.notify()

    def handle(self, item: object) -> None:
        """Answer one request ``(client, request_id, request)``."""
        client, request_id, request = item  # type: ignore[misc]
        try:
            response = self.handler(request)
            check_instance(f"response of service '{self.name}'", response, self.srv_type.Response)
        except Exception as exc:  # noqa: BLE001 - the handler is user code; report, keep serving
            self.node.get_logger().exception("service '%s' handler failed", self.name)
            client.post((request_id, ServiceError(f"service '{self.name}' failed: {exc!r}")))
            return
        client.post((request_id, response))

    def destroy(self) -> None:
        """Stop serving; pending requests are dropped (their callers time out)."""
        with self.context.graph_lock:
            if self.context.services.get(self.name) is self:
                del self.context.services[self.name]
        super().destroy()


class Client(Waitable):
    """Calls one service; answers arrive on the client node's executor thread."""

    rank = Rank.CLIENT

    def __init__(self, node: Node, srv_type: type, name: str) -> None:
        check_interface("service", srv_type, ("Request", "Response"))
        self.srv_type = srv_type
        self.name = name
        self._pending: dict[int, Future[Any]] = {}
        self._ids = itertools.count(1)
        super().__init__(node.context, node)

    def service_is_ready(self) -> bool:
        """Whether a server for the name exists now."""
        return self.name in self.context.services

    def wait_for_service(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a server to appear; True if one did."""
        return wait_until(self.service_is_ready, self.node, timeout)  # type: ignore[arg-type]

    def call_async(self, request: object) -> Future[Any]:
        """Send ``request``; the future completes with the response or a ServiceError."""
        check_instance(f"request to service '{self.name}'", request, self.srv_type.Request)
        server = find_server(self.context.services, "service", self.name, self.srv_type, lambda srv: srv.srv_type)
        request_id = next(self._ids)
        future: Future[Any] = Future()
        self._pending[request_id] = future
        future.add_done_callback(functools.partial(self._forget_cancelled, request_id))
        server.post((self, request_id, request))
        return future

    def call(self, request: object, timeout: float) -> Any:
        """Send ``request`` and wait up to ``timeout`` seconds for the response.

        Spins the node's executor if no other thread does; refuses to run inside a callback.
        Raises ServiceUnavailableError, ServiceError or RtTimeoutError.
        """
        future = self.call_async(request)
        what = f"call to service '{self.name}'"
        return wait_future(self.node, future, timeout, what)  # type: ignore[arg-type]

    def _forget_cancelled(self, request_id: int, future: Future[Any]) -> None:
        if future.cancelled():
            self._pending.pop(request_id, None)

    def handle(self, item: object) -> None:
        """Complete the future of one answer ``(request_id, response or ServiceError)``."""
        request_id, answer = item  # type: ignore[misc]
        future = self._pending.pop(request_id, None)
        if future is None or future.done():
            return
        if isinstance(answer, ServiceError):
            future.set_exception(answer)
        else:
            future.set_result(answer)
