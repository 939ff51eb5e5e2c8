"""Configuration errors that point at ``FILE:LINE:COL`` and say what would be valid."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Mark", "ConfigError"]


@dataclass(frozen=True)
class Mark:
    """A place in a configuration file; ``line`` and ``col`` count from 1, as editors do."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class ConfigError(ValueError):
    """A configuration file is malformed or has an invalid value.

    ``str(error)`` is ``FILE:LINE:COL: message``, the format editors and CI logs link to.

    Attributes:
        mark: where the offending node starts.
        detail: the message without the location.
    """

    def __init__(self, mark: Mark, detail: str) -> None:
        super().__init__(f"{mark}: {detail}")
        self.mark = mark
        self.detail = detail
