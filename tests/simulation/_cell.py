"""Test helper: start the demo cell (configured and active) with its operator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _unit import Operator

from sim import FailurePlan, SimSystem

ESTOP_DISTANCE = 0.3
"""rad: the most any joint may travel after an e-stop. The motors brake at their URDF effort: the
Panda's wrist (12 N·m) travels most, 0.098-0.134 rad from 2 rad/s when it moves alone, up to 0.230
rad when the e-stop catches it turning at 2 rad/s in a demo unit with the rest of the arm moving
(505 e-stops across a unit: ``benchmarks/bench_estop_travel.py``, docs/simulation.md); the iiwa's
joints under 0.011 rad. Moving on along the path would be radians."""


def start(seed: int = 1, failures: FailurePlan | None = None, kinematic: bool = False,
          state_file: Path | None = None) -> tuple[SimSystem, Operator]:
    """A configured, active demo cell (restored from ``state_file`` if it exists) and an operator for it."""
    sim = SimSystem(seed=seed, failures=failures, kinematic=kinematic, state_file=state_file)
    try:
        sim.configure()
        sim.activate()
        return sim, Operator(sim)
    except BaseException:
        sim.shutdown()
        raise


@contextmanager
def running(seed: int = 1, failures: FailurePlan | None = None,
            state_file: Path | None = None) -> Iterator[tuple[SimSystem, Operator]]:
    """:func:`start`, then always close the operator's IK clients and shut the cell down."""
    sim, operator = start(seed=seed, failures=failures, state_file=state_file)
    try:
        yield sim, operator
    finally:
        operator.close()
        sim.shutdown()
