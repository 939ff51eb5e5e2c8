"""A run or a service refused over an open unit names the command that continues it: the one
the operator was running (a 'cellctl run --resume' is the wrong advice to someone starting serve)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.cli.execute import RunOptions, refuse_if_journal_unfinished
from cellctl.cli.loading import UsageError
from cellctl.config import load_cell
from cellctl.journal import Journal

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("serve, continue_with", [
    (False, "cellctl run RECIPE --cell CELL --backend sim --db {db} --resume"),
    (True, "cellctl serve --cell CELL --recipe RECIPE --backend sim --db {db} --resume"),
])
def test_the_advice_names_the_command_that_was_refused(tmp_path: Path, serve: bool, continue_with: str) -> None:
    db = tmp_path / "journal.db"
    with Journal(db) as journal:
        journal.start_unit("PH", "phone_assembly_demo", "A.1", "phone_assembly_demo", 0.0)
    with pytest.raises(UsageError) as refused:
        refuse_if_journal_unfinished(load_cell(), RunOptions(db=db), serve=serve)
    (line,) = refused.value.lines
    assert "PH-000001 is still open" in line and continue_with.format(db=db) in line, line
