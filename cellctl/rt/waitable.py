"""The base of everything an executor can run: an inbox of pending work plus a callback.

Any thread may :meth:`Waitable.post` work; only the executor thread runs it (``run_one``).
Each subclass has a rank, which fixes the order in which ready entities are served.
"""

from __future__ import annotations

import threading
from collections import deque
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from cellctl.rt.context import Context
    from cellctl.rt.node import Node


class Rank(IntEnum):
    """Dispatch order among ready entities (as rclcpp: timers, subscriptions, services, ...)."""

    TIMER = 0
    SUBSCRIPTION = 1
    SERVICE = 2
    CLIENT = 3
    GUARD = 4


class Waitable:
    """An entity with an inbox; ``maxlen`` makes it keep-last (oldest dropped, counted)."""

    rank: ClassVar[Rank] = Rank.GUARD

    def __init__(self, context: Context, node: Node | None, maxlen: int | None = None) -> None:
        self.context = context
        self.node = node
        self.sequence = context.next_sequence()
        self.dropped = 0
        self._inbox: deque[object] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._destroyed = False
        if node is not None:
            node._add_entity(self)

    def post(self, item: object) -> None:
        """Queue ``item`` for the executor (thread-safe) and wake the executor."""
        with self._lock:
            if self._destroyed:
                return
            if self._inbox.maxlen is not None and len(self._inbox) == self._inbox.maxlen:
                self.dropped += 1
            self._inbox.append(item)
        self.context.notify()

    def is_ready(self) -> bool:
        """Whether ``run_one`` has something to do."""
        return bool(self._inbox)

    def sort_key(self) -> tuple[int, int, int]:
        """Key that orders ready entities: rank, then (for timers) deadline, then creation."""
        return (self.rank, 0, self.sequence)

    def run_one(self) -> bool:
        """Take one item and handle it on the calling (executor) thread; False if none was there."""
        with self._lock:
            if not self._inbox:
                return False
            item = self._inbox.popleft()
        self.handle(item)
        return True

    def handle(self, item: object) -> None:
        """Process one item from the inbox; subclasses implement this."""
        raise NotImplementedError

    def destroy(self) -> None:
        """Stop receiving work and forget what is pending."""
        with self._lock:
            self._destroyed = True
            self._inbox.clear()
        if self.node is not None:
            self.node._remove_entity(self)
