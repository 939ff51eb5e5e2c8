"""Small operator paths that must say what happened and what to do (issue 11, "smaller"):
``--export`` over edited files, ``report`` on a read-only journal, ``--gui`` without a display,
an absurd ``--units``, and a serial backend with nothing at the other end.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import CELLCTL, cli_env

from cellctl.cli.backends import check_display
from cellctl.cli.loading import UsageError
from cellctl.journal import Journal

pytestmark = pytest.mark.process


# ------------------------------------------------------------------------------ --export

def test_export_refuses_to_overwrite_an_edited_file_and_names_it(cellctl, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    assert cellctl("demo", "--export", out).returncode == 0
    edited = (out / "cell.yaml").read_text() + "# my edit\n"
    (out / "cell.yaml").write_text(edited)

    refused = cellctl("demo", "--export", out)
    assert refused.returncode == 2, refused
    assert f"{out / 'cell.yaml'}: exists and differs from the demo's" in refused.stderr
    assert "--force" in refused.stderr and "recipe.yaml" not in refused.stderr
    assert (out / "cell.yaml").read_text() == edited

    again = cellctl("demo", "--export", out, "--force")
    assert again.returncode == 0, again
    assert "# my edit" not in (out / "cell.yaml").read_text()
    assert f"{out / 'recipe.yaml'} (unchanged)" in again.stdout


def test_export_into_a_folder_of_unchanged_copies_needs_no_force(cellctl, tmp_path: Path) -> None:
    assert cellctl("demo", "--export", tmp_path / "d").returncode == 0
    result = cellctl("demo", "--export", tmp_path / "d")
    assert result.returncode == 0, result
    assert result.stdout.count("(unchanged)") == 2


def test_force_without_export_is_a_usage_error(cellctl) -> None:
    result = cellctl("demo", "--force")
    assert result.returncode == 2 and "--force only applies to --export" in result.stderr, result


# ------------------------------------------------------------------------------ report read-only

@pytest.fixture
def read_only_journal() -> Iterator[Path]:
    """A journal with one unit, in a folder nobody may write (readable by everyone, for setpriv)."""
    folder = Path(tempfile.mkdtemp(prefix="cellctl-ro-"))
    path = folder / "journal.db"
    with Journal(path) as journal:
        unit = journal.start_unit("RO", "recipe", "1", "cell", 0.0)
        journal.end_unit(unit.id, "OK", None, 1.0)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield path
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _as_unprivileged(argv: list[str]) -> list[str]:
    """``argv`` as a user that file permissions apply to (root ignores them), where one can run it.

    As root, ``setpriv`` drops to ``nobody`` when ``nobody`` may run this Python (a virtualenv under
    ``/root`` may be out of its reach); otherwise ``argv`` runs as root, where the test still proves that
    ``report`` changed no byte of the journal and left no ``-wal``/``-shm`` file beside it, and
    ``test_a_read_only_journal_refuses_writes`` proves the read-only open itself.
    """
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return argv
    dropped = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    probe = subprocess.run([*dropped, *CELLCTL, "--help"], capture_output=True, env=cli_env(),
                           timeout=60, stdin=subprocess.DEVNULL, cwd="/")
    return [*dropped, *argv] if probe.returncode == 0 else argv


def test_report_reads_a_journal_it_may_not_write(read_only_journal: Path) -> None:
    before = read_only_journal.read_bytes()
    done = subprocess.run(_as_unprivileged([*CELLCTL, "report", "--db", str(read_only_journal)]), env=cli_env(),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd="/")
    assert done.returncode == 0, done.stderr
    assert "RO-000001" in done.stdout and "1 units: 1 OK" in done.stdout
    assert read_only_journal.read_bytes() == before
    beside = {p.name: p.stat().st_size for p in read_only_journal.parent.iterdir()}
    # Where the folder is writable for the reader (root), SQLite's read-only WAL reader may leave
    # its index (-shm) and an empty log (-wal); nothing was written to the log.
    assert beside.pop("journal.db") == len(before)
    assert beside.get("journal.db-wal", 0) == 0, beside
    assert set(beside) <= {"journal.db-wal", "journal.db-shm"}, beside


def test_a_read_only_journal_refuses_writes() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cellctl-ro-"))
    try:
        with Journal(folder / "j.db") as journal:
            journal.start_unit("RO", "recipe", "1", "cell", 0.0)
        with Journal.read_only(folder / "j.db") as journal:
            assert [u.serial for u in journal.units()] == ["RO-000001"]
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                journal.start_unit("RO", "recipe", "1", "cell", 0.0)
    finally:
        shutil.rmtree(folder)


# ------------------------------------------------------------------------------ --gui, --units

def test_gui_without_a_display_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in cli_env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([*CELLCTL, "demo", "--gui", "--db", "g.db"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--gui: there is no display"), lines
    assert "run without --gui" in lines[0]
    assert list(tmp_path.iterdir()) == [], "nothing may be written"


@pytest.mark.parametrize(("environ", "platform", "refused"), [
    ({}, "linux", True), ({"DISPLAY": ""}, "linux", True), ({"DISPLAY": ":0"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False), ({}, "darwin", False), ({}, "win32", False),
])
def test_a_display_is_needed_on_linux_only(environ: dict[str, str], platform: str, refused: bool) -> None:
    if refused:
        with pytest.raises(UsageError, match="no display"):
            check_display(environ, platform)
    else:
        check_display(environ, platform)


@pytest.mark.parametrize("units", ["99999999999999999999", "1000001", "0", "-3", "2.5"])
def test_units_outside_the_valid_range_are_refused_with_the_range(cellctl, units: str) -> None:
    result = cellctl("demo", "--units", units)
    assert result.returncode == 2, result
    assert "argument --units: must be" in result.stderr and "1 .. 1000000" in result.stderr


# ------------------------------------------------------------------------------ serial to nothing

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(60)
def test_a_serial_backend_to_nothing_says_so_without_the_lifecycle_wrapper(cellctl, demo_files, tmp_path: Path) -> None:
    recipe, cell = demo_files
    port = _closed_port()
    backend = f"serial:loader=socket://127.0.0.1:{port},screwer=socket://127.0.0.1:{port}"
    result = cellctl("run", recipe, "--cell", cell, "--backend", backend, "--db", "s.db", timeout=45)
    assert result.returncode == 3, result
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(f"cellctl: error: no handshake with a controller on socket://127.0.0.1:{port}"), result
    assert "lifecycle callback" not in result.stderr and "treated as ERROR" not in result.stderr


def test_a_serial_backend_without_a_url_is_a_usage_error(cellctl, demo_files, tmp_path: Path) -> None:
    recipe, cell = demo_files
    result = cellctl("run", recipe, "--cell", cell, "--backend", "serial:loader=,screwer=/dev/ttyACM0", "--db", "e.db")
    assert result.returncode == 2, result
    assert "--backend serial:loader=,screwer=/dev/ttyACM0: no URL for arm loader" in result.stderr
    assert not (tmp_path / "e.db").exists(), "a usage error writes no journal"
