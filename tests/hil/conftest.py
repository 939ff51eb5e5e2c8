"""HIL fixtures: the controller emulator by default, a real controller with ``--hil-port``.

Every test gets a configured and activated :class:`SerialSystem`; teardown resets faults on a
real controller and always shuts the system (and the emulator process) down.
"""

from __future__ import annotations

import itertools
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


_SEEDS = itertools.count(11)
"""A different seed for every system of the session: a controller that stays up remembers the
tool command ids of earlier tests, so no two tests may draw the same ids."""


@pytest.fixture(scope="session")
def persistent_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One emulator for the whole session (``--hil-persistent``)."""
    folder = tmp_path_factory.mktemp("bench")
    emulator = EmulatorProcess("--link", str(folder / "controller"), "--tcp", "0", "--lease-ms", "250")
    try:
        yield emulator.start()
    finally:
        emulator.stop()


@pytest.fixture
def hil_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HilTarget]:
    port = request.config.getoption("--hil-port")
    if port:
        yield HilTarget(url=port, emulated=False)
        return
    if request.config.getoption("--hil-persistent"):
        yield HilTarget(url=request.getfixturevalue("persistent_emulator").url, emulated=True)
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
    with serial_systems(seed=next(_SEEDS)) as make:
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
