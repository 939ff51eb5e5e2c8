"""Argument types of the command line: numbers in a range, with one clear line when they are not."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["number_in"]


def number_in(low: float, high: float, *, whole: bool = False, note: str = "") -> Callable[[str], float]:
    """An argparse ``type`` taking a number (``whole``: an integer) in ``low .. high``; ``note``
    is added to the range in messages (e.g. "0 = as fast as it goes")."""
    kind = "a whole number" if whole else "a number"
    span = f"{low:g} .. {high:g}" + (f" ({note})" if note else "")

    def parse(text: str) -> float:
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind} {span}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {span}, got {value:g}")
        return value
    return parse
