"""The emulated controller's non-volatile memory of tool commands (docs/protocol.md, "Exactly once").

A real controller keeps this in flash or FRAM; the emulator keeps it in a JSON file (by default
beside its link: ``LINK.nvm.json``), replaced atomically at every change, so it survives the
emulator's process being killed. It holds:

* ``running``: the id of the tool command being executed, written *before* the tool starts;
* ``results``: the last ``HISTORY`` results (the TOOL_CURVE and TOOL_RESULT messages, as sent;
  of the older ones only the TOOL_RESULT where the profile keeps fewer curves), with the kind of
  command each id was (an id is matched with its kind);
* ``drives``: how many times the tool was started for each id (screwdriver and back-out only):
  the controller's own evidence that no screw was driven twice.

At boot, a ``running`` id left from before is an *interrupted* command: its outcome is lost, and
the controller answers every later command or query with that id OUTCOME_UNKNOWN.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path

from firmware_bridge.frames import MESSAGES, Message

__all__ = ["ToolMemory"]

HISTORY = 64
"""Results kept (the protocol asks for at least 64)."""


class ToolMemory:
    """See module docstring; ``path=None`` keeps everything in RAM (lost at a restart)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.running: int | None = None
        self.results: OrderedDict[int, list[Message]] = OrderedDict()
        self.kinds: dict[int, int] = {}
        """Message type of the command each remembered id was."""
        self.history, self.curve_history = HISTORY, HISTORY
        self.drives: dict[int, int] = {}
        self.interrupted: set[int] = set()
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.results = OrderedDict(
            (int(cid), [MESSAGES[t].decode(bytes.fromhex(p)) for t, p in messages])
            for cid, messages in data.get("results", []))
        self.drives = {int(k): int(v) for k, v in data.get("drives", {}).items()}
        self.kinds = {int(k): int(v) for k, v in data.get("kinds", {}).items()}
        self.interrupted = {int(c) for c in data.get("interrupted", [])}
        if data.get("running") is not None:
            self.interrupted.add(int(data["running"]))
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        data = {"running": self.running, "interrupted": sorted(self.interrupted),
                "results": [[cid, [[int(m.TYPE), m.encode().hex()] for m in messages]]
                            for cid, messages in self.results.items()],
                "drives": {str(k): v for k, v in self.drives.items()},
                "kinds": {str(k): v for k, v in self.kinds.items()}}
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def start(self, command_id: int, drives: bool) -> None:
        """Write that ``command_id`` starts (before the tool moves); count a drive."""
        self.running = command_id
        if drives:
            self.drives[command_id] = self.drives.get(command_id, 0) + 1
        self._save()

    def limit(self, history: int, curve_history: int) -> None:
        """Keep at most ``history`` results, the last ``curve_history`` of them with their curve
        (a small controller's RAM: docs/protocol.md §11)."""
        self.history, self.curve_history = history, curve_history

    def finish(self, command_id: int, messages: list[Message], kind: int) -> None:
        """Keep the result of ``command_id`` (what was sent: curve chunks, then the result), a
        command of message type ``kind``."""
        self.results[command_id] = list(messages)
        self.kinds[command_id] = kind
        while len(self.results) > self.history:
            self.kinds.pop(self.results.popitem(last=False)[0], None)
        for old in list(self.results)[: max(0, len(self.results) - self.curve_history)]:
            self.results[old] = self.results[old][-1:]  # the curve's memory is reused; the result stays
        if self.running == command_id:
            self.running = None
        self._save()
