"""Backends the hardware contract is checked against: the simulation and the controller emulator
(its standard profile, and the small one that fits in 64 KB of RAM).

``--hil-port`` (see ``tests/hil``) points the serial case at a real controller instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from cellctl.hw import ArmInterface, HardwareSystem, StopKind
from firmware_bridge.testing import EmulatorProcess, serial_systems


class Contract:
    """One arm of a running backend, and a way to let its time pass while watching it."""

    def __init__(self, system: HardwareSystem, arm: ArmInterface) -> None:
        self.system, self.arm = system, arm

    def watch(self, seconds: float, period: float = 0.005) -> list:
        """Let ``seconds`` of backend time pass; the arm's states seen on the way."""
        states = []
        for _ in range(max(1, math.ceil(seconds / period))):
            self.system.wait_until(self.system.now() + period)
            states.append(self.arm.read())
        return states


@pytest.fixture(params=[pytest.param("sim", marks=pytest.mark.sim), pytest.param("serial", marks=pytest.mark.hil),
                        pytest.param("serial-small", marks=pytest.mark.hil)])
def contract(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Contract]:
    """A configured, active backend with one arm (the demo cell's loader in the simulation)."""
    if request.param == "sim":
        from sim import SimSystem

        system = SimSystem(None, kinematic=True)
        try:
            system.configure()
            system.activate()
            yield Contract(system, system.arms["loader"])
        finally:
            system.shutdown()
        return
    port = request.config.getoption("--hil-port", default=None)
    small = request.param == "serial-small"
    if port and small:
        pytest.skip("--hil-port: the real controller runs as the 'serial' case; 'serial-small' is the emulator's "
                    "small profile (--profile small)")
    emulator = None if port else EmulatorProcess("--tcp", "0", "--no-pty", *(["--profile", "small"] if small else []))
    try:
        url = port or emulator.start().tcp_url
        with serial_systems(seed=3) as make:
            system = make(url)
            system.configure()
            system.activate()
            try:
                yield Contract(system, system.arm)
            finally:
                try:
                    system.arm.stop(StopKind.CONTROLLED)
                    system.arm.reset()
                except Exception:  # noqa: BLE001 - teardown of a test that may have broken the link
                    pass
    finally:
        if emulator is not None:
            emulator.stop()
