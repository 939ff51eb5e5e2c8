"""A cellctl process killed at many points, then resumed: the journal stays consistent and no
screw is driven twice (the simulated world outlives the process in its state file)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from _supervised import DEMO_RECIPE

from cellctl.config import demo_cell_path
from cellctl.journal import Journal

pytestmark = pytest.mark.sim

# A unit of the demo journals 16 steps: the last kill comes two steps before its end.
KILL_POINTS = [("steps", 2), ("tightening", "h1"), ("steps", 7), ("tightening", "h3"), ("steps", 11), ("steps", 14)]


def cellctl() -> list[str]:
    exe = shutil.which("cellctl")
    return [exe] if exe else [sys.executable, "-m", "cellctl"]


def reached(db: Path, point: tuple[str, object]) -> bool:
    """True once the journal shows the kill point (read while the process writes: WAL)."""
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0) as con:
            kind, value = point
            if kind == "steps":
                return con.execute("SELECT COUNT(*) FROM steps").fetchone()[0] >= value
            return con.execute("SELECT COUNT(*) FROM tightenings WHERE hole=? AND status='RUNNING'",
                               (value,)).fetchone()[0] > 0
    except sqlite3.Error:
        return False


def test_a_unit_killed_at_many_points_is_resumed_without_repeating_work(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    command = [*cellctl(), "run", str(DEMO_RECIPE), "--cell", str(demo_cell_path()), "--db", str(db),
               "--units", "1", "--quiet"]
    kills = 0
    for i, point in enumerate(KILL_POINTS):
        proc = subprocess.Popen(command + (["--resume"] if i else []), cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120.0
            while proc.poll() is None and not reached(db, point) and time.monotonic() < deadline:
                time.sleep(0.005)
            if proc.poll() is None:
                proc.kill()
                kills += 1
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
            proc.stderr.close()
    assert kills == len(KILL_POINTS), "a kill point came too late: the unit finished first"
    final = subprocess.run(command + ["--resume", "--json"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    assert '"units_ok": 1' in final.stdout.splitlines()[-1]

    with Journal(db) as journal:
        (unit,) = journal.units()
        assert unit.result == "OK"
        tightenings = journal.tightenings(unit.id)
        finals = Counter(t.hole for t in tightenings if t.final)
        assert finals == {"h1": 1, "h2": 1, "h3": 1, "h4": 1}, "every hole has exactly one final tightening"
        assert all(t.status == "OK" for t in tightenings), "a screw was driven twice (a re-hit) or failed"
        assert len({t.command_id for t in tightenings}) == len(tightenings)
        done = Counter((s.path, s.attempt) for s in journal.steps(unit.id) if s.result == "OK")
        assert max(done.values()) == 1, "a completed step was done again"
        resumed = [e for e in journal.events() if e[3] == "resumed"]
        assert len(resumed) == kills
