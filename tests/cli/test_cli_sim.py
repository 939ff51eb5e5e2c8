"""``cellctl`` building units in the PyBullet simulation: the demo, recovery, report, plot, Ctrl-C.

Each simulated demo unit takes about 7 s of wall time, so the runs are shared where they can be:
one demo run of two units, one run with an injected cross-thread that the report and plot
tests read back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from _cli import CELLCTL, Result, cli_env

pytestmark = pytest.mark.sim

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file, checking its signature and header chunk."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no PNG header chunk"
    assert data[-8:-4] == b"IEND", f"{path} is truncated"
    return struct.unpack(">II", data[16:24])


def progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"^\[\s*[0-9.]+ s\] ", line)]


# ------------------------------------------------------------------------------------ the demo

@pytest.mark.timeout(480)
def test_demo_two_units_json(cellctl, tmp_path: Path) -> None:
    result = cellctl("demo", "--units", "2", "--json", "--db", "J.db", timeout=400)
    assert result.returncode == 0, result
    summary = result.last_json
    assert summary["units_ok"] == 2 and summary["units_nok"] == 0, summary
    assert summary["cycle_time_s"] > 5.0
    assert summary["wall_time_s"] > 0.0
    assert summary["sim_time_s"] >= 2 * summary["cycle_time_s"] * 0.99
    # The factor is reported, and consistent; how fast it is is a benchmark's business
    # (benchmarks/bench_sim.py), never a test's: it fell below 1 with load 8 on 2 cores.
    assert summary["realtime_factor"] == pytest.approx(summary["sim_time_s"] / summary["wall_time_s"], rel=1e-6)
    assert summary["serials"] == ["PH-000001", "PH-000002"]
    # the summary table, before the JSON line
    assert re.search(r"^PH-000001\s+OK\b", result.stdout, re.M) and re.search(r"^PH-000002\s+OK\b", result.stdout, re.M)
    # progress on stderr: unit i of N, the step, what each arm does
    progress = progress_lines(result.stderr)
    assert progress, result
    assert any("unit 1/2" in line for line in progress) and any("unit 2/2" in line for line in progress)
    assert any("loader:" in line for line in progress) and any("screwer:" in line for line in progress)
    assert any("screw h1" in line for line in progress)
    # the journal went where asked, the picture into the working directory
    assert (tmp_path / "J.db").is_file()
    assert not (tmp_path / "cellctl-demo.db").exists()
    width, height = png_size(tmp_path / "cellctl-demo.png")
    assert width > 100 and height > 100

    report = cellctl("report", "--db", "J.db")
    assert report.returncode == 0, report
    assert "2 units: 2 OK, 0 NOK, 0 aborted" in report.stdout


@pytest.mark.timeout(360)
def test_unit_without_recovery_is_nok_exit_1(cellctl, demo_files, tmp_path: Path) -> None:
    recipe = tmp_path / "one_screw.yaml"
    recipe.write_text("""\
version: 1
recipe: one_screw
revision: "T.2"
serial_prefix: OS
steps:
  sequence:
    - pick: {arm: loader, part: mid_frame}
    - place: {arm: loader, part: mid_frame, station: nest, slot: unit}
    - move: {arm: loader, to: home}
    - fallback:
        - screw: {arm: screwer, hole: h1}
        - reject: {reason: "h1 NOK, no second try in this recipe"}
    - move: {arm: screwer, to: home}
""")
    result = cellctl("run", recipe, "--cell", demo_files[1], "--inject", "h1=stripped", "--json", "--db", "n.db",
                     timeout=320)
    assert result.returncode == 1, result
    summary = result.last_json
    assert summary["units_ok"] == 0 and summary["units_nok"] == 1, summary
    assert re.search(r"^OS-000001\s+NOK\b.*no second try", result.stdout, re.M), result

    report = cellctl("report", "--db", "n.db", "--unit", "OS-000001", "--json")
    assert report.returncode == 0, report
    data = json.loads(report.stdout)
    assert data["unit"]["result"] == "NOK" and "no second try" in data["unit"]["reason"]
    (tightening,) = data["tightenings"]
    assert (tightening["hole"], tightening["status"], tightening["failure_class"]) == ("h1", "NOK", "stripped")


# ------------------------------------------------------------- recovery, report and plot

@pytest.fixture(scope="module")
def recovered(tmp_path_factory: pytest.TempPathFactory, demo_files: tuple[Path, Path]) -> tuple[Result, Path]:
    """The demo recipe run once with a cross-thread forced on h2's first attempt."""
    folder = tmp_path_factory.mktemp("recovered")
    recipe, cell = demo_files
    args = ["run", str(recipe), "--cell", str(cell), "--inject", "h2=cross_thread", "--json", "--db", "r.db"]
    done = subprocess.run([*CELLCTL, *args], cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=400,
                          stdin=subprocess.DEVNULL)
    return Result(args, done.returncode, done.stdout, done.stderr), folder / "r.db"


