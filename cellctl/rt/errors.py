"""Exceptions raised by the runtime; each names what was wrong and what would be valid."""

from __future__ import annotations


class RtError(Exception):
    """Base class of every error the runtime raises on purpose."""


class InvalidNameError(RtError, ValueError):
    """A node, namespace, topic, service or action name breaks the ROS naming rules."""


class GraphError(RtError):
    """The graph refuses a change: a duplicate node or service server, a type mismatch on a name."""


class MessageTypeError(RtError, TypeError):
    """A message, request, response, goal, feedback or result has the wrong type."""


class ServiceUnavailableError(RtError):
    """A client called a service (or action) that has no server in the context."""


class ServiceError(RtError):
    """The service handler raised or answered with a response of the wrong type."""


class RtTimeoutError(RtError, TimeoutError):
    """A bounded wait ran out before the awaited answer arrived."""


class IllegalTransitionError(RtError):
    """A lifecycle transition or goal event is not allowed in the current state."""


class ParameterError(RtError, ValueError):
    """Base class of parameter errors."""


class InvalidParameterError(ParameterError):
    """A parameter is undeclared, read-only, or the value has the wrong type or is out of bounds."""


class ParameterRejectedError(ParameterError):
    """A set-parameters callback rejected the change; the reason comes from the callback."""


class ExecutorError(RtError):
    """The executor was used in a way that would deadlock or race."""
