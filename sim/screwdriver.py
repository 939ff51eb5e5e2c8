"""The screwdriver tool: finds the hole under the bit, runs the process model, judges, seats.

A program starts only when the screw tip (bit tip + screw length, or where it would be) lies
within ``tolerance`` of a hole entry, laterally and axially, with the bit coaxial to the hole
within ``MAX_TILT``; otherwise the result is NOK ``no_hole``. The screw comes from the arm's
vacuum cup; none there means the driver spins free (``missing_screw``). A hole that already
holds a screw gives a re-hit. Injected failures come from the :class:`~sim.injection.FailurePlan`.
The curve plays out in simulation time; moving the bit off the hole meanwhile aborts the
tightening (``lost_engagement``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellctl.config.model import CellDescription, HoleSpec, ToolSpec
from cellctl.config.pose import Pose
from cellctl.hw.tools import ScrewProgram, ToolResult
from sim.events import EventLog
from sim.holes import Holes
from sim.injection import FailureKind, FailurePlan, hole_rng
from sim.screw_model import ScrewCurve, judge, simulate_tightening
from sim.tool_base import SimTool, nok
from sim.vacuum import HeldScrew, VacuumCup
from sim.world import ArmBody, World

__all__ = ["Screwdriver"]

MAX_TILT = math.radians(3.0)
DRIFT_LIMIT = 0.002
"""Metres the bit may move during a tightening before it counts as lost engagement."""


@dataclass
class _Run:
    hole: HoleSpec
    program: ScrewProgram
    curve: ScrewCurve
    screw: HeldScrew | None
    start: np.ndarray


class Screwdriver(SimTool):
    """See module docstring."""

    def __init__(self, world: World, arm_name: str, arm: ArmBody, spec: ToolSpec, events: EventLog,
                 cell: CellDescription, holes: Holes, vacuum: VacuumCup | None, plan: FailurePlan, seed: int) -> None:
        super().__init__(spec.name)
        self.world, self.arm_name, self.arm, self.spec, self.events = world, arm_name, arm, spec, events
        self.cell, self.holes, self.vacuum, self.plan, self.seed = cell, holes, vacuum, plan, seed
        self.tcp = arm.links[spec.tcp_link]
        self._run: _Run | None = None

    def tcp_pose(self) -> Pose:
        """World pose of the bit tip."""
        return self.world.link_pose(self.arm.body, self.tcp)

    def _find_hole(self, bit: Pose) -> tuple[HoleSpec | None, str]:
        found = self.holes.nearest(bit)
        if found is None:
            return None, "the cell has no screw holes"
        name, entry = found
        hole = self.cell.holes[name]
        screw = self.cell.screws[hole.screw]
        tip = bit.transform([0.0, 0.0, screw.head_height + screw.length])
        axis = entry.rotation[:, 2]
        offset = tip - entry.position
        axial = float(offset @ axis)
        lateral = float(np.linalg.norm(offset - axial * axis))
        tilt = math.acos(max(-1.0, min(1.0, float(-(bit.rotation[:, 2] @ axis)))))
        tol = self.spec.tolerance
        if lateral <= tol and abs(axial) <= 2 * tol and tilt <= MAX_TILT:
            return hole, ""
        return None, (f"nearest hole {name}: screw tip {lateral * 1000:.2f} mm off its axis, {axial * 1000:+.2f} mm "
                      f"along it, bit tilted {math.degrees(tilt):.1f}° (allowed {tol * 1000:.2f} mm, "
                      f"{2 * tol * 1000:.2f} mm, {math.degrees(MAX_TILT):.0f}°)")

    def begin(self, command: object, now: float) -> None:
        assert isinstance(command, ScrewProgram)
        bit = self.tcp_pose()
        hole, why = self._find_hole(bit)
        if hole is None:
            self.finish(nok(self.command_id, "no_hole", f"the screwdriver is not at a hole: {why}; "
                            "re-teach the hole pose or check the part's position"))
            return
        if command.program_id != hole.program.program_id:
            self.finish(nok(self.command_id, "wrong_program", f"hole {hole.name} needs program "
                            f"{hole.program.program_id} ({hole.program_name}), got {command.program_id}"))
            return
        state = self.holes.state[hole.name]
        attempt = state.attempts
        state.attempts += 1
        kind = FailureKind.REHIT if state.screw_body is not None else self.plan.draw(self.seed, hole.name, attempt)
        screw = None
        if kind is FailureKind.MISSING_SCREW and self.vacuum is not None:
            self.vacuum.lose_screw(now, f"injected: fell off the bit above {hole.name}")
        elif kind is not FailureKind.REHIT and self.vacuum is not None:
            screw = self.vacuum.take_screw()
        if screw is None and kind is None:
            kind = FailureKind.MISSING_SCREW
        seat = self.cell.screws[hole.screw].seat_angle
        curve = simulate_tightening(command, seat, kind, hole_rng(self.seed, hole.name, attempt, 1))
        self._run = _Run(hole, command, curve, screw, bit.position)

    def advance(self, now: float, elapsed: float) -> None:
        run = self._run
        if run is None:
            return
        duration = float(run.curve.time[-1])
        if np.linalg.norm(self.tcp_pose().position - run.start) > DRIFT_LIMIT:
            self._complete(now, elapsed, lost=True)
        elif elapsed >= duration:
            self._complete(now, duration, lost=False)
        elif self._handle is not None:
            self._handle.set_progress(elapsed / duration)

    def _complete(self, now: float, elapsed: float, lost: bool) -> None:
        run = self._run
        assert run is not None
        self._run = None
        n = max(1, int(round(elapsed * 1000.0)))
        curve = ScrewCurve(run.curve.time[:n], run.curve.torque[:n], run.curve.angle[:n],
                           run.curve.end if not lost else "lost_engagement")
        state = self.holes.state[run.hole.name]
        if lost:
            verdict_ok, failure, message = False, "lost_engagement", (
                f"lost engagement at {run.hole.name}: the bit moved more than {DRIFT_LIMIT * 1000:.0f} mm during "
                "the tightening; hold the arm still while driving")
        else:
            verdict = judge(run.program, curve)
            verdict_ok, failure, message = verdict.ok, verdict.failure_class, f"{run.hole.name}: {verdict.message}"
        if run.screw is not None:
            self.holes.seat(run.hole.name, run.screw.body)
        state.tight = state.tight or verdict_ok
        state.last_failure = failure
        if verdict_ok:
            self.holes.fasten(now, run.hole)
        self.events.add(now, "screw_driven", self.arm_name, run.hole.name, failure or "OK")
        self.finish(ToolResult(
            command_id=self.command_id, ok=verdict_ok, status="OK" if verdict_ok else "NOK",
            torque=float(curve.torque[-1]), angle=float(curve.angle[-1]), failure_class=failure, message=message,
            curve_time=curve.time, curve_torque=curve.torque, curve_angle=curve.angle))

    def on_abort(self) -> None:
        self._run = None
