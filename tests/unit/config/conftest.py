"""Fixtures for cell-description tests: a file with one edit, and the error it must give at the edited line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _edits import error_at_edit  # noqa: E402

from cellctl.config import ConfigError, demo_cell_path, load_cell  # noqa: E402

DEMO = demo_cell_path().read_text(encoding="utf-8")

Broken = Callable[[str, str], ConfigError]


@pytest.fixture
def broken(tmp_path: Path) -> Broken:
    """Load the demo cell with ``old`` replaced by ``new``; return the error, checked to name the edited line."""
    path = tmp_path / "cell.yaml"
    return lambda old, new: error_at_edit(DEMO, old, new, path, lambda: load_cell(path))
