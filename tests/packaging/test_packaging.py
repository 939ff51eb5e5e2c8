"""How the package starts: entry points, and what a serial-only deployment imports.

Each check runs a fresh interpreter (``sys.modules`` of the test process is shared by every
test), so these are not ``unit`` tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.process

HEAVY = ("pybullet", "matplotlib", "scipy", "foxglove")  # foxglove: only with --foxglove or --layout

# Everything a `cellctl run --backend serial:...` process loads before it talks to a controller:
# the CLI, loading and validating a cell and recipe, the supervisor and the serial backend.
SERIAL_PATH = """
import json, sys
import cellctl.cli.main, cellctl.cli.execute, cellctl.cli.run, cellctl.cli.report
import cellctl.recipe.validate, cellctl.supervisor
import firmware_bridge.cell, firmware_bridge.backend, firmware_bridge.emulator
from cellctl.cli.backends import make_backend
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy})))
"""


def _python(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter run outside the checkout: ``-c`` and ``-m`` put the working folder first
    on the import path, and the checkout's source tree has no compiled motion core (CI installs a
    wheel); the installed package is what is tested."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd="/")


def test_the_serial_path_imports_no_simulator_plotting_or_scipy() -> None:
    done = _python("-c", SERIAL_PATH.format(heavy=set(HEAVY)))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_importing_the_simulator_prints_no_pybullet_banner() -> None:
    done = _python("-c", "import sim; import pybullet; print('ready')")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ready\n"
    assert "build time" not in done.stderr


@pytest.mark.parametrize("module", ["cellctl", "cellctl.cli.main"])
def test_python_dash_m_runs_the_cli_without_warnings(module: str) -> None:
    done = _python("-W", "error", "-m", module, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cellctl ")
    assert done.stderr == ""


def test_python_dash_m_cellctl_reports_usage_errors_like_the_script() -> None:
    done = _python("-m", "cellctl", "validate", "no-such-recipe.yaml", "--cell", "no-such-cell.yaml")
    assert done.returncode == 2
    assert "no-such" in done.stderr and "Traceback" not in done.stderr


def test_a_reader_that_stops_early_is_not_an_error(tmp_path) -> None:
    """``cellctl report ... | head -1``: the closed pipe ends the command quietly, exit 0."""
    import numpy as np

    from cellctl.hw import ScrewProgram, ToolResult
    from cellctl.journal import Journal

    journal = Journal(tmp_path / "j.db")
    unit = journal.start_unit("PH", "demo", "1", "cell", 0.0)
    t = np.linspace(0.0, 1.0, 20000)
    tightening = journal.start_tightening(unit.id, None, "h1", 0, "m14", ScrewProgram(3, 0.15, 0.13, 0.17, 2700.0, 3400.0),
                                          1, 0.0)
    journal.finish_tightening(tightening, ToolResult(1, True, "OK", 0.15, 3000.0, curve_time=t, curve_torque=t,
                                                     curve_angle=t), 1.0)
    journal.close()
    with subprocess.Popen([sys.executable, "-m", "cellctl", "report", "--db", str(tmp_path / "j.db"), "--unit",
                           "PH-000001", "--curves", "--csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, cwd="/") as process:  # reaped and its pipes closed, whatever happens
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            process.stdout.close()
            stderr = process.communicate(timeout=60)[1].decode()
        finally:
            process.kill()
    assert first.startswith(b"serial,"), first
    assert process.returncode == 0, stderr
    assert stderr == ""