@pytest.mark.timeout(480)
def test_fallback_backs_out_and_redrives_h2(recovered: tuple[Result, Path]) -> None:
    result, db = recovered
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    assert result.last_json["units_ok"] == 1 and result.last_json["units_nok"] == 0
    assert db.is_file()
    screwer = [line.split("screwer: ", 1)[1] for line in progress_lines(result.stderr) if "screwer: " in line]
    assert [s for s in screwer if s.endswith("h2")] == ["screw h2", "back out h2", "screw h2"], screwer


@pytest.mark.timeout(480)
def test_report_json_shows_both_attempts_at_h2(cellctl, recovered) -> None:
    _, db = recovered
    result = cellctl("report", "--db", db, "--unit", "PH-000001", "--json")
    assert result.returncode == 0, result
    data = json.loads(result.stdout)
    assert data["unit"]["serial"] == "PH-000001" and data["unit"]["result"] == "OK"
    by_hole: dict[str, list[dict]] = {}
    for t in data["tightenings"]:
        by_hole.setdefault(t["hole"], []).append(t)
    assert sorted(by_hole) == ["h1", "h2", "h3", "h4"]
    first, second = sorted(by_hole["h2"], key=lambda t: t["attempt"])
    assert len(by_hole["h2"]) == 2
    assert (first["attempt"], first["status"], first["failure_class"], first["final"]) == (0, "NOK", "cross_thread", False)
    assert (second["attempt"], second["status"], second["failure_class"], second["final"]) == (1, "OK", None, True)
    assert second["torque_min"] <= second["torque"] <= second["torque_max"]
    assert second["angle_min"] <= second["angle"] <= second["angle_max"]
    for hole in ("h1", "h3", "h4"):
        (only,) = by_hole[hole]
        assert (only["status"], only["final"]) == ("OK", True)
    # the steps: the failed screw, the recovery chosen by its failure class (not missing_screw, but
    # cross_thread), the back-out, the fresh screw
    h2_steps = [(s["kind"], s["result"]) for s in data["steps"] if s["target"] == "h2"]
    assert h2_steps == [("screw", "FAILED"), ("when", "FAILED"), ("when", "OK"), ("backout", "OK"),
                        ("screw", "OK")], h2_steps


@pytest.mark.timeout(480)
def test_report_csv(cellctl, recovered) -> None:
    _, db = recovered
    result = cellctl("report", "--db", db, "--unit", "PH-000001", "--csv")
    assert result.returncode == 0, result
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"hole", "attempt", "status", "torque", "angle", "failure_class", "final"} <= set(rows[0])
    assert [(r["hole"], r["attempt"], r["status"]) for r in rows if r["hole"] == "h2"] == [("h2", "0", "NOK"), ("h2", "1", "OK")]
    assert len(rows) == 5

    units = cellctl("report", "--db", db, "--csv")
    assert units.returncode == 0, units
    (unit,) = list(csv.DictReader(io.StringIO(units.stdout)))
    assert (unit["serial"], unit["result"]) == ("PH-000001", "OK")


