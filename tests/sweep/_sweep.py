"""Test helper: running ``cellctl sweep`` on the short recipe and predicting its failures."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from cellctl.config import demo_cell_path
from cellctl.sweep.unit import unit_seed
from sim.injection import FailureKind, FailurePlan

RECIPE = Path(__file__).parent / "short_recipe.yaml"
CELL = demo_cell_path()
RATES = "stripped=0.5"


OUTSIDE_CHECKOUT = "/"
"""Working folder of the sweep processes: ``python -m`` puts it first on the import path, and the
checkout's source tree has no compiled motion core (CI tests an installed wheel)."""


def sweep_command(db: Path, units: int, *extra: str, seed: int) -> list[str]:
    return [sys.executable, "-m", "cellctl.cli.main", "sweep", str(RECIPE), "--cell", str(CELL), "--units", str(units),
            "--workers", "2", "--inject-rate", RATES, "--seed", str(seed), "--db", str(db), "--json", *extra]


def sweep(db: Path, units: int, *extra: str, seed: int, timeout: float = 240.0) -> dict:
    done = subprocess.run(sweep_command(db, units, *extra, seed=seed), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, cwd=OUTSIDE_CHECKOUT)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def stripped_units(seed: int, units: int) -> set[int]:
    """Units whose first attempt at h1 is drawn stripped (the recipe then rejects them)."""
    plan = FailurePlan(rates={"stripped": 0.5})
    return {i for i in range(units) if plan.draw(unit_seed(seed, i), "h1", 0) is FailureKind.STRIPPED}


def a_mixed_seed(units: int) -> int:
    """The first seed whose units are neither all stripped nor all clean."""
    return next(s for s in range(100) if 0 < len(stripped_units(s, units)) < units)


def ledger_rows(db: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(db / "ledger.db") as conn:
        return list(conn.execute("SELECT unit, result, causes FROM results ORDER BY unit"))
