"""Suite-wide settings: a deterministic hypothesis profile and the HIL port option."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "cellctl",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("cellctl")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--hil-port",
        default=None,
        help="serial port or pyserial URL of a real controller for the hil suite "
        "(default: start the controller emulator)",
    )
    parser.addoption(
        "--hil-persistent",
        action="store_true",
        help="run the hil suite against one emulator that stays up for the whole session, as a "
        "bench with one real controller does (default: a fresh emulator per test)",
    )
