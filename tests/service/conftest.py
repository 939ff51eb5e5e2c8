"""Fixtures for the service tests: a ``cellctl serve`` process per test, on its own loopback port
and domain (no multicast scouting), always stopped by the test that started it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))

from _serve import Served, start_serve  # noqa: E402


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The demo cell served in simulation (idle paced to 3x real time, units as fast as they go)."""
    cell = start_serve(tmp_path, "--pace", "3")
    try:
        yield cell
    finally:
        if cell.process.poll() is None:
            cell.process.kill()
            cell.process.wait(10)
