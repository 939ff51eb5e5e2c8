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


# ---------------------------------------------------------------- the unit lane stays in-process
class _UnitLaneViolation(BaseException):
    """Raised inside a ``unit`` test that starts a process or opens a pty or socket (a
    BaseException, so the code under test cannot swallow it as an OSError)."""


_FORBIDDEN = (  # (module, attribute, what it does)
    ("subprocess.Popen", "__init__", "starts a process"),
    ("os", "fork", "forks a process"),
    ("os", "posix_spawn", "starts a process"),
    ("os", "posix_spawnp", "starts a process"),
    ("os", "openpty", "opens a pty"),
    ("pty", "openpty", "opens a pty"),
    ("pty", "fork", "forks a process on a pty"),
    ("socket.socket", "__init__", "opens a socket"),
)


@pytest.fixture(autouse=True)
def _unit_lane_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest -m unit`` is the fast lane: a test marked ``unit`` that starts a process or opens
    a pty or a socket fails (mark it by what it needs instead, e.g. ``process``)."""
    if request.node.get_closest_marker("unit") is None:
        return
    import importlib

    for owner_name, attribute, what in _FORBIDDEN:
        module_name, _, class_name = owner_name.partition(".")
        owner = importlib.import_module(module_name)
        owner = getattr(owner, class_name) if class_name else owner
        if not hasattr(owner, attribute):
            continue

        def refuse(*args: object, _what: str = what, **kwargs: object) -> None:
            raise _UnitLaneViolation(f"a test marked 'unit' {_what}; unit tests stay in-process "
                                     "(mark it 'process' instead)")

        monkeypatch.setattr(owner, attribute, refuse)


# ---------------------------------------------------------------- parallel runs (pytest-xdist)
SERIAL_LINK_GROUP = "serial-link"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of a serial link to an emulator process (``hil``, and the ``process`` tests of
    ``firmware_bridge``) keep time on a real clock and share the machine with their emulator: they
    run one at a time, on one xdist worker (``--dist loadgroup``), while the other workers take
    the in-process and simulation tests."""
    for item in items:
        link = item.get_closest_marker("hil") is not None or (
            item.get_closest_marker("process") is not None and "firmware_bridge" in item.nodeid)
        if link:
            item.add_marker(pytest.mark.xdist_group(SERIAL_LINK_GROUP))
