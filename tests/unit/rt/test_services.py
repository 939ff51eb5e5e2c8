"""Request/response services: typed calls, bounded waits, clear errors."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest

from cellctl.rt.context import Context
from cellctl.rt.errors import (
    ExecutorError,
    GraphError,
    MessageTypeError,
    RtTimeoutError,
    ServiceError,
    ServiceUnavailableError,
)
from cellctl.rt.executor import Executor
from cellctl.rt.messages import SetBool, Trigger
from cellctl.rt.node import Node

pytestmark = pytest.mark.unit


def _ok(request: Trigger.Request) -> Trigger.Response:
    return Trigger.Response(True, "done")


def test_call_returns_the_handlers_response(make_node: Callable[..., Node]) -> None:
    make_node("server").create_service(SetBool, "~/enable", lambda r: SetBool.Response(r.data, "set"))
    client = make_node("client").create_client(SetBool, "/server/enable")
    assert client.call(SetBool.Request(True), timeout=1.0) == SetBool.Response(True, "set")


def test_call_without_server_says_which_service_is_missing(make_node: Callable[..., Node]) -> None:
    make_node("server").create_service(Trigger, "/home", _ok)
    client = make_node("client").create_client(Trigger, "/start")
    with pytest.raises(ServiceUnavailableError, match=r"no server for service '/start' \(Trigger\); servers now: /home"):
        client.call(Trigger.Request(), timeout=1.0)


def test_request_of_the_wrong_type_is_refused(make_node: Callable[..., Node]) -> None:
    make_node("server").create_service(Trigger, "/start", _ok)
    client = make_node("client").create_client(Trigger, "/start")
    with pytest.raises(MessageTypeError, match="request to service '/start' must be Trigger.Request"):
        client.call(SetBool.Request(True), timeout=1.0)


def test_client_and_server_must_agree_on_the_service_type(make_node: Callable[..., Node]) -> None:
    make_node("server").create_service(Trigger, "/start", _ok)
    client = make_node("client").create_client(SetBool, "/start")
    with pytest.raises(MessageTypeError, match="served as Trigger, client uses SetBool"):
        client.call(SetBool.Request(True), timeout=1.0)


def test_failing_handler_gives_the_client_a_service_error_and_keeps_serving(make_node: Callable[..., Node]) -> None:
    calls = iter([ZeroDivisionError("boom"), None])

    def handler(request: Trigger.Request) -> Trigger.Response:
        error = next(calls)
        if error is not None:
            raise error
        return Trigger.Response(True)

    make_node("server").create_service(Trigger, "/start", handler)
    client = make_node("client").create_client(Trigger, "/start")
    with pytest.raises(ServiceError, match="service '/start' failed: ZeroDivisionError"):
        client.call(Trigger.Request(), timeout=1.0)
    assert client.call(Trigger.Request(), timeout=1.0).success


def test_handler_returning_the_wrong_type_is_a_service_error(make_node: Callable[..., Node]) -> None:
    make_node("server").create_service(Trigger, "/start", lambda r: "yes")
    client = make_node("client").create_client(Trigger, "/start")
    with pytest.raises(ServiceError, match="must be Trigger.Response, got str"):
        client.call(Trigger.Request(), timeout=1.0)


def test_call_times_out_when_the_server_is_never_spun(context: Context, make_node: Callable[..., Node]) -> None:
    Executor(context).add_node(Node(context, "server"))
    context.nodes["/server"].create_service(Trigger, "/start", _ok)
    client = make_node("client").create_client(Trigger, "/start")
    started = time.monotonic()
    with pytest.raises(RtTimeoutError, match="call to service '/start': no answer within 0.05 s"):
        client.call(Trigger.Request(), timeout=0.05)
    assert time.monotonic() - started < 1.0


def test_blocking_call_inside_a_callback_is_refused(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    node.create_service(Trigger, "/start", _ok)
    client = node.create_client(Trigger, "/start")
    errors: list[Exception] = []

    def tick() -> None:
        try:
            client.call(Trigger.Request(), timeout=0.1)
        except ExecutorError as exc:
            errors.append(exc)

    executor.call_soon_threadsafe(tick)
    executor.spin_some()
    assert "would deadlock" in str(errors[0])


def test_call_async_completes_on_the_executor(make_node: Callable[..., Node], executor: Executor) -> None:
    make_node("server").create_service(Trigger, "/start", _ok)
    future = make_node("client").create_client(Trigger, "/start").call_async(Trigger.Request())
    assert not future.done()
    assert executor.spin_until_future_complete(future, timeout=1.0) == Trigger.Response(True, "done")


def test_call_from_another_thread_while_the_executor_spins(make_node: Callable[..., Node], executor: Executor) -> None:
    make_node("server").create_service(Trigger, "/start", _ok)
    client = make_node("client").create_client(Trigger, "/start")
    answers: list[Trigger.Response] = []
    caller = threading.Thread(target=lambda: answers.append(client.call(Trigger.Request(), timeout=2.0)))
    caller.start()
    assert executor.spin_until(lambda: bool(answers), timeout=2.0)
    caller.join(timeout=2.0)
    assert answers[0].success


def test_wait_for_service_sees_a_server_started_by_another_thread(
    context: Context, make_node: Callable[..., Node]
) -> None:
    client = make_node("client").create_client(Trigger, "/late")
    assert not client.wait_for_service(timeout=0.01)
    starter = threading.Timer(0.02, lambda: Node(context, "late_server").create_service(Trigger, "/late", _ok))
    starter.start()
    assert client.wait_for_service(timeout=2.0)
    starter.join(timeout=2.0)


def test_a_service_has_one_server(make_node: Callable[..., Node]) -> None:
    make_node("a").create_service(Trigger, "/start", _ok)
    with pytest.raises(GraphError, match="already has a server in node '/a'"):
        make_node("b").create_service(Trigger, "/start", _ok)


def test_service_type_needs_request_and_response(make_node: Callable[..., Node]) -> None:
    with pytest.raises(MessageTypeError, match="lacks nested class"):
        make_node("a").create_service(int, "/start", _ok)
