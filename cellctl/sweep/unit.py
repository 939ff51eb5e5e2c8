"""One unit of a sweep, run in a fresh headless world of its own.

A unit's outcome depends only on (sweep seed, unit index): its world is built from scratch
with a seed derived from both, and its failure draws come from that seed. So a unit re-run
on another worker (after a dead one) or by ``--resume`` gives the same result.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cellctl.config import CellDescription
from cellctl.hw import HardwareError
from cellctl.journal import Journal
from cellctl.recipe import Recipe
from cellctl.rt import Context, State
from cellctl.supervisor import CellState, Supervisor
from cellctl.sweep.ledger import UnitOutcome

if TYPE_CHECKING:
    from sim import SimSystem

__all__ = ["unit_seed", "run_unit", "unit_session"]


def unit_seed(seed: int, unit: int) -> int:
    """The world seed of unit ``unit`` of a sweep seeded ``seed`` (independent streams per unit)."""
    return int(np.random.SeedSequence([seed, unit]).generate_state(1, dtype=np.uint32)[0])


@contextmanager
def unit_session(recipe: Recipe, cell: CellDescription, rates: Mapping[str, float],
                 world_seed: int, physics_hz: float | None = None) -> Iterator[tuple[Supervisor, SimSystem, Journal]]:
    """A fresh headless world with an active supervisor and a throw-away journal, shut down on exit
    (``physics_hz``: the world's physics step rate, None for the simulation's default).

    Raises:
        HardwareError: the simulation did not come up.
    """
    from sim import SimSystem
    from sim.injection import FailurePlan

    options = {} if physics_hz is None else {"physics_hz": physics_hz}
    system = SimSystem(cell, seed=world_seed, failures=FailurePlan(rates=dict(rates)), **options)
    with tempfile.TemporaryDirectory(prefix="cellctl-sweep-") as folder:
        journal = Journal(Path(folder) / "unit.db")
        supervisor = Supervisor(Context(), system, cell, recipe, journal, next_kit=system.next_kit)
        try:
            if supervisor.configure() is not State.INACTIVE or supervisor.activate() is not State.ACTIVE:
                raise HardwareError("the simulation did not come up")
            yield supervisor, system, journal
        finally:
            supervisor.shutdown()
            journal.close()


def run_unit(recipe: Recipe, cell: CellDescription, rates: Mapping[str, float], seed: int, unit: int) -> UnitOutcome:
    """Build unit ``unit`` of the sweep in a new headless world and say how it ended."""
    started = time.perf_counter()
    world_seed = unit_seed(seed, unit)
    try:
        with unit_session(recipe, cell, rates, world_seed) as (supervisor, _, journal):
            summary = supervisor.run(1)
            records = journal.units()
            record = records[-1] if records else None
            tightenings = journal.tightenings(record.id) if record else []
            causes = tuple(t.failure_class or t.status for t in tightenings if t.status != "OK")
            cycle = journal.unit_time(record.id) if record else None
    except HardwareError as exc:
        return UnitOutcome(unit, world_seed, "FAULT", str(exc), ("fault",), 0, None, time.perf_counter() - started)
    wall = time.perf_counter() - started
    if record is None or summary.state is not CellState.IDLE or record.result not in ("OK", "NOK", "ABORTED"):
        reason = summary.message or (record.reason if record else None) or "the unit did not finish"
        return UnitOutcome(unit, world_seed, "FAULT", reason, (*causes, "fault"), len(tightenings), None, wall)
    return UnitOutcome(unit, world_seed, record.result, record.reason, causes, len(tightenings), cycle, wall)
