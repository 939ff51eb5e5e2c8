"""Fixtures for the simulation tests: a configured, active demo cell that is always shut down."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _cell import start  # noqa: E402
from _unit import Operator  # noqa: E402

from sim import SimSystem  # noqa: E402


@pytest.fixture
def cell() -> Iterator[tuple[SimSystem, Operator]]:
    """The demo cell, seed 1, dynamic mode; disconnected afterwards whatever happens."""
    sim, operator = start()
    try:
        yield sim, operator
    finally:
        operator.close()
        sim.shutdown()
