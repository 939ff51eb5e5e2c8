"""Test helper: start the demo cell (configured and active) with its operator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _unit import Operator

from sim import FailurePlan, SimSystem

ESTOP_DISTANCE = 0.15
"""rad: the most any joint may travel after an e-stop from its full speed. The motors brake at
their URDF effort: the Panda's wrist (12 N·m) travels most, 0.119 rad from 2 rad/s (measured at
the 1.25 ms step); its shoulder 0.036 rad from 1.5 rad/s; the iiwa's joints under 0.01 rad."""


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
