"""How a running ``cellctl run`` answers signals, on a terminal or under a service manager.

* SIGINT (Ctrl-C) pauses: every arm decelerates along its path and holds. A second SIGINT aborts
  the unit. On a terminal, Enter resumes; off a terminal (a service, ``nohup``, a pipe) the pause
  message says how to steer from another shell: ``kill -USR1 PID`` resumes, ``kill -INT PID``
  aborts, ``kill -TERM PID`` stops leaving the unit open.
* SIGUSR1 resumes a paused run.
* SIGTERM (how a service manager stops a process) makes a controlled stop: the arms decelerate,
  the unit stays open in the journal (``cellctl run --resume`` continues it) and the run exits 1.

Handlers only set requests; the supervisor acts on them at its next control cycle (and writes
them to the journal there, never from inside a handler).
"""

from __future__ import annotations

import os
import select
import signal
import sys
from types import FrameType
from typing import Any

from cellctl.supervisor import CellState, Supervisor


class RunSignals:
    """Installs the handlers for one run (see module docstring); :meth:`restore` puts back the old ones."""

    def __init__(self, supervisor: Supervisor, *, interactive: bool | None = None) -> None:
        self.supervisor, self.count = supervisor, 0
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.terminated = False
        self._previous: dict[int, Any] = {}
        for sig, handler in ((signal.SIGINT, self._interrupt), (signal.SIGTERM, self._terminate),
                             (signal.SIGUSR1, self._resume)):
            self._previous[sig] = signal.signal(sig, handler)

    def pause_help(self) -> str:
        """What the operator can do while paused."""
        if self.interactive:
            return "Enter resumes, Ctrl-C again aborts"
        pid = os.getpid()
        return (f"from another shell: 'kill -USR1 {pid}' resumes, 'kill -INT {pid}' aborts the unit, "
                f"'kill -TERM {pid}' stops leaving the unit open for 'cellctl run --resume'")

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            print(f"\npausing (controlled stop) — {self.pause_help()}", file=sys.stderr, flush=True)
            self.supervisor.pause()
        else:
            print("\naborting the unit", file=sys.stderr, flush=True)
            self.supervisor.abort()

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = True
        print("\nSIGTERM: controlled stop; the unit stays open ('cellctl run --resume' continues it)",
              file=sys.stderr, flush=True)
        self.supervisor.hold("SIGTERM: controlled stop, the unit is left open")

    def _resume(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if self.supervisor.state in (CellState.PAUSING, CellState.PAUSED):
            self.count = 0
            print("resuming", file=sys.stderr, flush=True)
            self.supervisor.resume()

    def poll(self) -> None:
        """Resume on Enter while paused (terminals only); called every control cycle."""
        if not self.interactive or self.supervisor.state is not CellState.PAUSED:
            return
        if select.select([sys.stdin], [], [], 0.0)[0]:
            sys.stdin.readline()
            self._resume()

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
