"""Fixtures for cell-description tests: the demo cell with one edit, and its error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cellctl.config import ConfigError, demo_cell_path, load_cell

DEMO = demo_cell_path().read_text(encoding="utf-8")

Broken = Callable[[str, str], ConfigError]


@pytest.fixture
def broken(tmp_path: Path) -> Broken:
    """Load the demo cell with ``old`` replaced by ``new``; return the error, checked to name the edited line."""
    def load(old: str, new: str) -> ConfigError:
        assert DEMO.count(old) == 1, old
        text = DEMO.replace(old, new)
        path = tmp_path / "cell.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            load_cell(path)
        line = text[: text.index(new)].count("\n") + 1 + new[: len(new) - len(new.lstrip("\n"))].count("\n")
        assert str(info.value).startswith(f"{path}:{line}:"), str(info.value)
        return info.value
    return load
