"""Files that are not what a command expects: one line naming the file, exit code 2, no traceback.

The commands run in-process (``cellctl.cli.main.main``): no child process is needed to read
what they print.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.cli.main import main
from cellctl.cli.demo import DEMO_RECIPE
from cellctl.config import ConfigError, demo_cell_path
from cellctl.config.yaml_nodes import load_yaml_file, parse_yaml
from cellctl.journal import Journal

pytestmark = pytest.mark.unit

EXIT_USAGE = 2


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str]]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


@pytest.mark.parametrize("which", ["recipe", "cell"])
def test_a_nul_byte_is_one_line_at_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"version: 1\nrecipe: a\x00b\n")
    recipe, cell = (bad, demo_cell_path()) if which == "recipe" else (DEMO_RECIPE, bad)
    code, lines = _run(capsys, "validate", recipe, "--cell", cell)
    assert code == EXIT_USAGE
    assert lines == [f"{bad}:2:10: character U+0000 is not allowed in YAML (only printable text is); remove it, "
                     "or check that this is the right file"]


def test_a_binary_recipe_is_one_line_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "recipe.bin"
    bad.write_bytes(b"version: 1\n\xff\xfe\x00\x01")
    code, lines = _run(capsys, "validate", bad, "--cell", demo_cell_path())
    assert code == EXIT_USAGE
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:2:1: not UTF-8 text (byte 0xff)")


@given(st.characters(codec="utf-8", categories=["Cc", "Cs"], exclude_characters="\t\n\r\x85"))
def test_any_control_character_is_a_config_error_at_its_column(character: str) -> None:
    try:
        parse_yaml(f"a: 1\nbb: x{character}\n", "f.yaml")
    except ConfigError as exc:
        assert (exc.mark.file, exc.mark.line, exc.mark.col) == ("f.yaml", 2, 6)
        assert f"U+{ord(character):04X}" in exc.detail
    else:
        raise AssertionError(f"U+{ord(character):04X} was accepted")


def test_an_unreadable_yaml_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_yaml_file(tmp_path)  # a folder


def _journal_with_a_unit(path: Path) -> Path:
    journal = Journal(path)
    unit = journal.start_unit("PH", "demo", "1", "demo", 0.0)
    journal.end_unit(unit.id, "OK", None, 1.0)
    journal.close()
    return path


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_plot_out_that_cannot_be_written_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str) -> None:
    db = _journal_with_a_unit(tmp_path / "j.db")
    (tmp_path / "afile").write_text("not a folder")
    code, lines = _run(capsys, "plot", "--db", db, "--out", tmp_path / out)
    assert code == EXIT_USAGE
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path / out}: "), lines
    assert "Errno" not in lines[0]


def test_plot_to_a_writable_folder_writes_the_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _journal_with_a_unit(tmp_path / "j.db")
    assert main(["plot", "--db", str(db), "--out", str(tmp_path / "plots")]) == 0
    assert (tmp_path / "plots" / "PH-000001_timeline.png").is_file()
