"""Behaviour-tree execution: status, composites, and halting that reaches running motions.

Every behaviour is ticked by the supervisor's control loop (one tick per control period, on
the backend's clock) and must return at once: RUNNING while work goes on, SUCCESS or FAILURE
when it is over. ``halt()`` stops a running behaviour and everything below it; leaves that
move an arm stop it along its path. A composite resets its children when it restarts.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence as SequenceType


class Status(enum.Enum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"


class Behaviour(ABC):
    """A node of the executing tree (see module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.status: Status | None = None
        self.failure: str | None = None  # why it failed, for the operator and the journal

    def tick(self) -> Status:
        """Advance; returns the new status (FAILURE carries :attr:`failure`)."""
        if self.status is not Status.RUNNING:
            self.failure = None
        self.status = self.update()
        return self.status

    @abstractmethod
    def update(self) -> Status:
        """One step of work (the subclass's part of :meth:`tick`)."""

    def halt(self) -> None:
        """Stop work in progress (default: nothing to stop); the next tick starts afresh."""
        self.status = None

    def fail(self, why: str) -> Status:
        self.failure = why
        return Status.FAILURE

    def children(self) -> SequenceType[Behaviour]:
        return ()


class Composite(Behaviour):
    def __init__(self, name: str, children: SequenceType[Behaviour]) -> None:
        super().__init__(name)
        self._children = list(children)
        self._index = 0

    def children(self) -> SequenceType[Behaviour]:
        return self._children

    def halt(self) -> None:
        for child in self._children:
            if child.status is Status.RUNNING:
                child.halt()
        self._index = 0
        super().halt()


class _InTurn(Composite):
    """Children one after the other, until one ends with ``UNTIL`` (then that is the outcome)."""

    UNTIL: Status

    def __init__(self, name: str, children: SequenceType[Behaviour]) -> None:
        super().__init__(name, children)
        self._reasons: list[str] = []  # why children failed so far in this run of the node

    def update(self) -> Status:
        if self.status is not Status.RUNNING:
            self._index, self._reasons = 0, []
        while self._index < len(self._children):
            child = self._children[self._index]
            status = child.tick()
            if status is Status.RUNNING:
                return status
            if status is Status.FAILURE:
                self._reasons.append(child.failure or f"{child.name} failed")
            if status is self.UNTIL:
                self._index = 0
                return self._outcome(status)
            self._index += 1
        self._index = 0
        return self._outcome(Status.SUCCESS if self.UNTIL is Status.FAILURE else Status.FAILURE)

    def _outcome(self, status: Status) -> Status:
        return self.fail("; ".join(self._reasons)) if status is Status.FAILURE else status


class SequenceNode(_InTurn):
    """Children in order; FAILURE at the first failure (with its reason), SUCCESS when all succeeded."""

    UNTIL = Status.FAILURE


class FallbackNode(_InTurn):
    """Children in order until one succeeds; FAILURE when all failed (with every reason)."""

    UNTIL = Status.SUCCESS


class ParallelNode(Composite):
    """All children every tick; SUCCESS when all succeeded, FAILURE at the first failure
    (the others are halted, so no arm keeps moving for a branch that is given up)."""

    def __init__(self, name: str, children: SequenceType[Behaviour]) -> None:
        super().__init__(name, children)
        self._done: set[int] = set()

    def update(self) -> Status:
        if self.status is not Status.RUNNING:
            self._done = set()
        for i, child in enumerate(self._children):
            if i in self._done:
                continue
            status = child.tick()
            if status is Status.SUCCESS:
                self._done.add(i)
            elif status is Status.FAILURE:
                for j, other in enumerate(self._children):
                    if j != i and j not in self._done and other.status is Status.RUNNING:
                        other.halt()
                self._done = set()
                return self.fail(child.failure or f"{child.name} failed")
        if len(self._done) == len(self._children):
            self._done = set()
            return Status.SUCCESS
        return Status.RUNNING

    def halt(self) -> None:
        self._done = set()
        super().halt()


class RetryNode(Composite):
    """Its child again while it fails, up to ``times`` retries. Journaled leaves number their
    own executions, so each retry is a new attempt in the journal."""

    def __init__(self, name: str, child: Behaviour, times: int) -> None:
        super().__init__(name, [child])
        self.times = times
        self._retries = 0

    def update(self) -> Status:
        child = self._children[0]
        if self.status is not Status.RUNNING:
            self._retries = 0
        while True:
            status = child.tick()
            if status is not Status.FAILURE:
                return status
            if self._retries >= self.times:
                return self.fail(f"{child.failure} (after {self.times} retries)")
            self._retries += 1
