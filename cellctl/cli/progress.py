"""What a running cell shows: one line per change (a live line on a terminal)."""

from __future__ import annotations

import sys
from typing import TextIO

from cellctl.supervisor.messages import CellState, CellStatus
from cellctl.cli.terminal import paint, use_colour

_STATE_COLOUR = {CellState.RUNNING: "green", CellState.PAUSING: "yellow", CellState.PAUSED: "yellow",
                 CellState.STOPPING: "yellow", CellState.FAULTED: "red", CellState.ESTOPPED: "red"}


class Progress:
    """Renders :class:`CellStatus` messages (subscribe it to the supervisor's status topic)."""

    def __init__(self, stream: TextIO = sys.stderr, quiet: bool = False) -> None:
        self.stream, self.quiet = stream, quiet
        self._last: tuple | None = None
        self._live = use_colour(stream)

    def __call__(self, status: CellStatus) -> None:
        key = (status.state, status.unit, status.arms, status.units_ok, status.units_nok)
        if self.quiet or key == self._last:
            return
        self._last = key
        state = paint(f"{status.state.value:<8}", _STATE_COLOUR.get(status.state, "dim"), self.stream)
        doing = "; ".join(f"{arm}: {what}" for arm, what in status.arms) or "-"
        unit = f"unit {status.unit_index}/{status.units_total} {status.unit or ''}".strip()
        line = f"[{status.time:8.2f} s] {state} {unit:<24} {doing}"
        if status.message:
            line += f"  {paint(status.message, 'red', self.stream)}"
        print(line, file=self.stream, flush=True)
