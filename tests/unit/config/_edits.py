"""Test helper: a file with one edit, and the error it must give at the edited line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cellctl.config import ConfigError


def error_at_edit(text: str, old: str, new: str, path: Path, load: Callable[[], object]) -> ConfigError:
    """Write ``text`` with ``old`` replaced by ``new`` to ``path``; ``load()`` must fail at the edited line."""
    assert text.count(old) == 1, old
    edited = text.replace(old, new)
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load()
    line = edited[: edited.index(new)].count("\n") + 1 + new[: len(new) - len(new.lstrip("\n"))].count("\n")
    assert str(info.value).startswith(f"{path}:{line}:"), str(info.value)
    return info.value
