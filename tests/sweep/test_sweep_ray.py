"""``cellctl sweep --ray local``: the same sweep as Ray tasks on a local Ray, each unit counted once.

Skipped only when Ray is not installed (it is an optional dependency: ``pip install ray``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _sweep import CELL, RATES, RECIPE, a_mixed_seed, ledger_rows, stripped_units

pytest.importorskip("ray")
pytestmark = pytest.mark.sim


def test_a_sweep_on_a_local_ray_counts_every_unit_once_with_the_same_results(tmp_path: Path) -> None:
    seed = a_mixed_seed(3)
    done = subprocess.run([sys.executable, "-m", "cellctl.cli.main", "sweep", str(RECIPE), "--cell", str(CELL),
                           "--units", "3", "--workers", "2", "--ray", "local", "--inject-rate", RATES, "--seed",
                           str(seed), "--db", str(tmp_path / "db"), "--json"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd="/")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["units"] == 3 and sum(report["results"].values()) == 3
    rows = ledger_rows(tmp_path / "db")
    assert [u for u, _, _ in rows] == [0, 1, 2]
    assert {u for u, r, _ in rows if r == "NOK"} == stripped_units(seed, 3)  # as on local workers

