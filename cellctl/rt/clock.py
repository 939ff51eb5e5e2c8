"""Time, durations and clocks: wall time on hardware, simulation time in the simulator.

Times and durations are integer nanoseconds, so timer arithmetic never drifts. A
:class:`SimClock` only moves when the simulation advances it; timers on it fire on simulation
time. Clocks notify listeners (the context) when they jump, so an executor waiting for a
simulation-time timer wakes up.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

_NS_PER_S = 1_000_000_000


@dataclass(frozen=True, order=True)
class Duration:
    """A signed span of time in integer nanoseconds (``builtin_interfaces/Duration``)."""

    nanoseconds: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.nanoseconds, bool) or not isinstance(self.nanoseconds, int):
            raise TypeError(
                f"Duration takes integer nanoseconds, got {self.nanoseconds!r}; "
                "use Duration.from_seconds() for seconds"
            )

    @classmethod
    def from_seconds(cls, seconds: float) -> Duration:
        """The duration closest to ``seconds`` (rounded to the nanosecond)."""
        return cls(round(seconds * _NS_PER_S))

    @property
    def seconds(self) -> float:
        """The duration in seconds, as a float."""
        return self.nanoseconds / _NS_PER_S

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.nanoseconds + other.nanoseconds)

    def __sub__(self, other: Duration) -> Duration:
        return Duration(self.nanoseconds - other.nanoseconds)

    def __neg__(self) -> Duration:
        return Duration(-self.nanoseconds)

    def __mul__(self, factor: int) -> Duration:
        return Duration(self.nanoseconds * factor)

    def __repr__(self) -> str:
        return f"Duration({self.seconds:.9g} s)"


@dataclass(frozen=True, order=True)
class Time:
    """A point in time of some clock, in integer nanoseconds (``builtin_interfaces/Time``)."""

    nanoseconds: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.nanoseconds, bool) or not isinstance(self.nanoseconds, int):
            raise TypeError(
                f"Time takes integer nanoseconds, got {self.nanoseconds!r}; "
                "use Time.from_seconds() for seconds"
            )
        if self.nanoseconds < 0:
            raise ValueError(f"Time must not be negative, got {self.nanoseconds} ns")

    @classmethod
    def from_seconds(cls, seconds: float) -> Time:
        """The time closest to ``seconds`` (rounded to the nanosecond)."""
        return cls(round(seconds * _NS_PER_S))

    @property
    def seconds(self) -> float:
        """The time in seconds, as a float."""
        return self.nanoseconds / _NS_PER_S

    def __add__(self, other: Duration) -> Time:
        return Time(self.nanoseconds + other.nanoseconds)

    def __sub__(self, other: Time) -> Duration:
        return Duration(self.nanoseconds - other.nanoseconds)

    def __repr__(self) -> str:
        return f"Time({self.seconds:.9g} s)"


@runtime_checkable
class Clock(Protocol):
    """What the runtime needs from a clock."""

    def now(self) -> Time:
        """The current time of this clock."""
        ...

    def seconds_until(self, when: Time) -> float | None:
        """Wall seconds to wait until ``when``, or ``None`` if only a clock jump can bring it."""
        ...

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the thread that moves the clock) whenever the clock jumps."""
        ...


class WallClock:
    """Monotonic wall time (``time.monotonic_ns``); never jumps, so listeners are never called."""

    def now(self) -> Time:
        """The monotonic time now."""
        return Time(time.monotonic_ns())

    def seconds_until(self, when: Time) -> float:
        """Seconds from now until ``when`` (zero if it has passed)."""
        return max(0.0, (when - self.now()).seconds)

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Wall time never jumps; nothing to register."""


class SimClock:
    """Simulation time, starting at ``start`` and moved only by :meth:`advance` / :meth:`set_time`.

    Thread-safe: the simulation may advance it from its own thread. Time never goes backwards.
    """

    def __init__(self, start: Time = Time()) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> Time:
        """The current simulation time."""
        return self._now

    def seconds_until(self, when: Time) -> float | None:
        """Zero if ``when`` has passed, else ``None``: only the simulation can bring it."""
        return 0.0 if when <= self._now else None

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Register ``listener`` to be called after each jump of the clock."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def set_time(self, when: Time) -> None:
        """Jump to ``when``; raises ``ValueError`` if that is in the past."""
        with self._lock:
            if when < self._now:
                raise ValueError(
                    f"simulation time cannot go backwards: clock is at {self._now.seconds:.9g} s, "
                    f"asked for {when.seconds:.9g} s"
                )
            self._now = when
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def advance(self, step: Duration) -> Time:
        """Move the clock forward by ``step`` (must not be negative); returns the new time."""
        if step.nanoseconds < 0:
            raise ValueError(f"simulation step must not be negative, got {step!r}")
        self.set_time(self._now + step)
        return self._now


def as_duration(value: Duration | float, what: str) -> Duration:
    """``value`` as a :class:`Duration` (floats are seconds); ``what`` names it in errors."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Duration.from_seconds(float(value))
    raise TypeError(f"{what} must be a Duration or seconds as a float, got {value!r}")
