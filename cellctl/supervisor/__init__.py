"""The supervisor: recipes executed as behaviour trees on the hardware contract, with a
production journal, interlocks, pause/resume/abort/e-stop and resume after a crash."""

from cellctl.supervisor.dry_run import DryRun, dry_run
from cellctl.supervisor.messages import CellState, CellStatus, RunSummary
from cellctl.supervisor.supervisor import ResumeError, Supervisor

__all__ = ["CellState", "CellStatus", "DryRun", "ResumeError", "RunSummary", "Supervisor", "dry_run"]
