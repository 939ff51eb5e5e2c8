"""The unit lifecycle an operator steers, on the simulated demo: a SIGTERM leaves the unit open,
a run without ``--resume`` refuses, ``units --open`` shows it, ``--resume`` finishes it and the
summary counts it; an abort off a terminal (SIGINT twice) is cleared out by ``cellctl recover``."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from _cli import CELLCTL, Result, cli_env

pytestmark = pytest.mark.sim


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CELLCTL, *args], cwd=cwd, env=cli_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_steps(db: Path, done: int, timeout: float = 60.0) -> None:
    """Until ``done`` steps ended OK in the journal (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
                    if con.execute("SELECT count(*) FROM steps WHERE result='OK'").fetchone()[0] >= done:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"{done} steps did not finish within {timeout} s")


def _finish(process: subprocess.Popen[str], args: list[str], timeout: float = 60.0) -> Result:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    result = Result(args, process.returncode, out, err)
    assert "Traceback" not in err, result
    return result


@pytest.mark.timeout(240)
def test_sigterm_leaves_the_unit_open_and_resume_finishes_it(cellctl, demo_files, tmp_path: Path) -> None:
    recipe, cell = demo_files
    args = ["run", str(recipe), "--cell", str(cell), "--db", "t.db", "--quiet", "--json"]
    process = _start(args, tmp_path)
    _wait_steps(tmp_path / "t.db", 3)
    process.send_signal(signal.SIGTERM)
    stopped = _finish(process, args)
    assert stopped.returncode == 1, stopped
    assert stopped.last_json["held"] == ["PH-000001"] and stopped.last_json["serials"] == [], stopped
    assert "--resume" in stopped.stderr

    refused = cellctl("run", recipe, "--cell", cell, "--db", "t.db")
    assert refused.returncode == 2, refused
    assert "PH-000001 is still open" in refused.stderr and "--resume" in refused.stderr

    listed = cellctl("units", "--open", "--db", "t.db", "--json")
    (unit,) = __import__("json").loads(listed.stdout)["open"]
    assert unit["unit"] == "PH-000001"
    assert unit["parts"]["mid_frame"] == "nest/unit"  # placed before the signal

    with sqlite3.connect(tmp_path / "t.db") as con:
        kinds = [r[0] for r in con.execute("SELECT kind || ':' || coalesce(detail, '') FROM events")]
    assert any(k.startswith("hold:SIGTERM") for k in kinds), kinds

    resumed = cellctl("run", recipe, "--cell", cell, "--db", "t.db", "--resume", "--json", timeout=180)
    assert resumed.returncode == 0, resumed
    summary = resumed.last_json
    assert (summary["units_ok"], summary["serials"], summary["resumed"]) == (1, ["PH-000001"], ["PH-000001"])
    # The cycle time counts both runs' work on the unit: more than this run's cell time alone.
    assert summary["cycle_time_s"] > summary["sim_time_s"] + 1.0, summary
    assert "PH-000001" in resumed.stdout and "resumed" in resumed.stdout


@pytest.mark.timeout(240)
def test_sigint_off_a_terminal_pauses_then_aborts_and_recover_clears_the_cell(cellctl, demo_files,
                                                                             tmp_path: Path) -> None:
    recipe, cell = demo_files
    args = ["run", str(recipe), "--cell", str(cell), "--db", "a.db", "--quiet"]
    process = _start(args, tmp_path)
    _wait_steps(tmp_path / "a.db", 3)
    process.send_signal(signal.SIGINT)
    time.sleep(1.0)
    process.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    aborted = _finish(process, args)
    assert aborted.returncode == 1, aborted
    assert f"kill -USR1 {process.pid}" in aborted.stderr and "resuming" in aborted.stderr, aborted
    assert "Enter" not in aborted.stderr  # no terminal: Enter cannot resume
    assert "aborting the unit" in aborted.stderr

    refused = cellctl("run", recipe, "--cell", cell, "--db", "a.db")
    assert refused.returncode == 2, refused
    assert "ended ABORTED" in refused.stderr and "cellctl recover" in refused.stderr

    cleared = cellctl("recover", recipe, "--cell", cell, "--db", "a.db", timeout=120)
    assert cleared.returncode == 0, cleared
    with sqlite3.connect(tmp_path / "a.db") as con:
        steps = con.execute("SELECT path, target, result FROM steps WHERE path LIKE 'recover.%'").fetchall()
    assert ("recover.place.mid_frame", "mid_frame@nok_tray/s0", "OK") in steps, steps
    again = cellctl("recover", recipe, "--cell", cell, "--db", "a.db")
    assert again.returncode == 0 and "nothing to clear out" in again.stdout, again
