"""Nodes: the unit that owns publishers, subscriptions, services, clients, timers,
parameters and a logger. Names resolve against the node's namespace (``~/x`` is private)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TypeVar

from cellctl.rt.clock import Clock, Duration, as_duration
from cellctl.rt.context import Context
from cellctl.rt.names import resolve_name, validate_namespace, validate_node_name
from cellctl.rt.parameters import ParameterDescriptor, ParameterStore, SetParametersCallback
from cellctl.rt.services import Client, ServiceServer
from cellctl.rt.timer import Timer
from cellctl.rt.topics import QOS_DEFAULT, Publisher, QoSProfile, Subscription

if TYPE_CHECKING:
    from cellctl.rt.executor import Executor
    from cellctl.rt.waitable import Waitable

M = TypeVar("M")


class Node:
    """A named participant of a :class:`Context`.

    ``parameters`` declares every parameter of the node in one place; ``parameter_overrides``
    sets values at creation (validated; unknown names fail). ``clock`` defaults to the context's.
    """

    def __init__(
        self,
        context: Context,
        name: str,
        *,
        namespace: str = "/",
        clock: Clock | None = None,
        parameters: Sequence[ParameterDescriptor] = (),
        parameter_overrides: Mapping[str, object] | None = None,
    ) -> None:
        self.context = context
        self.name = validate_node_name(name)
        self.namespace = validate_namespace(namespace)
        self.fully_qualified_name = self.namespace.rstrip("/") + "/" + self.name
        self.clock = clock if clock is not None else context.clock
        if clock is not None:
            context.watch_clock(clock)
        self.executor: Executor | None = None
        self.entities: list[Waitable] = []
        self._publishers: list[Publisher[Any]] = []
        self._logger = logging.getLogger("cellctl.rt" + self.fully_qualified_name.replace("/", "."))
        self.parameters = ParameterStore(self.fully_qualified_name)
        self.parameters.declare(parameters, parameter_overrides)
        context.register_node(self)

    # -- basics --------------------------------------------------------------------------------
    def get_logger(self) -> logging.Logger:
        """The node's logger, ``cellctl.rt.<namespace>.<name>``."""
        return self._logger

    def get_clock(self) -> Clock:
        """The clock that drives this node's timers and stamps."""
        return self.clock

    def resolve_name(self, name: str) -> str:
        """The fully qualified form of a topic/service/action name used by this node."""
        return resolve_name(name, self.namespace, self.name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fully_qualified_name!r})"

    # -- communication -------------------------------------------------------------------------
    def create_publisher(self, msg_type: type[M], topic: str, qos: QoSProfile = QOS_DEFAULT) -> Publisher[M]:
        """A publisher of ``msg_type`` on ``topic``."""
        publisher = Publisher(self, self.resolve_name(topic), msg_type, qos)
        self._publishers.append(publisher)
        return publisher

    def create_subscription(
        self, msg_type: type[M], topic: str, callback: Callable[[M], None], qos: QoSProfile = QOS_DEFAULT
    ) -> Subscription[M]:
        """A subscription; ``callback(msg)`` runs on the executor thread."""
        return Subscription(self, self.resolve_name(topic), msg_type, callback, qos)

    def create_service(self, srv_type: type, name: str, handler: Callable[[Any], Any]) -> ServiceServer:
        """A service server; ``handler(request) -> srv_type.Response`` runs on the executor thread."""
        return ServiceServer(self, srv_type, self.resolve_name(name), handler)

    def create_client(self, srv_type: type, name: str) -> Client:
        """A service client."""
        return Client(self, srv_type, self.resolve_name(name))

    def create_timer(
        self, period: Duration | float, callback: Callable[[], None], clock: Clock | None = None
    ) -> Timer:
        """A timer on the node's clock (or ``clock``); ``period`` is a Duration or seconds."""
        timer_clock = clock if clock is not None else self.clock
        if clock is not None:
            self.context.watch_clock(clock)
        return Timer(self, as_duration(period, "timer period"), callback, timer_clock)

    # -- parameters ----------------------------------------------------------------------------
    def get_parameter(self, name: str) -> Any:
        """The current value of a declared parameter."""
        return self.parameters.get(name)

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Set declared parameters atomically (validated, then vetted by the callbacks)."""
        self.parameters.set(values)

    def add_on_set_parameters_callback(self, callback: SetParametersCallback) -> None:
        """Let ``callback`` veto parameter changes."""
        self.parameters.add_on_set_callback(callback)

    # -- entity bookkeeping (used by Waitable) -------------------------------------------------
    def _add_entity(self, entity: Waitable) -> None:
        self.entities.append(entity)

    def _remove_entity(self, entity: Waitable) -> None:
        if entity in self.entities:
            self.entities.remove(entity)

    def destroy(self) -> None:
        """Remove every entity from the graph, leave the executor and the context."""
        for entity in list(self.entities):
            entity.destroy()
        for publisher in self._publishers:
            publisher.destroy()
        self._publishers.clear()
        if self.executor is not None:
            self.executor.remove_node(self)
        self.context.unregister_node(self)
