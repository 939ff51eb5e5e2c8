"""``cellctl report --unit`` lists the unit's placement inspections (table and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cellctl.cli.main import main
from cellctl.journal import Journal

pytestmark = pytest.mark.unit


def test_the_unit_report_shows_each_part_measured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        unit = journal.start_unit("PC", "placement", "1", "cell", 0.0)
        for part, ok, dx in (("mid_frame", 1, 0.01), ("main_board", 0, 0.76)):
            journal.add_inspection(unit_id=unit.id, step_id=None, at=1.0, camera="nest_cam", part=part, ok=ok,
                                   problem=None if ok else "shifted", dx=dx, dy=0.0, yaw=0.0, length=120.0,
                                   width=50.0, tolerance=0.4, message=f"{part} …",
                                   image=None if ok else "j-inspections/PC-000001-step0.4-0.png")
        journal.end_unit(unit.id, "NOK", "placement inspection failed", 2.0)
    assert main(["report", "--db", str(path), "--unit", "PC-000001"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "main_board" in x)
    assert "shifted" in line and "+0.76" in line and "0.40" in line and "PC-000001-step0.4-0.png" in line
    assert main(["report", "--db", str(path), "--unit", "PC-000001", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["inspections"]
    assert [(r["part"], r["ok"]) for r in rows] == [("mid_frame", 1), ("main_board", 0)]
