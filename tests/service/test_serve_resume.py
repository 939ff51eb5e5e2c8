"""``cellctl serve`` killed with SIGKILL in the middle of a tightening, restarted with ``--resume``
under a ``cellctl start`` that is still waiting: the client finds the cell again by itself, the
open unit is finished, and no hole gets two final tightenings."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from _cli import CELLCTL, cli_env
from _serve import start_serve, wait_for

from cellctl.journal import Journal

pytestmark = pytest.mark.sim


def _tightening_running(db: Path, hole: str) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0) as con:
            return con.execute("SELECT COUNT(*) FROM tightenings WHERE hole=? AND status='RUNNING'",
                               (hole,)).fetchone()[0] > 0
    except sqlite3.Error:
        return False


@pytest.mark.timeout(900)
def test_serve_killed_mid_tightening_resumes_under_a_waiting_client(tmp_path: Path) -> None:
    first = start_serve(tmp_path, "--pace", "3")
    starter = subprocess.Popen([*CELLCTL, "start", "--units", "1", "--json", "--reconnect", "240", *first.options()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    second = None
    try:
        wait_for(lambda: _tightening_running(first.db, "h2"), 300, "the tightening of h2 to begin", period=0.005)
        first.process.kill()  # SIGKILL, mid-tightening
        first.process.wait(10)
        second = start_serve(tmp_path, "--pace", "3", "--resume", port=int(first.endpoint.rsplit(":", 1)[1]),
                             log="serve-resumed.log")
        out, err = starter.communicate(timeout=400)
        assert starter.returncode == 0, err[-3000:]
        assert "lost the cell" in err and "goal sent again" in err, err[-3000:]
        result = json.loads(out.strip().splitlines()[-1])
        assert result["serials"] == ["PH-000001"] and result["units_ok"] == 1, result
        assert second.stop() == 0
    finally:
        for process in (starter, first.process, second.process if second else None):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)

    with Journal(first.db) as journal:
        (unit,) = journal.units()
        assert unit.result == "OK"
        tightenings = journal.tightenings(unit.id)
        assert Counter(t.hole for t in tightenings if t.final) == {"h1": 1, "h2": 1, "h3": 1, "h4": 1}
        assert all(t.status == "OK" for t in tightenings), "a screw was driven twice (a re-hit) or failed"
        assert any(kind == "resumed" for _id, _unit, _at, kind, _detail in journal.events())
