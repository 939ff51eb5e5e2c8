"""Fixtures for firmware_bridge tests: an emulator process, a fault proxy, a connected system.

Every fixture stops what it started in a ``finally`` (processes, threads, ptys, symlinks).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_bridge.testing import EmulatorProcess, serial_systems


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator:
    """Start emulator processes with extra CLI arguments; all are stopped at teardown."""
    started: list[EmulatorProcess] = []

    def start(*args: str, name: str = "emu") -> EmulatorProcess:
        process = EmulatorProcess("--link", str(tmp_path / name), "--journal", str(tmp_path / f"{name}.jsonl"), *args)
        started.append(process)
        return process.start()

    try:
        yield start
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def system_factory() -> Iterator:
    """Create SerialSystems; all are shut down at teardown."""
    with serial_systems(seed=7) as make:
        yield make
