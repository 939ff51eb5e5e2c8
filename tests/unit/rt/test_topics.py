"""Typed publish/subscribe, keep-last history and latched state."""

from __future__ import annotations

import threading
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import GraphError, MessageTypeError
from cellctl.rt.executor import Executor
from cellctl.rt.messages import DiagnosticStatus, JointState
from cellctl.rt.node import Node
from cellctl.rt.topics import QOS_LATCHED, Durability, QoSProfile

pytestmark = pytest.mark.unit


def _state(position: float) -> JointState:
    return JointState(name=["j1"], position=[position])


def test_subscriber_receives_published_messages_in_order(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    got: list[JointState] = []
    node.create_subscription(JointState, "joint_states", got.append)
    pub = node.create_publisher(JointState, "joint_states")
    for p in (1.0, 2.0, 3.0):
        pub.publish(_state(p))
    assert got == []  # nothing runs until the executor spins
    executor.spin_some()
    assert [m.position[0] for m in got] == [1.0, 2.0, 3.0]


def test_late_subscriber_gets_latched_state(make_node: Callable[..., Node], executor: Executor) -> None:
    pub = make_node("arm").create_publisher(JointState, "/arm/state", QOS_LATCHED)
    pub.publish(_state(1.0))
    pub.publish(_state(2.0))
    got: list[JointState] = []
    make_node("monitor").create_subscription(JointState, "/arm/state", got.append, QOS_LATCHED)
    executor.spin_some()
    assert [m.position[0] for m in got] == [2.0]


def test_late_volatile_subscriber_gets_no_history(make_node: Callable[..., Node], executor: Executor) -> None:
    pub = make_node("arm").create_publisher(JointState, "/arm/state", QOS_LATCHED)
    pub.publish(_state(1.0))
    got: list[JointState] = []
    make_node("monitor").create_subscription(JointState, "/arm/state", got.append)
    executor.spin_some()
    assert got == []


def test_keep_last_drops_the_oldest_and_counts_them(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    got: list[JointState] = []
    sub = node.create_subscription(JointState, "js", got.append, QoSProfile(depth=2))
    pub = node.create_publisher(JointState, "js")
    for p in range(5):
        pub.publish(_state(float(p)))
    executor.spin_some()
    assert [m.position[0] for m in got] == [3.0, 4.0]
    assert sub.dropped == 3


def test_publishing_the_wrong_type_names_topic_and_types(make_node: Callable[..., Node]) -> None:
    pub = make_node("n").create_publisher(JointState, "/js")
    with pytest.raises(MessageTypeError, match="'/js' carries JointState, got dict"):
        pub.publish({"position": [1.0]})  # type: ignore[arg-type]


def test_a_topic_has_one_message_type(make_node: Callable[..., Node]) -> None:
    node = make_node("n")
    node.create_publisher(JointState, "/js")
    with pytest.raises(GraphError, match="uses DiagnosticStatus, but the topic already carries JointState"):
        node.create_subscription(DiagnosticStatus, "/js", lambda m: None)


def test_qos_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        QoSProfile(depth=0)


def test_message_published_from_another_thread_is_delivered_on_the_executor_thread(
    make_node: Callable[..., Node], executor: Executor
) -> None:
    node = make_node("n")
    threads: list[int] = []
    node.create_subscription(JointState, "js", lambda m: threads.append(threading.get_ident()))
    pub = node.create_publisher(JointState, "js")
    sender = threading.Thread(target=pub.publish, args=(_state(1.0),))
    sender.start()
    assert executor.spin_until(lambda: bool(threads), timeout=2.0)
    sender.join(timeout=2.0)
    assert threads == [threading.get_ident()]


def test_destroyed_subscription_receives_nothing(make_node: Callable[..., Node], executor: Executor) -> None:
    node = make_node("n")
    got: list[JointState] = []
    sub = node.create_subscription(JointState, "js", got.append)
    pub = node.create_publisher(JointState, "js")
    assert pub.get_subscription_count() == 1
    sub.destroy()
    pub.publish(_state(1.0))
    executor.spin_some()
    assert got == [] and pub.get_subscription_count() == 0


@given(
    depth=st.integers(1, 6),
    count=st.integers(0, 20),
    durability=st.sampled_from(list(Durability)),
)
def test_keep_last_queue_holds_the_newest_messages_in_order(depth: int, count: int, durability: Durability) -> None:
    context = Context(SimClock())
    executor = Executor(context)
    node = Node(context, "n")
    executor.add_node(node)
    got: list[JointState] = []
    qos = QoSProfile(depth=depth, durability=durability)
    sub = node.create_subscription(JointState, "js", got.append, qos)
    pub = node.create_publisher(JointState, "js", qos)
    for p in range(count):
        pub.publish(_state(float(p)))
    executor.spin_some()
    expected = [float(p) for p in range(max(0, count - depth), count)]
    assert [m.position[0] for m in got] == expected
    assert sub.dropped == max(0, count - depth)
    late: list[JointState] = []
    node.create_subscription(JointState, "js", late.append, qos)
    executor.spin_some()
    assert [m.position[0] for m in late] == (expected if durability is Durability.TRANSIENT_LOCAL else [])
