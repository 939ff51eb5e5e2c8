"""The context: one in-process graph of nodes, topics and services, and its wake-up.

There are no module-level registries: two contexts are two independent worlds (handy in tests).
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

from cellctl.rt.clock import Clock, WallClock
from cellctl.rt.errors import GraphError

if TYPE_CHECKING:
    from cellctl.rt.node import Node
    from cellctl.rt.services import ServiceServer
    from cellctl.rt.topics import TopicChannel


class Context:
    """Holds the graph and the condition executors sleep on; ``clock`` is the default node clock."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock if clock is not None else WallClock()
        self.nodes: dict[str, Node] = {}
        self.topics: dict[str, TopicChannel] = {}
        self.services: dict[str, ServiceServer] = {}
        self.graph_lock = threading.RLock()
        self._sequence = itertools.count()
        self._wake = threading.Condition()
        self._generation = 0
        self.watch_clock(self.clock)

    def watch_clock(self, clock: Clock) -> None:
        """Wake executors whenever ``clock`` jumps (simulation time moved)."""
        clock.add_listener(self.notify)

    def next_sequence(self) -> int:
        """A context-wide creation counter; it fixes dispatch order among equals."""
        return next(self._sequence)

    @property
    def generation(self) -> int:
        """Changes every time work is posted or a clock jumps."""
        return self._generation

    def notify(self) -> None:
        """Wake every executor waiting on this context (thread-safe)."""
        with self._wake:
            self._generation += 1
            self._wake.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> None:
        """Block until the generation differs from ``seen`` or ``timeout`` seconds pass."""
        with self._wake:
            if self._generation == seen and timeout > 0:
                self._wake.wait(timeout)

    def register_node(self, node: Node) -> None:
        """Add ``node``; its fully qualified name must be unique in this context."""
        with self.graph_lock:
            name = node.fully_qualified_name
            if name in self.nodes:
                raise GraphError(
                    f"a node named '{name}' already exists in this context; "
                    "give the new node another name or namespace"
                )
            self.nodes[name] = node

    def unregister_node(self, node: Node) -> None:
        """Remove ``node`` from the graph."""
        with self.graph_lock:
            self.nodes.pop(node.fully_qualified_name, None)

    def shutdown(self) -> None:
        """Destroy every node (their entities leave the graph)."""
        for node in list(self.nodes.values()):
            node.destroy()
