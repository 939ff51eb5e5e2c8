"""Periodic timers driven by a node's clock (wall or simulation time).

As in rcl, a timer that fell behind (the executor was busy, or simulation time jumped by several
periods) fires once and skips the missed periods: the next call is the first period boundary
after now. To fire on every period in simulation, advance the clock with
:meth:`Executor.advance_sim`, which stops at each timer deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from cellctl.rt.clock import Clock, Duration, Time
from cellctl.rt.waitable import Rank, Waitable

if TYPE_CHECKING:
    from cellctl.rt.node import Node


class Timer(Waitable):
    """Calls ``callback()`` on the executor thread every ``period`` of ``clock``."""

    rank = Rank.TIMER

    def __init__(self, node: Node, period: Duration, callback: Callable[[], None], clock: Clock) -> None:
        if period.nanoseconds <= 0:
            raise ValueError(f"timer period must be positive, got {period!r}")
        self.period = period
        self.clock = clock
        self.callback = callback
        self.canceled = False
        self.next_call: Time = clock.now() + period
        super().__init__(node.context, node)

    def is_ready(self) -> bool:
        """Whether the deadline has passed on the timer's clock."""
        return not self.canceled and self.clock.now() >= self.next_call

    def sort_key(self) -> tuple[int, int, int]:
        """Earlier deadlines first among ready timers."""
        return (self.rank, self.next_call.nanoseconds, self.sequence)

    def seconds_until_due(self) -> float | None:
        """Wall seconds until due, or None if only a clock jump can bring it (or canceled)."""
        return None if self.canceled else self.clock.seconds_until(self.next_call)

    def run_one(self) -> bool:
        """Fire if due: schedule the next period boundary after now, then run the callback."""
        now = self.clock.now()
        if self.canceled or now < self.next_call:
            return False
        missed = (now - self.next_call).nanoseconds // self.period.nanoseconds
        self.next_call = self.next_call + self.period * (missed + 1)
        self.callback()
        return True

    def time_until_next_call(self) -> Duration:
        """Clock time left until the timer is due (negative when overdue)."""
        return self.next_call - self.clock.now()

    def cancel(self) -> None:
        """Stop firing until :meth:`reset`."""
        self.canceled = True

    def reset(self) -> None:
        """Restart: next call one period from now."""
        self.canceled = False
        self.next_call = self.clock.now() + self.period
        self.context.notify()
