"""Fixtures for the runtime tests: a simulation-time context, an executor, nodes, an action type,
and a guard that no test leaves a thread running."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest

from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.executor import Executor
from cellctl.rt.node import Node


class Move:
    """A test action: move to a target, reporting progress."""

    @dataclass(frozen=True)
    class Goal:
        target: float = 0.0

    @dataclass(frozen=True)
    class Result:
        reached: float = 0.0

    @dataclass(frozen=True)
    class Feedback:
        progress: float = 0.0


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Every test must join the threads it starts."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not leftover, f"threads left running: {leftover}"


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def context(clock: SimClock) -> Iterator[Context]:
    ctx = Context(clock)
    yield ctx
    ctx.shutdown()


@pytest.fixture
def executor(context: Context) -> Executor:
    return Executor(context)


@pytest.fixture
def make_node(context: Context, executor: Executor) -> Callable[..., Node]:
    """Create a node already added to the executor."""

    def make(name: str, **kwargs: object) -> Node:
        node = Node(context, name, **kwargs)  # type: ignore[arg-type]
        executor.add_node(node)
        return node

    return make


@pytest.fixture
def move_action() -> type[Move]:
    return Move
