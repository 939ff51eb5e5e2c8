"""``cellctl run`` over the serial backend against two ``cellctl emulator`` processes.

The emulators run in real time, so the recipe is short: the loader puts the mid-frame into the
nest (the screwer cannot reach the frame tray), the screwer fetches and drives one screw into
h1, both arms go home, the loader makes a move to joint values.

``cellctl emulator --cell`` sets the emulated screwdriver's seating angle from the cell's
screw (M1.4 x 2.5 mm at 0.3 mm pitch: 3000°), so the demo cell's program judges it OK.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _cli import frame_and_screws_recipe

pytestmark = pytest.mark.hil

RECIPE = frame_and_screws_recipe("serial_smoke", "SR", ("h1",), revision="S.1", then=(
    "- move: {arm: loader, joints: [-0.6, -0.2, 0.1, -2.0, 0.1, 1.8, 0.7]}", "- move: {arm: loader, to: home}"))

@pytest.mark.timeout(150)
def test_run_over_serial_against_two_emulators(cellctl, emulators, demo_files, tmp_path: Path) -> None:
    recipe = tmp_path / "serial_smoke.yaml"
    recipe.write_text(RECIPE)
    cell = demo_files[1]

    check = cellctl("validate", recipe, "--cell", cell)
    assert check.returncode == 0, check

    loader = emulators("--cell", str(cell), "--arm", "loader", "--tcp", "0")
    screwer = emulators("--cell", str(cell), "--arm", "screwer", "--tcp", "0")
    for emulator in (loader, screwer):
        assert emulator.info.get("dof") == "7", emulator.info
        assert re.fullmatch(r"127\.0\.0\.1:\d+", emulator.info.get("tcp", "")), emulator.info
    backend = f"serial:loader={loader.tcp_url},screwer={screwer.tcp_url}"

    result = cellctl("run", recipe, "--cell", cell, "--backend", backend, "--json", "--db", "s.db", timeout=120)
    assert result.returncode == 0, result
    summary = result.last_json
    assert (summary["units_ok"], summary["units_nok"]) == (1, 0), summary
    assert summary["serials"] == ["SR-000001"]
    assert summary["cycle_time_s"] > 5.0  # real time: the controllers' clock
    assert "sim_time_s" not in summary
    assert any("screwer: screw h1" in line for line in result.stderr.splitlines()), result

    report = cellctl("report", "--db", "s.db", "--unit", "SR-000001", "--json")
    assert report.returncode == 0, report
    data = json.loads(report.stdout)
    assert data["unit"]["result"] == "OK"
    assert [(s["kind"], s["arm"], s["result"]) for s in data["steps"]] == [
        ("pick", "loader", "OK"), ("place", "loader", "OK"), ("move", "loader", "OK"), ("screw", "screwer", "OK"),
        ("move", "screwer", "OK"), ("move", "loader", "OK"), ("move", "loader", "OK")]
    (tightening,) = data["tightenings"]
    assert (tightening["hole"], tightening["status"], tightening["final"]) == ("h1", "OK", True)
    assert tightening["torque_min"] <= tightening["torque"] <= tightening["torque_max"]
    assert tightening["angle_min"] <= tightening["angle"] <= tightening["angle_max"]
    assert tightening["curve_points"] > 100  # the controller streamed the 1 kHz curve
