"""cellctl.rt — a small, deterministic, in-process runtime in the style of ROS 2.

Nodes with typed topics (keep-last, latched), services, managed lifecycle, declared
parameters, timers on wall or simulation time, and a single-threaded executor. See
``docs/runtime.md`` for the user guide and the timing rules.
"""

from cellctl.rt.clock import Clock, Duration, SimClock, Time, WallClock
from cellctl.rt.context import Context
from cellctl.rt.errors import (
    ExecutorError,
    GraphError,
    IllegalTransitionError,
    InvalidNameError,
    InvalidParameterError,
    MessageTypeError,
    ParameterError,
    ParameterRejectedError,
    RtError,
    RtTimeoutError,
    ServiceError,
    ServiceUnavailableError,
)
from cellctl.rt.executor import Executor
from cellctl.rt.lifecycle import (
    CallbackReturn,
    LifecycleNode,
    LifecyclePublisher,
    LifecycleStateMachine,
    State,
    Transition,
    TransitionEvent,
)
from cellctl.rt.node import Node
from cellctl.rt.parameters import (
    Parameter,
    ParameterDescriptor,
    ParameterType,
    Range,
    SetParametersResult,
)
from cellctl.rt.services import Client, ServiceServer
from cellctl.rt.timer import Timer
from cellctl.rt.topics import QOS_DEFAULT, QOS_LATCHED, Durability, Publisher, QoSProfile, Subscription

__all__ = [
    "QOS_DEFAULT", "QOS_LATCHED", "CallbackReturn", "Client", "Clock", "Context", "Durability", "Duration",
    "Executor", "ExecutorError", "GraphError",
    "IllegalTransitionError", "InvalidNameError", "InvalidParameterError", "LifecycleNode",
    "LifecyclePublisher", "LifecycleStateMachine", "MessageTypeError", "Node", "Parameter",
    "ParameterDescriptor", "ParameterError", "ParameterRejectedError", "ParameterType",
    "Publisher", "QoSProfile", "Range", "RtError", "RtTimeoutError", "ServiceError", "ServiceServer", "ServiceUnavailableError", "SetParametersResult", "SimClock",
    "State", "Subscription", "Time", "Timer", "Transition", "TransitionEvent", "WallClock",
]