@pytest.mark.timeout(480)
def test_report_tables(cellctl, recovered) -> None:
    _, db = recovered
    units = cellctl("report", "--db", db)
    assert units.returncode == 0, units
    assert re.search(r"^PH-000001\s+phone_assembly_demo\s+A\.1\s+OK\b", units.stdout, re.M), units
    assert "1 units: 1 OK" in units.stdout
    assert "\033[" not in units.stdout  # plain text in a pipe

    unit = cellctl("report", "--db", db, "--unit", "PH-000001")
    assert unit.returncode == 0, unit
    assert unit.stdout.startswith("unit PH-000001: OK")
    assert re.search(r"^h2\s+0\s+.*NOK\s+cross_thread", unit.stdout, re.M), unit
    assert re.search(r"^h2\s+1\s+.*OK\s+yes$", unit.stdout, re.M), unit
    assert re.search(r"backout\s+screwer\s+h2", unit.stdout), unit
    assert re.search(r"when\s+h2\s+.*\snot met\s+h2's last tightening was cross_thread, not missing_screw", unit.stdout), unit
    assert re.search(r"when\s+h2\s+.*\smet$", unit.stdout, re.M), unit

    missing = cellctl("report", "--db", db, "--unit", "PH-424242")
    assert missing.returncode == 2, missing
    assert "PH-424242" in missing.stderr and "PH-000001" in missing.stderr  # says what exists


@pytest.mark.timeout(480)
def test_plot_writes_pngs(cellctl, recovered, demo_files, tmp_path: Path) -> None:
    _, db = recovered
    recipe, cell = demo_files
    out = tmp_path / "plots"
    result = cellctl("plot", "--db", db, "--unit", "PH-000001", "--out", out, "--recipe", recipe, "--cell", cell,
                     timeout=400)
    assert result.returncode == 0, result
    written = {Path(line).name for line in result.stdout.split()}
    expected = {"PH-000001_h1_try0.png", "PH-000001_h2_try0.png", "PH-000001_h2_try1.png", "PH-000001_h3_try0.png",
                "PH-000001_h4_try0.png", "PH-000001_timeline.png", "planned_loader.png", "planned_screwer.png"}
    assert expected <= written, written
    assert {p.name for p in out.iterdir()} == written
    for name in written:
        path = out / name
        width, height = png_size(path)
        assert width >= 300 and height >= 200, (name, width, height)
        assert path.stat().st_size > 10_000, f"{name} is suspiciously small"


# ------------------------------------------------------------------------------------- Ctrl-C

class _Lines:
    """Collects a pipe's lines in a thread, so waits on the output are bounded."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: io.TextIOBase) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate: Callable[[str], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not any(predicate(line) for line in list(self.lines)):
            assert time.monotonic() < deadline, f"no {what} within {timeout} s; got:\n" + "\n".join(self.lines[-20:])
            time.sleep(0.05)

    def join(self, timeout: float) -> str:
        self._thread.join(timeout)
        return "\n".join(self.lines)


@pytest.mark.timeout(480)
def test_ctrl_c_pauses_then_a_second_one_aborts(cellctl, tmp_path: Path) -> None:
    process = subprocess.Popen([*CELLCTL, "demo", "--db", "c.db", "--json"], cwd=tmp_path, env=cli_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    out, err = _Lines(process.stdout), _Lines(process.stderr)
    try:
        err.wait_for(lambda line: " running " in line and "loader:" in line, 60, "progress line")
        time.sleep(1.5)  # well into the unit: the loader is moving
        process.send_signal(signal.SIGINT)
        err.wait_for(lambda line: re.search(r"\bpaused\b", line) is not None, 30, "paused state")
        assert process.poll() is None, "the first Ctrl-C must pause, not end the run"
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        stdout, stderr = out.join(10), err.join(10)
        process.stdout.close()
        process.stderr.close()
    result = Result(["demo", "--db", "c.db", "--json"], returncode, stdout, stderr)
    assert "Traceback" not in stderr, result
    assert returncode == 1, result
    assert "pausing" in stderr and "abort" in stderr, result
    states = [re.match(r"^\[\s*[0-9.]+ s\]\s+(\w+)", line).group(1) for line in progress_lines(stderr)]
    assert "paused" in states and states.index("paused") > states.index("running"), states
    summary = result.last_json
    assert (summary["units_ok"], summary["units_nok"], summary["units_aborted"]) == (0, 0, 1), summary

    report = cellctl("report", "--db", "c.db", "--unit", "PH-000001", "--json")
    assert report.returncode == 0, report
    assert json.loads(report.stdout)["unit"]["result"] == "ABORTED"
