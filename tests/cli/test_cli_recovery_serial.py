"""Recovery over the serial backend against ``cellctl emulator`` processes.

* A controller that dies mid-run (either arm's) faults the cell within the link's silence
  timeout: exit 3, the message names the arm and its URL, and the unit stays open.
* The host and the screwer's controller killed during a tightening: after the controller's
  restart the host asks what became of the tightening (TOOL_QUERY), the controller's
  non-volatile memory says the outcome is unknown, the unit is held, the operator's decision is
  journaled, and the emulator's own count of drives proves the screw was driven once.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from _cli import CELLCTL, cli_env
from test_cli_serial import RECIPE

pytestmark = pytest.mark.hil

SILENCE_TIMEOUT = 0.5  # firmware_bridge.host.LinkOptions.silence_timeout
LEASE = ("--lease-ms", "2000")
"""The controllers' watchdog lease here (the emulator's default is 1 s). These tests are about
resuming after crashes, not the watchdog (tests/unit/firmware_bridge/test_watchdog.py): beside
two busy processes and a second pytest worker, a resumed run's loader link once fell silent for
0.5 s, and the host's reconnect outlasted a 1 s lease (fault 301, the run exited 3)."""


def _run(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CELLCTL, *map(str, args)], cwd=cwd, env=cli_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _poll(predicate, timeout: float, what: str, process: subprocess.Popen[str], period: float = 0.005) -> None:
    """Until ``predicate()`` (bounded), while ``process`` runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the run ended (exit {process.returncode}) before {what}: {err[-3000:]}")
        time.sleep(period)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _close(process: subprocess.Popen[str]) -> None:
    """Kill the process if it still runs and close its pipes."""
    if process.poll() is None:
        process.kill()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    process.wait(10)


def _query(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def _setup(cellctl, demo_files, tmp_path: Path) -> tuple[Path, Path]:
    recipe = tmp_path / "serial_smoke.yaml"
    recipe.write_text(RECIPE)
    return recipe, demo_files[1]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("dead", ["loader", "screwer"])
def test_a_dead_controller_faults_the_run_at_once_naming_the_arm(cellctl, emulators, demo_files, tmp_path: Path,
                                                                 dead: str) -> None:
    recipe, cell = _setup(cellctl, demo_files, tmp_path)
    arms = {arm: emulators("--cell", str(cell), "--arm", arm, "--tcp", "0", *LEASE) for arm in ("loader", "screwer")}
    backend = "serial:" + ",".join(f"{arm}={e.tcp_url}" for arm, e in arms.items())
    process = _run(["run", recipe, "--cell", cell, "--backend", backend, "--db", "l.db"], tmp_path)
    try:
        _poll(lambda: _query(tmp_path / "l.db", "SELECT 1 FROM steps WHERE result='OK'"), 60, "a first step", process)
        arms[dead].process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - killed
    finally:
        _close(process)
    print(f"dead {dead}: exit {process.returncode} {took:.2f} s after the kill")
    assert process.returncode == 3, err
    assert took < SILENCE_TIMEOUT + 5.0, f"took {took:.1f} s:\n{err}"
    assert f"arm {dead}" in err and arms[dead].tcp_url in err, err
    assert "Traceback" not in err
    assert _query(tmp_path / "l.db", "SELECT result FROM units") == [("RUNNING",)]  # open, resumable
    listed = cellctl("units", "--open", "--db", "l.db", "--json")
    assert [u["unit"] for u in json.loads(listed.stdout)["open"]] == ["SR-000001"]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("decision", ["accept", "redo"])
def test_host_and_controller_killed_during_a_tightening_never_drive_twice(cellctl, emulators, demo_files,
                                                                         tmp_path: Path, decision: str) -> None:
    recipe, cell = _setup(cellctl, demo_files, tmp_path)
    nvm = tmp_path / "screwer.nvm.json"
    loader = emulators("--cell", str(cell), "--arm", "loader", "--tcp", "0", *LEASE)
    screwer = emulators("--cell", str(cell), "--arm", "screwer", "--tcp", "0", "--nvm", str(nvm), *LEASE)
    port = screwer.info["tcp"].rsplit(":", 1)[1]
    backend = f"serial:loader={loader.tcp_url},screwer={screwer.tcp_url}"
    db = tmp_path / "x.db"
    host = _run(["run", recipe, "--cell", cell, "--backend", backend, "--db", db], tmp_path)
    try:
        def driving() -> bool:
            try:
                data = json.loads(nvm.read_text())  # a drive (not a gripper command) is running
                return data.get("running") is not None and str(data["running"]) in data.get("drives", {})
            except (OSError, ValueError):
                return False
        _poll(driving, 90, "the screwer starting a tightening", host)
        host.kill()
        screwer.process.send_signal(signal.SIGKILL)  # the controller dies while it drives
        host.wait(10)
    finally:
        _close(host)
    screwer.process.wait(10)
    ((command_id, status),) = _query(db, "SELECT command_id, status FROM tightenings WHERE hole='h1'")
    assert status == "RUNNING"
    restarted = emulators("--cell", str(cell), "--arm", "screwer", "--tcp", port, "--nvm", str(nvm), *LEASE)

    reset = cellctl("reset", "--cell", cell, "--backend", backend, "--db", db, "--reason", "host and screwer restarted")
    assert reset.returncode == 0, repr(reset)
    before = json.loads(nvm.read_text())["results"]
    held = cellctl("run", recipe, "--cell", cell, "--backend", backend, "--db", db, "--resume", timeout=120)
    assert held.returncode == 3, repr(held)
    assert "is not known" in held.stderr and "--hole h1 --decide" in held.stderr, held.stderr
    assert _query(db, "SELECT status FROM tightenings WHERE hole='h1'") == [("UNKNOWN",)]
    # The question came first: the screwer ran no tool command (no new screw fetched) before it.
    assert json.loads(nvm.read_text())["results"] == before
    listed = json.loads(cellctl("units", "--open", "--db", db, "--json").stdout)["open"]
    assert listed[0]["unknown_holes"] == ["h1"]

    decided = cellctl("recover", "--db", db, "--hole", "h1", "--decide", decision, "--operator", "alice")
    assert decided.returncode == 0, repr(decided)
    events = _query(db, "SELECT detail FROM events WHERE kind='operator_decision'")
    assert events == [(f"hole=h1 command={command_id} decision={decision} operator=alice",)]

    cellctl("reset", "--cell", cell, "--backend", backend, "--db", db, "--reason", "after the decision")
    done = cellctl("run", recipe, "--cell", cell, "--backend", backend, "--db", db, "--resume", "--json",
                   timeout=120)
    assert done.returncode == 0, repr(done)
    assert done.last_json["serials"] == ["SR-000001"]
    restarted.stop()
    drives = json.loads(nvm.read_text())["drives"]
    h1 = dict(_query(db, "SELECT command_id, status FROM tightenings WHERE hole='h1'"))
    assert drives.get(str(command_id)) == 1, drives  # the interrupted tightening: never driven again
    if decision == "accept":
        assert h1 == {command_id: "OK"}
    else:  # redo: the operator found the hole empty; one new tightening, with a new id, driven once
        (new_id,) = set(h1) - {command_id}
        assert h1 == {command_id: "VOID", new_id: "OK"} and drives.get(str(new_id)) == 1, (h1, drives)
