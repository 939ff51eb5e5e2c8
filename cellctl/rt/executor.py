"""A deterministic single-threaded executor.

Order of dispatch: when no collected work is left, the executor collects every ready entity of
its nodes and sorts them by rank (timers, subscriptions, services, clients, then
thread-handed work), timers by deadline, and otherwise by creation order. It then runs one item
of each collected entity in that order, one per :meth:`Executor.spin_once`, before collecting
again. So every ready entity gets a turn and the order never depends on thread timing.

Threads: every callback runs on the thread that spins. Other threads may publish, call
:meth:`Executor.call_soon_threadsafe` or move a :class:`SimClock`; those only queue work and wake
the spinning thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import TYPE_CHECKING, Callable, TypeVar

from cellctl.rt.clock import Duration, SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import ExecutorError, RtTimeoutError
from cellctl.rt.timer import Timer
from cellctl.rt.waitable import Rank, Waitable

if TYPE_CHECKING:
    from cellctl.rt.node import Node

T = TypeVar("T")

#: Safety bound for :meth:`Executor.spin_some`: work that keeps re-posting itself cannot hang it.
DEFAULT_MAX_CALLBACKS = 100_000


class _ThreadHandoff(Waitable):
    """Callables handed in by other threads, run in FIFO order on the executor thread."""

    rank = Rank.GUARD

    def handle(self, item: object) -> None:
        item()  # type: ignore[operator]


class Executor:
    """Runs the callbacks of its nodes on the thread that calls a ``spin*`` method."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._nodes: list[Node] = []
        self._collected: deque[Waitable] = deque()
        self._handoff = _ThreadHandoff(context, None)
        self._spinning_thread: int | None = None
        self._spin_lock = threading.Lock()

    # -- nodes -------------------------------------------------------------------------------
    def add_node(self, node: Node) -> None:
        """Serve ``node``'s callbacks; a node belongs to one executor at a time."""
        if node.context is not self.context:
            raise ExecutorError(f"node '{node.fully_qualified_name}' belongs to another context")
        if node.executor is not None and node.executor is not self:
            raise ExecutorError(f"node '{node.fully_qualified_name}' is already in another executor")
        if node not in self._nodes:
            self._nodes.append(node)
            node.executor = self
            self.context.notify()

    def remove_node(self, node: Node) -> None:
        """Stop serving ``node``."""
        if node in self._nodes:
            self._nodes.remove(node)
            node.executor = None
            self._collected = deque(e for e in self._collected if e.node is not node)

    @property
    def nodes(self) -> tuple[Node, ...]:
        """The nodes this executor serves, in the order they were added."""
        return tuple(self._nodes)

    # -- thread hand-off -----------------------------------------------------------------------
    def call_soon_threadsafe(self, callback: Callable[[], None]) -> None:
        """Run ``callback()`` on the executor thread at its next turn (safe from any thread)."""
        self._handoff.post(callback)

    # -- spinning ------------------------------------------------------------------------------
    @property
    def is_spinning(self) -> bool:
        """Whether some thread is inside a ``spin*`` call."""
        return self._spinning_thread is not None

    @property
    def spinning_in_current_thread(self) -> bool:
        """Whether the calling thread is the one spinning (i.e. we are inside a callback)."""
        return self._spinning_thread == threading.get_ident()

    def spin_once(self, timeout: float) -> bool:
        """Run at most one callback, waiting up to ``timeout`` seconds for work; True if one ran."""
        with self._spinning():
            return self._spin_once(time.monotonic() + timeout)

    def spin_some(self, max_callbacks: int = DEFAULT_MAX_CALLBACKS) -> int:
        """Run callbacks until nothing is ready (including work they produce); never blocks.

        Stops after ``max_callbacks`` so self-reposting work cannot hang it. Returns the count.
        """
        count = 0
        with self._spinning():
            while count < max_callbacks and self._spin_once(0.0):
                count += 1
        return count

    def spin_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Spin until ``predicate()`` is true or ``timeout`` seconds pass; returns ``predicate()``."""
        deadline = time.monotonic() + timeout
        with self._spinning():
            while not predicate():
                if time.monotonic() >= deadline:
                    return predicate()
                self._spin_once(deadline)
        return True

    def spin_until_future_complete(self, future: Future[T], timeout: float) -> T:
        """Spin until ``future`` is done and return its result; RtTimeoutError after ``timeout`` s."""
        if not self.spin_until(future.done, timeout):
            raise RtTimeoutError(f"future not complete after {timeout} s of spinning")
        return future.result()

    def advance_sim(self, clock: SimClock, duration: Duration) -> None:
        """Advance ``clock`` by ``duration``, stopping at every timer deadline on the way.

        At each stop the executor drains all ready work (``spin_some``), so timers on ``clock``
        fire once per period, in deadline order, with simulation time equal to their deadline.
        """
        end = clock.now() + duration
        self.spin_some()
        while True:
            deadlines = [
                t.next_call for t in self._timers() if t.clock is clock and not t.canceled
            ]
            upcoming = min(deadlines, default=None)
            if upcoming is None or upcoming > end:
                break
            clock.set_time(max(upcoming, clock.now()))
            self.spin_some()
        clock.set_time(end)
        self.spin_some()

    # -- internals -----------------------------------------------------------------------------
    def _spinning(self) -> _SpinGuard:
        return _SpinGuard(self)

    def _entities(self) -> list[Waitable]:
        entities: list[Waitable] = [e for node in self._nodes for e in node.entities]
        entities.append(self._handoff)
        return entities

    def _timers(self) -> list[Timer]:
        return [e for e in self._entities() if isinstance(e, Timer)]

    def _collect(self) -> None:
        ready = [e for e in self._entities() if e.is_ready()]
        ready.sort(key=Waitable.sort_key)
        self._collected.extend(ready)

    def _wall_wait(self) -> float:
        waits = [w for w in (t.seconds_until_due() for t in self._timers()) if w is not None]
        return min(waits, default=float("inf"))

    def _spin_once(self, deadline: float) -> bool:
        while True:
            seen = self.context.generation
            if not self._collected:
                self._collect()
            while self._collected:
                if self._collected.popleft().run_one():
                    return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.context.wait_for_change(seen, min(remaining, self._wall_wait()))


class _SpinGuard:
    """Marks the executor as spinning in this thread; refuses nested or concurrent spinning."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    def __enter__(self) -> None:
        ex = self._executor
        with ex._spin_lock:
            if ex._spinning_thread == threading.get_ident():
                raise ExecutorError(
                    "spin called from inside a callback of the same executor; return from the "
                    "callback instead (use futures or timers for waiting)"
                )
            if ex._spinning_thread is not None:
                raise ExecutorError(
                    "executor is already spinning in another thread; spin from one thread only"
                )
            ex._spinning_thread = threading.get_ident()

    def __exit__(self, *exc: object) -> None:
        with self._executor._spin_lock:
            self._executor._spinning_thread = None


def wait_future(node: Node, future: Future[T], timeout: float, what: str) -> T:
    """Wait (bounded) for ``future`` created by ``node``'s client, spinning if nobody else does.

    - called from a callback on the node's executor thread: refused (it would deadlock);
    - another thread is spinning the executor: block on the future;
    - nobody is spinning: spin the node's executor until the future is done.
    """
    executor = node.executor
    if executor is None:
        raise ExecutorError(
            f"{what}: node '{node.fully_qualified_name}' is not in an executor, so nothing would "
            "deliver the answer; add it with Executor.add_node() or use the *_async variant"
        )
    if executor.spinning_in_current_thread:
        raise ExecutorError(
            f"{what}: a blocking call from inside a callback would deadlock the executor; "
            "use the *_async variant and add a done callback"
        )
    if executor.is_spinning:
        done = _wait_blocking(future, timeout)
    else:
        done = executor.spin_until(future.done, timeout)
    if not done:
        future.cancel()
        raise RtTimeoutError(f"{what}: no answer within {timeout} s")
    return future.result()


def _wait_blocking(future: Future[T], timeout: float) -> bool:
    try:
        future.exception(timeout)
    except TimeoutError:
        return False
    return True
