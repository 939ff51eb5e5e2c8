"""Nodes: names and namespaces, graph bookkeeping, isolation between contexts."""

from __future__ import annotations

from typing import Callable

import pytest

from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import GraphError, InvalidNameError
from cellctl.rt.messages import JointState, Trigger
from cellctl.rt.node import Node
from cellctl.rt.parameters import ParameterDescriptor, ParameterType

pytestmark = pytest.mark.unit


def test_names_resolve_relative_absolute_and_private(context: Context) -> None:
    node = Node(context, "screwer", namespace="cell/left")
    assert node.fully_qualified_name == "/cell/left/screwer"
    assert node.resolve_name("state") == "/cell/left/state"
    assert node.resolve_name("/estop") == "/estop"
    assert node.resolve_name("~/tighten") == "/cell/left/screwer/tighten"


@pytest.mark.parametrize("name", ["1arm", "arm-1", "", "a b"])
def test_invalid_node_names_are_refused(context: Context, name: str) -> None:
    with pytest.raises(InvalidNameError, match="invalid node name"):
        Node(context, name)


@pytest.mark.parametrize("topic", ["a//b", "/9x", "a/", "~x"])
def test_invalid_topic_names_are_refused(context: Context, topic: str) -> None:
    with pytest.raises(InvalidNameError, match="invalid name"):
        Node(context, "n").create_publisher(JointState, topic)


def test_invalid_namespace_is_refused(context: Context) -> None:
    with pytest.raises(InvalidNameError, match="invalid namespace"):
        Node(context, "n", namespace="/cell//x")


def test_node_names_are_unique_per_context(context: Context) -> None:
    Node(context, "arm")
    with pytest.raises(GraphError, match="node named '/arm' already exists"):
        Node(context, "arm")
    Node(context, "arm", namespace="/left")


def test_contexts_are_isolated(context: Context) -> None:
    Node(context, "arm").create_service(Trigger, "/home", lambda r: Trigger.Response())
    other = Context(SimClock())
    Node(other, "arm").create_service(Trigger, "/home", lambda r: Trigger.Response())
    assert set(other.services) == {"/home"}


def test_destroyed_node_leaves_the_graph(context: Context, make_node: Callable[..., Node]) -> None:
    node = make_node("arm")
    node.create_service(Trigger, "~/home", lambda r: Trigger.Response())
    pub = node.create_publisher(JointState, "/js")
    node.destroy()
    assert "/arm/home" not in context.services and "/arm" not in context.nodes
    assert context.topics["/js"].publishers == [] and pub.get_subscription_count() == 0
    Node(context, "arm")  # the name is free again


def test_node_parameters_are_declared_in_one_place(context: Context) -> None:
    declared = (ParameterDescriptor("rate_hz", ParameterType.DOUBLE, 250.0, "control loop rate"),)
    node = Node(context, "arm", parameters=declared, parameter_overrides={"rate_hz": 500})
    assert node.get_parameter("rate_hz") == 500.0


def test_logger_is_named_after_the_node(context: Context) -> None:
    assert Node(context, "arm", namespace="/left").get_logger().name == "cellctl.rt.left.arm"
