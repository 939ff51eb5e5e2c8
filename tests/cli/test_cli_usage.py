"""``cellctl`` without moving anything: help, exporting the demo files, validation, user errors.

Exit codes are a contract: 2 for usage, cell and recipe errors, and no Python traceback for
any user error (the ``cellctl`` fixture checks that on every command).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

PROBLEM = re.compile(r"^.+:\d+:\d+: .+$")


def problems(stderr: str) -> list[str]:
    """The stderr lines, each of which must be one ``FILE:LINE:COL: message`` problem."""
    lines = stderr.strip().splitlines()
    assert lines, "no problem reported"
    bad = [line for line in lines if not PROBLEM.match(line)]
    assert not bad, f"lines not of the form FILE:LINE:COL: message: {bad}"
    return lines


def location(line: str) -> tuple[str, int, int]:
    file, row, col, _ = re.match(r"^(.+):(\d+):(\d+): (.+)$", line).groups()
    return file, int(row), int(col)


# ---------------------------------------------------------------------------------------- help

HELP = {
    "demo": ["--units", "--gui", "--db", "--json", "--export"],
    "run": ["--cell", "--backend", "--units", "--db", "--resume", "--gui", "--json", "--inject"],
    "validate": ["recipe", "--cell"],
    "report": ["--db", "--unit", "--json", "--csv"],
    "plot": ["--db", "--unit", "--out", "--recipe", "--cell"],
    "emulator": ["--cell", "--arm", "--link", "--tcp", "--faults", "--profile", "--lease-ms"],
}


def test_top_level_help_lists_every_command_and_the_exit_codes(cellctl) -> None:
    result = cellctl("--help")
    assert result.returncode == 0, result
    for command in HELP:
        assert re.search(rf"^\s+{command}\s+\S", result.stdout, re.M), f"{command} missing from --help"
    assert "exit codes" in result.stdout


@pytest.mark.parametrize("command", sorted(HELP))
def test_command_help_lists_its_flags(cellctl, command: str) -> None:
    result = cellctl(command, "--help")
    assert result.returncode == 0, result
    assert result.stdout.startswith(f"usage: cellctl {command}")
    for flag in HELP[command]:
        assert flag in result.stdout, f"cellctl {command} --help does not mention {flag}"


def test_no_command_is_a_usage_error(cellctl) -> None:
    result = cellctl()
    assert result.returncode == 2, result
    assert "usage: cellctl" in result.stderr
    assert result.stdout == ""


def test_version(cellctl) -> None:
    from cellctl import __version__

    result = cellctl("--version")
    assert result.returncode == 0, result
    assert result.stdout.strip() == f"cellctl {__version__}"


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["demo", "--units", "0"],
    ["demo", "--units", "many"],
    ["run", "recipe.yaml"],                       # --cell is required
    ["report"],                                   # --db is required
    ["report", "--db", "x.db", "--json", "--csv"],
])
def test_bad_arguments_exit_2_with_usage(cellctl, args: list[str]) -> None:
    result = cellctl(*args)
    assert result.returncode == 2, result
    assert "usage: cellctl" in result.stderr and "error:" in result.stderr


# ---------------------------------------------------------------------------- export, validate

def test_demo_export_writes_cell_and_recipe(cellctl, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    result = cellctl("demo", "--export", out)
    assert result.returncode == 0, result
    assert sorted(p.name for p in out.iterdir()) == ["cell.yaml", "recipe.yaml"]
    assert "cellctl run" in result.stdout  # tells the user what to do next
    assert "recipe: phone_assembly_demo" in (out / "recipe.yaml").read_text()
    assert "arms:" in (out / "cell.yaml").read_text()
    assert not (tmp_path / "cellctl-demo.db").exists(), "--export must not run the demo"


def test_validate_the_demo_recipe(cellctl, demo_files: tuple[Path, Path]) -> None:
    recipe, cell = demo_files
    result = cellctl("validate", recipe, "--cell", cell)
    assert result.returncode == 0, result
    match = re.search(r"estimated cycle time ([0-9.]+) s", result.stdout)
    assert match, result
    assert 10.0 < float(match.group(1)) < 300.0
    assert result.stderr == ""


HEADER = 'version: 1\nrecipe: broken\nrevision: "1"\nserial_prefix: BR\nsteps:\n  sequence:\n'

BROKEN = {
    # name: (steps appended to HEADER, [(line, words the message must contain)])
    "unknown_kind": ("    - move: {arm: loader, to: home}\n    - fly: {arm: loader}\n",
                     [(8, ["'fly'", "valid", "pick"])]),
    "unknown_key": ("    - pick: {arm: loader, part: mid_frame, speed: 3}\n",
                    [(7, ["'speed'", "valid keys", "grasp"])]),
    "boolean_value": ("    - move: {arm: loader, to: home, mode: yes}\n",
                      [(7, ["mode", "boolean"])]),
    "unknown_references": ("    - pick: {arm: loader, part: phone_case}\n"
                           "    - screw: {arm: screwer, hole: h9}\n"
                           "    - move: {arm: welder, to: home}\n"
                           "    - place: {arm: loader, part: mid_frame, station: oven, slot: unit}\n",
                           [(7, ["'phone_case'", "mid_frame"]), (8, ["'h9'", "h1"]),
                            (9, ["'welder'", "loader"]), (10, ["'oven'", "nest"])]),
    "unreachable_pose": ("    - move: {arm: loader, pose: {xyz: [3.0, 3.0, 0.5], rpy: [3.1415927, 0, 0]}}\n",
                         [(7, ["cannot reach"])]),
    "wrong_tool": ("    - screw: {arm: loader, hole: h1}\n",
                   [(7, ["'loader'", "vacuum"]), (7, ["'loader'", "screwdriver"])]),
    "bad_yaml": ("    - pick: {arm: loader, part: mid_frame\n    - place: [\n", [(None, ["YAML"])]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_reports_each_problem_as_file_line_col(cellctl, demo_files, tmp_path: Path, name: str) -> None:
    steps, expected = BROKEN[name]
    recipe = tmp_path / f"{name}.yaml"
    recipe.write_text(HEADER + steps)
    result = cellctl("validate", recipe, "--cell", demo_files[1])
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = problems(result.stderr)
    assert len(lines) == len(expected), result
    for line, (row, words) in zip(lines, expected):
        file, at, col = location(line)
        assert Path(file).name == recipe.name, line
        assert col >= 1, line
        if row is not None:
            assert at == row, line
        for word in words:
            assert word in line, f"{word!r} not in {line!r}"


@pytest.mark.parametrize("name", ["unknown_kind", "unknown_references", "unreachable_pose", "bad_yaml"])
def test_running_a_broken_recipe_moves_nothing_and_writes_nothing(cellctl, demo_files, tmp_path: Path,
                                                                  name: str) -> None:
    steps, expected = BROKEN[name]
    recipe = tmp_path / f"{name}.yaml"
    recipe.write_text(HEADER + steps)
    result = cellctl("run", recipe, "--cell", demo_files[1], "--db", "journal.db")
    assert result.returncode == 2, result
    assert len(problems(result.stderr)) == len(expected), result
    assert not (tmp_path / "journal.db").exists(), "no journal may be written for a recipe that is not valid"
    assert not list(tmp_path.glob("journal.db*")), "nor a simulation state"


def test_validate_reports_a_broken_cell_at_its_line(cellctl, demo_files, tmp_path: Path) -> None:
    recipe, cell = demo_files
    text = cell.read_text()
    broken = tmp_path / "cell.yaml"
    broken.write_text(text.replace("    home: [-0.9, -0.3, 0.0, -2.2, 0.0, 1.9, 0.785]",
                                   "    home: [-0.9, -0.3, 0.0, -2.2, 0.0, 1.9]"))
    result = cellctl("validate", recipe, "--cell", broken)
    assert result.returncode == 2, result
    (line,) = problems(result.stderr)
    file, row, _ = location(line)
    assert Path(file) == broken and "home" in line
    assert text.splitlines()[row - 1].strip().startswith("home:"), line


@pytest.mark.parametrize("which", ["recipe", "cell"])
def test_validate_missing_or_unparsable_files(cellctl, demo_files, tmp_path: Path, which: str) -> None:
    recipe, cell = demo_files
    missing = tmp_path / "nowhere.yaml"
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("version: 1\narms: [\n")
    for path in (missing, garbage):
        args = (path, "--cell", cell) if which == "recipe" else (recipe, "--cell", path)
        result = cellctl("validate", *args)
        assert result.returncode == 2, result
        (line,) = problems(result.stderr)
        assert location(line)[0] == str(path)


# ------------------------------------------------------------------------- other user errors

def test_report_on_a_missing_journal(cellctl, tmp_path: Path) -> None:
    result = cellctl("report", "--db", "nonexistent.db")
    assert result.returncode == 2, result
    assert "nonexistent.db" in result.stderr and "no such journal" in result.stderr
    assert not (tmp_path / "nonexistent.db").exists(), "reading a journal must not create one"


def test_report_and_plot_on_a_file_that_is_not_a_journal(cellctl, tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database\n")
    for command in ("report", "plot"):
        result = cellctl(command, "--db", "notes.db")
        assert result.returncode == 2, result
        assert "notes.db" in result.stderr and "journal" in result.stderr


@pytest.mark.parametrize("args, words", [
    (["--backend", "carrier-pigeon"], ["carrier-pigeon", "sim", "serial:"]),
    (["--backend", "serial:socket://127.0.0.1:9"], ["loader=URL"]),             # two arms, one URL
    (["--backend", "serial:loader=socket://127.0.0.1:9"], ["screwer"]),         # an arm left out
    (["--backend", "serial:loader=socket://127.0.0.1:9,screwer=socket://127.0.0.1:9",
      "--inject", "h2=cross_thread"], ["simulation"]),
    (["--inject", "h9=cross_thread"], ["h9", "h1"]),
    (["--inject", "h2=melted"], ["melted", "cross_thread"]),
    (["--inject", "h2"], ["HOLE=FAILURE"]),
    (["--drift", "torque=fast"], ["--drift", "torque=+0.5%/unit"]),
    (["--backend", "serial:loader=socket://127.0.0.1:9,screwer=socket://127.0.0.1:9",
      "--drift", "torque=+1%/unit"], ["simulation"]),
])
def test_run_usage_errors_exit_2_before_anything_moves(cellctl, demo_files, args: list[str], words: list[str]) -> None:
    recipe, cell = demo_files
    result = cellctl("run", recipe, "--cell", cell, "--db", "j.db", *args)
    assert result.returncode == 2, result
    for word in words:
        assert word in result.stderr, f"{word!r} not in {result.stderr!r}"
    assert "running" not in result.stderr  # no unit started


@pytest.mark.parametrize("args, words", [
    (["--faults", "bogus"], ["bogus", "corrupt"]),
    (["--cell", "CELL", "--arm", "welder"], ["welder", "loader"]),
    (["--lease-ms", "5"], ["--lease-ms 5", "10 to 60000"]),
])
def test_emulator_usage_errors(cellctl, demo_files, args: list[str], words: list[str]) -> None:
    args = [str(demo_files[1]) if a == "CELL" else a for a in args]
    result = cellctl("emulator", *args, timeout=30)
    assert result.returncode == 2, result
    assert "ready" not in result.stdout
    for word in words:
        assert word in result.stderr
