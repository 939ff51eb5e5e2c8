"""Test helper: start the demo cell (configured and active) with its operator."""

from __future__ import annotations

from _unit import Operator

from sim import FailurePlan, SimSystem


def start(seed: int = 1, failures: FailurePlan | None = None, kinematic: bool = False) -> tuple[SimSystem, Operator]:
    """A configured, active demo cell and an operator for it."""
    sim = SimSystem(seed=seed, failures=failures, kinematic=kinematic)
    try:
        sim.configure()
        sim.activate()
        return sim, Operator(sim)
    except BaseException:
        sim.shutdown()
        raise
