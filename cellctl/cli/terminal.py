"""Output for people: colours on a terminal, plain text in a pipe."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from cellctl.rt.lifecycle import CAUSE_ONLY

_CODES = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2", "cyan": "36"}


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text: str, colour: str, stream: TextIO = sys.stdout) -> str:
    return f"\033[{_CODES[colour]}m{text}\033[0m" if use_colour(stream) else text


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def error(command: str, message: str) -> None:
    print(f"cellctl {command}: {paint('error', 'red', sys.stderr)}: {message}", file=sys.stderr)


class OneLineLog(logging.Handler):
    """Log records (warnings and up) as one line each on stderr: an exception's message, no traceback.

    A record marked :data:`~cellctl.rt.lifecycle.CAUSE_ONLY` (a lifecycle callback that raised) shows
    the exception's message alone: it says what happened and what to do; the wrapper does not.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                cause = str(record.exc_info[1])
                message = cause if getattr(record, CAUSE_ONLY, False) else f"{message}: {cause}"
            level = paint(record.levelname.lower(), "red" if record.levelno >= logging.ERROR else "yellow", sys.stderr)
            print(f"cellctl: {level}: {message}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)
