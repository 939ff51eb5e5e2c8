"""Test helper: the demo cell and recipe under the supervisor, with a journal, torn down safely."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cellctl.config import demo_cell_path, load_cell
from cellctl.journal import Journal
from cellctl.recipe import load_recipe
from cellctl.rt import Context, State
from cellctl.supervisor import Supervisor
from sim import SimSystem
from sim.injection import FailurePlan

DEMO_RECIPE = demo_cell_path().parent / "recipe.yaml"


@dataclass
class Cell:
    supervisor: Supervisor
    sim: SimSystem
    journal: Journal

    def run(self, units: int = 1, on_cycle: Callable[[], None] | None = None):  # noqa: ANN201
        return self.supervisor.run(units, on_cycle=on_cycle)


@contextmanager
def supervised(tmp_path: Path, *, failures: dict[str, str] | None = None, seed: int = 0) -> Iterator[Cell]:
    """A configured and active supervisor on the demo cell (shut down afterwards, whatever happens)."""
    cell = load_cell(None)
    sim = SimSystem(cell, seed=seed, failures=FailurePlan(holes=failures or {}))
    journal = Journal(tmp_path / "journal.db")
    supervisor = Supervisor(Context(), sim, cell, load_recipe(DEMO_RECIPE), journal, next_kit=sim.next_kit)
    try:
        assert supervisor.configure() is State.INACTIVE
        assert supervisor.activate() is State.ACTIVE
        yield Cell(supervisor, sim, journal)
    finally:
        supervisor.shutdown()
        journal.close()
