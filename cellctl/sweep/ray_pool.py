"""Sweeps on Ray (``--ray ADDRESS``): units as Ray tasks, the ledger still written here only.

Ray schedules the tasks over its cluster's CPUs and re-runs a task whose worker process or node
died (``max_retries``); a task that still fails is recorded as ``ERROR``. Whatever Ray retries,
the coordinator records each unit once (:meth:`Ledger.record` ignores a second result). The
recipe and cell are read by path on the worker nodes: give every node the same files (a shared
folder, or the package's built-in demo cell).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from cellctl.sweep.ledger import Ledger, UnitOutcome
from cellctl.sweep.pool import MAX_TRIES, SweepJob

__all__ = ["run_ray", "RAY_WORKER"]

RAY_WORKER = 0
"""The ledger's worker id for units built on Ray (Ray places and retries them itself)."""


@lru_cache(maxsize=4)
def _loaded(recipe: str, cell: str) -> tuple[Any, Any]:
    """The recipe and cell, loaded once per Ray worker process."""
    from cellctl.config import load_cell
    from cellctl.recipe import load_recipe

    return load_recipe(recipe), load_cell(cell)


def _build(job: SweepJob, unit: int) -> UnitOutcome:
    """A Ray task: one unit's outcome."""
    from cellctl.sweep.unit import run_unit

    recipe, cell = _loaded(str(job.recipe), str(job.cell))
    return run_unit(recipe, cell, job.rates, job.seed, unit)


def run_ray(job: SweepJob, units: Iterable[int], address: str, workers: int, ledger: Ledger,
            on_result: Callable[[UnitOutcome], None] = lambda outcome: None) -> None:
    """Build ``units`` as Ray tasks on the cluster at ``address`` (``local``: a new local Ray of ``workers`` CPUs).

    Raises:
        ValueError: there is no Ray cluster at ``address`` (one line, what to do).
    """
    import ray

    try:
        if address == "local":
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"--ray {address}: no Ray cluster to join there ({first}); start one with "
                         "'ray start --head' and give its address, or use --ray local") from None
    try:
        task = ray.remote(num_cpus=1, max_retries=MAX_TRIES - 1, retry_exceptions=False)(_build)
        refs = {}
        for unit in units:
            refs[task.remote(job, unit)] = unit
            ledger.dispatched(unit, RAY_WORKER)
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1, timeout=5.0)
            for ref in ready:
                unit = refs.pop(ref)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    outcome = UnitOutcome(unit, -1, "ERROR", f"Ray gave up on it: {type(exc).__name__}",
                                                  ("error",), 0, None, 0.0)
                if ledger.record(outcome, RAY_WORKER):
                    on_result(outcome)
    finally:
        ray.shutdown()
