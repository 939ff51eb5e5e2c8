"""Typed publish/subscribe with keep-last history and transient-local ("latched") durability.

- Each subscription keeps the last ``qos.depth`` messages; older ones are dropped and counted.
- A transient-local publisher keeps its last ``depth`` messages and hands them to every
  transient-local subscription created later (ROS: both sides must ask for it). Use
  :data:`QOS_LATCHED` for state topics so late joiners get the current state at once.
- A topic has one message type; a publisher checks every message against it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable, Generic, TypeVar

from cellctl.rt.errors import GraphError, MessageTypeError
from cellctl.rt.waitable import Rank, Waitable

if TYPE_CHECKING:
    from cellctl.rt.context import Context
    from cellctl.rt.node import Node

M = TypeVar("M")


class Durability(Enum):
    """Whether late subscribers get the messages published before they joined."""

    VOLATILE = "volatile"
    TRANSIENT_LOCAL = "transient_local"


@dataclass(frozen=True)
class QoSProfile:
    """Keep-last ``depth`` and durability; reliability is always 'reliable' in process."""

    depth: int = 10
    durability: Durability = Durability.VOLATILE

    def __post_init__(self) -> None:
        if isinstance(self.depth, bool) or not isinstance(self.depth, int) or self.depth < 1:
            raise ValueError(f"QoS depth must be an integer >= 1, got {self.depth!r}")


#: Event streams: keep the last 10, nothing for late joiners.
QOS_DEFAULT = QoSProfile()
#: State topics: late subscribers get the last value at once.
QOS_LATCHED = QoSProfile(depth=1, durability=Durability.TRANSIENT_LOCAL)


class TopicChannel:
    """The graph's record of one topic: its type, publishers and subscriptions."""

    def __init__(self, name: str, msg_type: type) -> None:
        self.name = name
        self.msg_type = msg_type
        self.publishers: list[Publisher] = []
        self.subscriptions: list[Subscription] = []
        self.lock = threading.Lock()

    @staticmethod
    def join(context: Context, name: str, msg_type: type, role: str) -> TopicChannel:
        """The channel for ``name``, created on first use; the type must match earlier users."""
        if not isinstance(msg_type, type):
            raise MessageTypeError(f"{role} on '{name}': message type must be a class, got {msg_type!r}")
        with context.graph_lock:
            channel = context.topics.get(name)
            if channel is None:
                channel = context.topics[name] = TopicChannel(name, msg_type)
            elif channel.msg_type is not msg_type:
                raise GraphError(
                    f"{role} on '{name}' uses {msg_type.__name__}, but the topic already carries "
                    f"{channel.msg_type.__name__}; use that type or another topic name"
                )
            return channel


class _OnTopic(Generic[M]):
    """What publishers and subscriptions share: the topic they are on."""

    _channel: TopicChannel

    @property
    def topic_name(self) -> str:
        """The fully qualified topic name."""
        return self._channel.name

    @property
    def msg_type(self) -> type[M]:
        """The message type of the topic."""
        return self._channel.msg_type


class Publisher(_OnTopic[M]):
    """Publishes messages of one type on one topic; thread-safe."""

    def __init__(self, node: Node, topic: str, msg_type: type[M], qos: QoSProfile) -> None:
        self.node = node
        self.qos = qos
        self._channel = TopicChannel.join(node.context, topic, msg_type, "publisher")
        self._history: deque[M] = deque(maxlen=qos.depth)
        with self._channel.lock:
            self._channel.publishers.append(self)

    @property
    def latched(self) -> bool:
        """Whether this publisher keeps history for late transient-local subscribers."""
        return self.qos.durability is Durability.TRANSIENT_LOCAL

    def publish(self, msg: M) -> None:
        """Deliver ``msg`` to every subscription; raises MessageTypeError on the wrong type."""
        if not isinstance(msg, self._channel.msg_type):
            raise MessageTypeError(
                f"publisher on '{self.topic_name}' carries {self._channel.msg_type.__name__}, "
                f"got {type(msg).__name__}: {msg!r}"
            )
        with self._channel.lock:
            if self.latched:
                self._history.append(msg)
            subscriptions = list(self._channel.subscriptions)
        for subscription in subscriptions:
            subscription.post(msg)

    def history(self) -> tuple[M, ...]:
        """The messages kept for late joiners (empty unless transient-local)."""
        with self._channel.lock:
            return tuple(self._history)

    def get_subscription_count(self) -> int:
        """How many subscriptions the topic has now."""
        return len(self._channel.subscriptions)

    def destroy(self) -> None:
        """Leave the topic."""
        with self._channel.lock:
            if self in self._channel.publishers:
                self._channel.publishers.remove(self)


class Subscription(Waitable, _OnTopic[M]):
    """Receives messages of one topic; ``callback(msg)`` runs on the executor thread."""

    rank = Rank.SUBSCRIPTION

    def __init__(
        self, node: Node, topic: str, msg_type: type[M], callback: Callable[[M], None], qos: QoSProfile
    ) -> None:
        self._channel = TopicChannel.join(node.context, topic, msg_type, "subscription")
        super().__init__(node.context, node, maxlen=qos.depth)
        self.qos = qos
        self.callback = callback
        with self._channel.lock:
            self._channel.subscriptions.append(self)
            late = self._latched_backlog()
        for msg in late:
            self.post(msg)

    def _latched_backlog(self) -> list[M]:
        if self.qos.durability is not Durability.TRANSIENT_LOCAL:
            return []
        return [m for p in self._channel.publishers if p.latched for m in p._history]

    def get_publisher_count(self) -> int:
        """How many publishers the topic has now."""
        return len(self._channel.publishers)

    def handle(self, item: object) -> None:
        """Run the callback with one message."""
        self.callback(item)  # type: ignore[arg-type]

    def destroy(self) -> None:
        """Leave the topic and drop pending messages."""
        with self._channel.lock:
            if self in self._channel.subscriptions:
                self._channel.subscriptions.remove(self)
        super().destroy()
