"""Fixtures for the browser tests: the demo cell served with its operator page, and a headless
Chromium; both stopped by the test that started them. Without Chromium the tests fail (with the
command that installs it), they do not skip."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _page import open_browser, script_errors, serve_with_page  # noqa: E402


@pytest.fixture
def browser() -> Iterator[object]:
    driver = open_browser()  # RuntimeError (a failure, not a skip) without chromium
    try:
        yield driver
        errors = script_errors(driver)
        assert not errors, f"the page's script failed: {errors}"
    finally:
        driver.quit()


def served_page(tmp_path: Path, *extra: str):
    """A context for one serve process with its page (stopped at the end, killed if it hangs)."""
    served, url = serve_with_page(tmp_path, *extra)
    try:
        yield served, url
    finally:
        if served.process.poll() is None:
            served.stop()


@pytest.fixture
def cell_page(tmp_path: Path) -> Iterator[tuple]:
    """The demo cell at 3x real time (a unit takes some 17 s: time to pause and e-stop it)."""
    yield from served_page(tmp_path, "--pace", "3")


@pytest.fixture
def nok_cell_page(tmp_path: Path) -> Iterator[tuple]:
    """The demo cell as fast as it goes, its screw h2 stripped (the unit ends NOK)."""
    yield from served_page(tmp_path, "--pace", "0", "--inject", "h2=stripped")
