"""Fixtures for the CLI tests: the installed ``cellctl`` command driven as a user would.

Every command runs as a subprocess of the console script with a timeout, in a temporary
working directory; every emulator started here is stopped whatever happens.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _cli import CELLCTL, Result, cli_env  # noqa: E402

from firmware_bridge.testing import EmulatorProcess  # noqa: E402

Runner = Callable[..., Result]


@pytest.fixture
def cellctl(tmp_path: Path) -> Runner:
    """Run ``cellctl ARGS`` (in ``tmp_path`` unless ``cwd`` is given), bounded by ``timeout``.

    Asserts that no Python traceback reached the user: every outcome, error or not, must be
    reported in words.
    """

    def run(*args: str | Path, cwd: Path | None = None, timeout: float = 60.0) -> Result:
        argv = [str(a) for a in args]
        done = subprocess.run([*CELLCTL, *argv], cwd=cwd or tmp_path, env=cli_env(), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        result = Result(argv, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, str(result)
        return result

    return run


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo's (recipe, cell) files, exported once with ``cellctl demo --export``."""
    folder = tmp_path_factory.mktemp("demo-files")
    done = subprocess.run([*CELLCTL, "demo", "--export", str(folder)], cwd=folder, env=cli_env(),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return folder / "recipe.yaml", folder / "cell.yaml"


class CellctlEmulator(EmulatorProcess):
    """``cellctl emulator ARGS`` as a child process: bounded start (ready line), always stopped.

    :class:`EmulatorProcess` with the console script as the command and stderr in a file.
    """

    def __init__(self, *args: str, log: Path, ready_timeout: float = 20.0) -> None:
        super().__init__(*args, ready_timeout=ready_timeout, command=[*CELLCTL, "emulator"], log=log, env=cli_env())


@pytest.fixture
def emulators(tmp_path: Path) -> Iterator[Callable[..., CellctlEmulator]]:
    """Start ``cellctl emulator`` processes; all of them are stopped at teardown."""
    started: list[CellctlEmulator] = []

    def start(*args: str) -> CellctlEmulator:
        emulator = CellctlEmulator(*args, log=tmp_path / f"emulator{len(started)}.log")
        started.append(emulator)
        return emulator.start()

    try:
        yield start
    finally:
        for emulator in started:
            emulator.stop()
