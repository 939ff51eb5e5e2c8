"""``cellctl sweep`` end to end on a short recipe: every unit counted once, injected failures seen,
a SIGKILLed worker's unit re-run elsewhere, and --resume finishing a sweep.

The short recipe (the frame into the nest, one screw) takes a few seconds a unit instead of the
demo's 20-40 s. Failure draws are predicted from (seed, unit index) exactly as the sim draws them.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from _sweep import OUTSIDE_CHECKOUT, a_mixed_seed, ledger_rows, stripped_units, sweep, sweep_command

pytestmark = pytest.mark.sim

def test_every_unit_is_counted_once_and_injected_failures_are_the_nok_causes(tmp_path: Path) -> None:
    seed = a_mixed_seed(4)
    report = sweep(tmp_path / "db", 4, "--plot", str(tmp_path / "sweep.png"), seed=seed)
    expected_nok = stripped_units(seed, 4)
    rows = ledger_rows(tmp_path / "db")
    assert [unit for unit, _, _ in rows] == [0, 1, 2, 3]
    assert {unit for unit, result, _ in rows if result == "NOK"} == expected_nok
    assert all("stripped" in json.loads(causes) for unit, _, causes in rows if unit in expected_nok)
    assert report["units"] == 4 and sum(report["results"].values()) == 4
    assert report["results"].get("NOK", 0) == len(expected_nok)
    assert report["nok_causes"] == {"stripped": len(expected_nok)}
    assert report["yield"]["estimate"] == pytest.approx(1 - len(expected_nok) / 4)
    assert report["yield"]["low"] <= report["yield"]["estimate"] <= report["yield"]["high"]
    assert report["cycle_s"]["n"] == 4 and report["cycle_s"]["max"] > 0
    assert (tmp_path / "sweep.png").stat().st_size > 10_000


def test_resume_builds_only_the_missing_units(tmp_path: Path) -> None:
    seed = a_mixed_seed(3)
    first = sweep(tmp_path / "db", 2, seed=seed)
    assert first["built"] == 2
    second = sweep(tmp_path / "db", 3, "--resume", seed=seed)
    assert second["built"] == 1 and second["units"] == 3
    assert [unit for unit, _, _ in ledger_rows(tmp_path / "db")] == [0, 1, 2]
    assert {u for u, r, _ in ledger_rows(tmp_path / "db") if r == "NOK"} == stripped_units(seed, 3)


def busy_worker(db: Path) -> tuple[int, int] | None:
    """(unit, worker pid) of a unit in progress, if any."""
    if not (db / "ledger.db").exists():
        return None
    try:
        with sqlite3.connect(f"file:{db / 'ledger.db'}?mode=ro", uri=True, timeout=5.0) as conn:
            row = conn.execute("SELECT unit, worker FROM dispatches WHERE outcome IS NULL ORDER BY id LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # the coordinator is creating the tables
        return None
    return (int(row[0]), int(row[1])) if row else None


@contextmanager
def running_sweep(db: Path, units: int, seed: int, timeout: float = 90.0) -> Iterator[tuple[subprocess.Popen, int, int]]:
    """A sweep in the background, once it has dispatched a unit: (process, unit, worker pid); killed on exit."""
    process = subprocess.Popen(sweep_command(db, units, seed=seed), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, stdin=subprocess.DEVNULL, cwd=OUTSIDE_CHECKOUT)
    try:
        deadline = time.monotonic() + timeout
        busy = None
        while busy is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            busy = busy_worker(db)
        assert busy is not None, f"no unit was dispatched within {timeout} s (sweep exit code {process.poll()})"
        yield process, *busy
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10.0)


def test_a_worker_killed_mid_unit_has_its_unit_rerun_and_counted_once(tmp_path: Path) -> None:
    seed = a_mixed_seed(4)
    db = tmp_path / "db"
    with running_sweep(db, 4, seed) as (process, unit, pid):
        time.sleep(0.5)  # well inside the unit (a unit takes seconds)
        os.kill(pid, signal.SIGKILL)
        out, err = process.communicate(timeout=240.0)
    assert process.returncode == 0 and "Traceback" not in err, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["units"] == 4 and sum(report["results"].values()) == 4
    rows = ledger_rows(db)
    assert [u for u, _, _ in rows] == [0, 1, 2, 3]
    assert {u for u, r, _ in rows if r == "NOK"} == stripped_units(seed, 4)  # the re-run gave the same result
    with sqlite3.connect(db / "ledger.db") as conn:
        tries = list(conn.execute("SELECT worker, outcome FROM dispatches WHERE unit = ? ORDER BY id", (unit,)))
    assert tries[0] == (pid, "worker lost") and len(tries) == 2 and tries[1][0] != pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_the_workers_and_resume_finishes_the_sweep(tmp_path: Path) -> None:
    seed = a_mixed_seed(3)
    db = tmp_path / "db"
    with running_sweep(db, 3, seed) as (process, _, _):
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30.0)
    assert process.returncode == 1 and "--resume" in err and "Traceback" not in err, err[-3000:]
    with sqlite3.connect(db / "ledger.db") as conn:
        workers = {pid for (pid,) in conn.execute("SELECT DISTINCT worker FROM dispatches")}
    deadline = time.monotonic() + 10.0
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers), "a worker outlived its coordinator"
    report = sweep(db, 3, "--resume", seed=seed)
    assert report["units"] == 3 and sum(report["results"].values()) == 3
    assert [u for u, _, _ in ledger_rows(db)] == [0, 1, 2]
    assert {u for u, r, _ in ledger_rows(db) if r == "NOK"} == stripped_units(seed, 3)
