"""HIL fixtures: the controller emulator by default, a real controller with ``--hil-port``.

Every test gets a configured and activated :class:`SerialSystem`; teardown resets faults on a
real controller and always shuts the system (and the emulator process) down.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cellctl.hw.errors import HardwareError
from firmware_bridge.backend import SerialSystem
from firmware_bridge.testing import EmulatorProcess, serial_systems


@dataclass
class HilTarget:
    """Where the controller is and whether it is the emulator (whose journal tests may read)."""

    url: str
    emulated: bool
    journal: Path | None = None


@pytest.fixture
def hil_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HilTarget]:
    port = request.config.getoption("--hil-port")
    if port:
        yield HilTarget(url=port, emulated=False)
        return
    journal = tmp_path / "controller.jsonl"
    emulator = EmulatorProcess("--link", str(tmp_path / "controller"), "--tcp", "0", "--lease-ms", "250",
                               "--journal", str(journal))
    try:
        emulator.start()
        yield HilTarget(url=emulator.url, emulated=True, journal=journal)
    finally:
        emulator.stop()


@pytest.fixture
def make_system() -> Iterator:
    """Build SerialSystems that are always shut down at teardown."""
    with serial_systems(seed=11) as make:
        yield make


@pytest.fixture
def hil_system(hil_target: HilTarget, make_system) -> Iterator[SerialSystem]:
    """A configured, activated system on the HIL target; faults are reset afterwards."""
    system = make_system(hil_target.url)
    system.configure()
    system.activate()
    try:
        yield system
    finally:
        if system.is_active:
            try:
                system.arm.reset()
            except HardwareError:
                pass
