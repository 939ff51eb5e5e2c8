"""What every simulated tool has in common: one command at a time, stepped on simulation time."""

from __future__ import annotations

import abc
import math
from collections.abc import Callable
from typing import Any

from cellctl.hw.tools import ToolHandle, ToolResult

__all__ = ["SimTool", "nok"]


def nok(command_id: int, failure_class: str, message: str, *, status: str = "NOK",
        width: float = math.nan, torque: float = math.nan, angle: float = math.nan) -> ToolResult:
    """A not-OK result."""
    return ToolResult(command_id=command_id, ok=False, status=status, failure_class=failure_class,
                      message=message, width=width, torque=torque, angle=angle)


class SimTool(abc.ABC):
    """A tool on a simulated arm. Subclasses implement :meth:`begin` and :meth:`advance`, and
    :meth:`snapshot` / :meth:`restore` when they have state that outlives a command."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handle: ToolHandle | None = None
        self._started = 0.0
        self.on_finish: Callable[[ToolResult], None] | None = None
        """Called with every result a started command ends with (the arm records it)."""

    @property
    def busy(self) -> bool:
        """True while a command runs."""
        return self._handle is not None

    def start(self, command: object, handle: ToolHandle, now: float) -> None:
        """Start a command (the caller checked that the tool is idle)."""
        self._handle = handle
        self._started = now
        self.begin(command, now)

    def step(self, now: float) -> None:
        """Advance the running command (called after every physics step)."""
        if self._handle is not None:
            self.advance(now, now - self._started)

    def finish(self, result: ToolResult) -> None:
        """Complete the running command."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.finish(result)
            if self.on_finish is not None:
                self.on_finish(result)

    @property
    def command_id(self) -> int:
        """The running command's id."""
        assert self._handle is not None
        return self._handle.command_id

    def abort(self, reason: str) -> None:
        """Abort the running command (e-stop): its result is ABORTED."""
        if self._handle is not None:
            self.on_abort()
            self.finish(nok(self.command_id, "aborted", f"aborted: {reason}", status="ABORTED"))

    def on_abort(self) -> None:
        """Hook: stop the tool's motion on abort."""

    def snapshot(self) -> dict[str, Any]:
        """The tool's lasting state as plain numbers (a running command is not part of it)."""
        return {}

    def restore(self, data: dict[str, Any]) -> None:
        """Take back a :meth:`snapshot` (the arm's joints and the parts are already in place)."""

    @abc.abstractmethod
    def begin(self, command: object, now: float) -> None:
        """Hook: start ``command``."""

    @abc.abstractmethod
    def advance(self, now: float, elapsed: float) -> None:
        """Hook: one step of the running command, ``elapsed`` seconds after its start."""
