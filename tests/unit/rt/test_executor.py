"""The executor: dispatch order, bounded waits, thread hand-off, simulation time."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest

from cellctl.rt.clock import Duration, SimClock, Time, WallClock
from cellctl.rt.context import Context
from cellctl.rt.errors import ExecutorError
from cellctl.rt.executor import Executor
from cellctl.rt.messages import JointState, Trigger
from cellctl.rt.node import Node

pytestmark = pytest.mark.unit


def test_ready_work_runs_timers_then_subscriptions_then_services_then_handoff(
    make_node: Callable[..., Node], executor: Executor, clock: SimClock
) -> None:
    node = make_node("n")
    order: list[str] = []
    executor.call_soon_threadsafe(lambda: order.append("handoff"))
    node.create_service(Trigger, "s", lambda r: order.append("service") or Trigger.Response())
    node.create_client(Trigger, "s").call_async(Trigger.Request())
    node.create_subscription(JointState, "js", lambda m: order.append("subscription"))
    node.create_publisher(JointState, "js").publish(JointState())
    node.create_timer(0.1, lambda: order.append("timer"))
    clock.advance(Duration.from_seconds(0.1))
    executor.spin_some()
    assert order == ["timer", "subscription", "service", "handoff"]


def test_entities_of_equal_rank_run_in_creation_order_across_nodes(
    make_node: Callable[..., Node], executor: Executor
) -> None:
    order: list[str] = []
    second, first = make_node("second"), make_node("first")
    second.create_subscription(JointState, "/js", lambda m: order.append("second"))
    first.create_subscription(JointState, "/js", lambda m: order.append("first"))
    first.create_publisher(JointState, "/js").publish(JointState())
    executor.spin_some()
    assert order == ["second", "first"]


def test_busy_subscription_does_not_starve_the_others(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    order: list[str] = []
    node.create_subscription(JointState, "a", lambda m: order.append("a"))
    node.create_subscription(JointState, "b", lambda m: order.append("b"))
    pub_a, pub_b = node.create_publisher(JointState, "a"), node.create_publisher(JointState, "b")
    for _ in range(3):
        pub_a.publish(JointState())
    pub_b.publish(JointState())
    for _ in range(4):
        executor.spin_once(timeout=0.0)
    assert order == ["a", "b", "a", "a"]


def test_spin_once_with_nothing_to_do_returns_after_the_timeout(executor: Executor) -> None:
    started = time.monotonic()
    assert executor.spin_once(timeout=0.02) is False
    assert 0.015 <= time.monotonic() - started < 1.0


def test_spin_until_gives_up_after_the_timeout(executor: Executor) -> None:
    started = time.monotonic()
    assert executor.spin_until(lambda: False, timeout=0.02) is False
    assert time.monotonic() - started < 1.0


def test_work_handed_in_from_another_thread_runs_on_the_executor_thread(executor: Executor) -> None:
    ran_on: list[int] = []
    worker = threading.Thread(target=executor.call_soon_threadsafe, args=(lambda: ran_on.append(threading.get_ident()),))
    worker.start()
    assert executor.spin_until(lambda: bool(ran_on), timeout=2.0)
    worker.join(timeout=2.0)
    assert ran_on == [threading.get_ident()]


def test_sim_timer_waits_for_simulation_time_and_wakes_a_blocked_spin(
    make_node: Callable[..., Node], executor: Executor, clock: SimClock
) -> None:
    fired: list[Time] = []
    make_node("n").create_timer(1.0, lambda: fired.append(clock.now()))
    assert executor.spin_once(timeout=0.01) is False  # wall time passing does not matter
    mover = threading.Timer(0.02, clock.advance, args=(Duration.from_seconds(1.0),))
    mover.start()
    assert executor.spin_once(timeout=2.0) is True
    mover.join(timeout=2.0)
    assert fired == [Time.from_seconds(1.0)]


def test_advance_sim_fires_every_period_at_its_deadline(
    make_node: Callable[..., Node], executor: Executor, clock: SimClock
) -> None:
    node = make_node("n")
    fast: list[float] = []
    slow: list[float] = []
    node.create_timer(0.1, lambda: fast.append(round(clock.now().seconds, 9)))
    node.create_timer(0.25, lambda: slow.append(round(clock.now().seconds, 9)))
    executor.advance_sim(clock, Duration.from_seconds(0.5))
    assert fast == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert slow == [0.25, 0.5]
    assert clock.now() == Time.from_seconds(0.5)


def test_wall_timer_fires_on_wall_time() -> None:
    context = Context(WallClock())
    executor = Executor(context)
    node = Node(context, "n")
    executor.add_node(node)
    fired: list[int] = []
    node.create_timer(0.005, lambda: fired.append(1))
    assert executor.spin_until(lambda: len(fired) >= 3, timeout=2.0)


def test_exceptions_in_subscription_callbacks_propagate_out_of_spin(
    make_node: Callable[..., Node], executor: Executor
) -> None:
    node = make_node("n")

    def explode(msg: JointState) -> None:
        raise ValueError("bad message")

    node.create_subscription(JointState, "js", explode)
    node.create_publisher(JointState, "js").publish(JointState())
    with pytest.raises(ValueError, match="bad message"):
        executor.spin_some()
    assert not executor.is_spinning


def test_two_threads_cannot_spin_one_executor(executor: Executor) -> None:
    errors: list[Exception] = []

    def spin_from_other_thread() -> None:
        try:
            executor.spin_once(timeout=0.0)
        except ExecutorError as exc:
            errors.append(exc)

    def inside() -> None:
        other = threading.Thread(target=spin_from_other_thread)
        other.start()
        other.join(timeout=2.0)

    executor.call_soon_threadsafe(inside)
    executor.spin_some()
    assert "already spinning in another thread" in str(errors[0])


def test_spinning_from_inside_a_callback_is_refused(executor: Executor) -> None:
    errors: list[Exception] = []

    def nested() -> None:
        try:
            executor.spin_some()
        except ExecutorError as exc:
            errors.append(exc)

    executor.call_soon_threadsafe(nested)
    executor.spin_some()
    assert "inside a callback of the same executor" in str(errors[0])


def test_spin_some_stops_at_its_bound_when_work_reposts_itself(executor: Executor) -> None:
    def again() -> None:
        executor.call_soon_threadsafe(again)

    executor.call_soon_threadsafe(again)
    assert executor.spin_some(max_callbacks=50) == 50


def test_a_node_belongs_to_one_executor_and_one_context(context: Context, make_node: Callable[..., Node]) -> None:
    node = make_node("n")
    with pytest.raises(ExecutorError, match="already in another executor"):
        Executor(context).add_node(node)
    with pytest.raises(ExecutorError, match="another context"):
        Executor(Context(SimClock())).add_node(node)


def test_removed_node_is_no_longer_served(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    got: list[JointState] = []
    node.create_subscription(JointState, "js", got.append)
    node.create_publisher(JointState, "js").publish(JointState())
    executor.remove_node(node)
    assert executor.spin_some() == 0 and got == []
    assert node.executor is None
