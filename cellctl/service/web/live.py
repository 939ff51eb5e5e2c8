"""What the operator page shows, kept up to date from the cell's topics.

:class:`LiveState` is fed the messages a client receives (the latched status, step events,
tightening results and curves, faults, unit results: the same topics every viewer subscribes
to) and keeps the little the page needs: the status, the steps done in the unit in progress,
the last units and tightenings, the last fault. It is called on Zenoh's threads and read on
the web server's: every access holds its lock.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from typing import Any

from cellctl.recipe.model import Fallback, Retry, Step

KEEP_UNITS = 8
"""Units listed with their result and cycle time."""
KEEP_TIGHTENINGS = 4
"""Tightenings shown with their torque-angle curves."""


def nominal_steps(step: Step) -> int:
    """The journaled steps a unit runs when every step succeeds the first time: a fallback's first
    choice, a retry's child once, every child of a sequence or parallel. The page's progress bar
    counts against it (a unit that recovers a screw runs more and shows full until it ends)."""
    children = step.children()
    if not children:
        return 1
    if isinstance(step, (Fallback, Retry)):
        return nominal_steps(children[0])
    return sum(nominal_steps(child) for child in children)


def curve_key(message: dict[str, Any]) -> str:
    """``unit/hole/attempt``: ties a tightening result to its curve."""
    return f"{message['unit']}/{message['hole']}/{message['attempt']}"


def plain(message: dict[str, Any]) -> dict[str, Any]:
    """A message as JSON can carry it: without its ``stamp``, NaN and infinities as None."""
    out: dict[str, Any] = {}
    for key, value in message.items():
        if key == "stamp":
            continue
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        elif isinstance(value, list):
            value = [None if isinstance(v, float) and not math.isfinite(v) else v for v in value]
        elif isinstance(value, dict):
            value = plain(value)
        out[key] = value
    return out


class LiveState:
    """See module docstring. ``planned_steps``: :func:`nominal_steps` of the recipe (None: unknown)."""

    def __init__(self, planned_steps: int | None = None) -> None:
        self._lock = threading.Lock()
        self.planned_steps = planned_steps
        self.status: dict[str, Any] | None = None
        self.units: deque[dict[str, Any]] = deque(maxlen=KEEP_UNITS)
        self.tightenings: deque[dict[str, Any]] = deque(maxlen=KEEP_TIGHTENINGS)
        self.curves: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.fault: dict[str, Any] | None = None
        self.steps: dict[str, dict[str, Any]] = {}  # the last step event of each arm
        self._unit = ""
        self._done: set[tuple[str, int]] = set()  # (path, attempt) of the steps ended in that unit
        self.version = 0  # grows with every change (the server sends the state when it grew)

    def apply(self, kind: str, message: dict[str, Any]) -> None:
        """Take one message: kind is ``status`` or one of the journal's kinds (``step``,
        ``tightening``, ``curve``, ``fault``, ``unit``)."""
        message = plain(message)
        with self._lock:
            getattr(self, f"_on_{kind}")(message)
            self.version += 1

    def _on_status(self, message: dict[str, Any]) -> None:
        before = (self.status or {}).get("state")
        self.status = message
        if message.get("state") in ("idle", "running") and before in ("faulted", "estopped"):
            self.fault = None  # reset: the last fault is over

    def _on_step(self, message: dict[str, Any]) -> None:
        if message["unit"] != self._unit:
            self._unit, self._done = message["unit"], set()
        if message["result"] not in ("RUNNING", "HALTED"):
            self._done.add((message["path"], message["attempt"]))
        if message["arm"]:
            self.steps[message["arm"]] = message

    def _on_tightening(self, message: dict[str, Any]) -> None:
        self.tightenings.append({**message, "key": curve_key(message)})

    def _on_curve(self, message: dict[str, Any]) -> None:
        self.curves[curve_key(message)] = message
        while len(self.curves) > KEEP_TIGHTENINGS * 2:  # a curve can arrive before its result
            self.curves.popitem(last=False)

    def _on_fault(self, message: dict[str, Any]) -> None:
        self.fault = message

    def _on_unit(self, message: dict[str, Any]) -> None:
        self.units.append(message)

    def snapshot(self) -> dict[str, Any]:
        """Everything but the curves, as the page's ``state`` message."""
        with self._lock:
            unit = (self.status or {}).get("unit", "")
            return {"type": "state", "version": self.version, "status": self.status,
                    "progress": {"unit": unit, "done": len(self._done) if unit and unit == self._unit else 0,
                                 "planned": self.planned_steps},
                    "steps": dict(self.steps), "units": list(self.units), "tightenings": list(self.tightenings),
                    "fault": self.fault}

    def curves_shown(self) -> list[dict[str, Any]]:
        """The curves of the tightenings the page shows (``curve`` messages)."""
        with self._lock:
            keys = [t["key"] for t in self.tightenings]
            return [{"type": "curve", "key": key, **self.curves[key]} for key in keys if key in self.curves]
