"""The production journal survives its process being killed: nothing it wrote is lost.

A child process writes and is killed, so this is a ``process`` test, not a ``unit`` one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cellctl.journal import Journal

pytestmark = pytest.mark.process


def test_a_process_killed_mid_run_loses_nothing_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    writer = textwrap.dedent(f"""
        import os, signal
        from cellctl.journal import Journal
        journal = Journal({str(path)!r})
        unit = journal.start_unit("PH", "r", "1", "cell", 0.0)
        for i in range(50):
            journal.end_step(journal.start_step(unit.id, str(i), "wait", None, None, 0, i), "OK", None, i + 0.5)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", writer], timeout=60)
    assert proc.returncode == -9
    with Journal(path) as journal:
        (unit,) = journal.units()
        assert unit.result == "RUNNING"
        assert len(journal.completed_steps(unit.id)) == 50
