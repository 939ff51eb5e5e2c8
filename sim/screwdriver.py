"""The screwdriver tool: finds the hole under the bit, runs a process model, judges, seats or removes.

A command starts only when the screw tip (bit tip + screw length, or where it would be) lies
within ``tolerance`` of a hole entry, laterally and axially, with the bit coaxial to the hole
within ``MAX_TILT``; otherwise the result is NOK ``no_hole``.

* :class:`~cellctl.hw.ScrewProgram` tightens (:mod:`sim.screw_model`). The screw comes from the
  arm's vacuum cup; none there means the driver spins free (``missing_screw``). A hole that
  already holds a screw gives a re-hit. Injected failures come from the
  :class:`~sim.injection.FailurePlan`, drawn for the hole's attempt number.
* :class:`~cellctl.hw.BackOutCommand` reverses (:mod:`sim.backout_model`): NOK ``no_screw`` on
  an empty hole, ``bit_occupied`` while the cup holds a new screw. When the screw comes free it
  is discarded and the hole is empty again (see :meth:`sim.holes.Holes.remove`).

The curve plays out in simulation time; moving the bit off the hole meanwhile ends the command
NOK ``lost_engagement``. The world changes only when a command completes (screw taken from the
cup, attempt counted, screw seated or removed), so a command cut short by a crash or an e-stop
leaves the world as it was before it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cellctl.config.model import CellDescription, HoleSpec, ToolSpec
from cellctl.config.pose import Pose
from cellctl.hw.errors import HardwareError
from cellctl.hw.tools import BackOutCommand, ScrewProgram, ToolResult
from sim.backout_model import judge_backout, simulate_backout
from sim.events import EventLog
from sim.holes import Holes
from sim.injection import FailureKind, FailurePlan, ProcessDrift, hole_rng
from sim.screw_model import Judgement, ScrewCurve, judge, simulate_tightening
from sim.tool_base import SimTool, nok
from sim.vacuum import VacuumCup
from sim.world import ArmBody, World

__all__ = ["Screwdriver"]

MAX_TILT = math.radians(3.0)
BIT_STATION_REACH = 0.005
"""Metres the bit tip may be from a tool station's slot for a bit change."""
DRIFT_LIMIT = 0.002
"""Metres the bit may move during a command before it counts as lost engagement."""
TIGHTEN_STREAM, BACKOUT_STREAM = 1, 2
"""Random streams of :func:`~sim.injection.hole_rng` (stream 0 draws injected failures)."""

Conclude = Callable[[HoleSpec, float, ScrewCurve, bool], ToolResult]
"""Completes a command: (hole, now, curve so far, engagement lost) → result; changes the world."""


@dataclass
class _Run:
    hole: HoleSpec
    curve: ScrewCurve
    start: np.ndarray
    conclude: Conclude


class Screwdriver(SimTool):
    """See module docstring."""

    def __init__(self, world: World, arm_name: str, arm: ArmBody, spec: ToolSpec, events: EventLog,
                 cell: CellDescription, holes: Holes, vacuum: VacuumCup | None, plan: FailurePlan, seed: int,
                 drift: ProcessDrift | None = None) -> None:
        super().__init__(spec.name)
        self.world, self.arm_name, self.arm, self.spec, self.events = world, arm_name, arm, spec, events
        self.cell, self.holes, self.vacuum, self.plan, self.seed = cell, holes, vacuum, plan, seed
        self.drift = drift or ProcessDrift()
        self.new_bit_kit = 1
        """The kit the bit in use was first used on (a bit change makes it the next kit's)."""
        self.tcp = arm.links[spec.tcp_link]
        self._run: _Run | None = None

    def change_bit(self, now: float) -> None:
        """A new bit, put in at a tool station: the bit tip must be at one of its slots (within
        ``BIT_STATION_REACH``); the process drift's wear starts afresh with the next kit.

        Raises:
            HardwareError: the bit is not at a tool station, or a command runs.
        """
        if self.busy:
            raise HardwareError(f"{self.arm_name}.{self.name}: cannot change the bit while a command runs")
        tip = self.tcp_pose().position
        slots = [(name, (spec.pose * slot).position) for name, spec in self.cell.stations.items()
                 if spec.type == "tool_station" for slot in spec.slots.values()]
        near = min(((float(np.linalg.norm(tip - p)), name) for name, p in slots), default=None)
        if near is None or near[0] > BIT_STATION_REACH:
            where = f"{near[0] * 1000:.1f} mm from tool station {near[1]}" if near else "and the cell has no tool station"
            raise HardwareError(f"{self.arm_name}.{self.name}: the bit is not at a tool station ({where}; "
                                f"allowed {BIT_STATION_REACH * 1000:.0f} mm)")
        self.new_bit_kit = self.holes.kit + 1
        self.events.add(now, "bit_changed", self.arm_name, self.name, f"at {near[1]}; new bit from kit {self.new_bit_kit}")

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
        assert isinstance(command, (ScrewProgram, BackOutCommand))
        bit = self.tcp_pose()
        hole, why = self._find_hole(bit)
        if hole is None:
            self.finish(nok(self.command_id, "no_hole", f"the screwdriver is not at a hole: {why}; "
                            "re-teach the hole pose or check the part's position"))
        elif isinstance(command, BackOutCommand):
            self._begin_backout(command, hole, bit)
        else:
            self._begin_tightening(command, hole, bit)

    # ------------------------------------------------------------------ tightening
    def _begin_tightening(self, program: ScrewProgram, hole: HoleSpec, bit: Pose) -> None:
        if program.program_id != hole.program.program_id:
            self.finish(nok(self.command_id, "wrong_program", f"hole {hole.name} needs program "
                            f"{hole.program.program_id} ({hole.program_name}), got {program.program_id}"))
            return
        state = self.holes.state[hole.name]
        attempt = state.attempts
        kind = FailureKind.REHIT if state.screw_body is not None else self.plan.draw(self.seed, hole.name, attempt)
        if kind is None and (self.vacuum is None or self.vacuum.screw is None):
            kind = FailureKind.MISSING_SCREW
        seat = self.cell.screws[hole.screw].seat_angle
        steps = self.drift.steps(self.holes.kit, self.new_bit_kit)
        shutoff = None
        if kind is None and steps:  # the injected drift moves good screws only
            shutoff = program.target_torque * (1.0 + steps * self.drift.torque)
            seat *= 1.0 + steps * self.drift.angle
        rng = hole_rng(self.seed, hole.name, attempt, TIGHTEN_STREAM, self.holes.kit)
        curve = simulate_tightening(program, seat, kind, rng, shutoff)
        conclude = functools.partial(self._conclude_tightening, program, kind, attempt)
        self._run = _Run(hole, curve, bit.position, conclude)

    def _conclude_tightening(self, program: ScrewProgram, kind: FailureKind | None, attempt: int,
                             hole: HoleSpec, now: float, curve: ScrewCurve, lost: bool) -> ToolResult:
        state = self.holes.state[hole.name]
        state.attempts = attempt + 1
        screw = None
        if kind is FailureKind.MISSING_SCREW and self.vacuum is not None:
            self.vacuum.lose_screw(now, f"injected: fell off the bit above {hole.name}")
        elif kind is not FailureKind.REHIT and self.vacuum is not None:
            screw = self.vacuum.take_screw()
        verdict = _lost(hole, "tightening") if lost else judge(program, curve)
        if screw is not None:
            self.holes.seat(hole.name, screw.body)
            state.torque, state.angle = float(curve.torque[-1]), float(curve.angle[-1])
        state.tight = state.tight or verdict.ok
        state.last_failure = verdict.failure_class
        if verdict.ok:
            self.holes.fasten(now, hole)
        self.events.add(now, "screw_driven", self.arm_name, hole.name, verdict.failure_class or "OK")
        return self._result(hole, curve, verdict)

    # ------------------------------------------------------------------ back-out
    def _begin_backout(self, command: BackOutCommand, hole: HoleSpec, bit: Pose) -> None:
        state = self.holes.state[hole.name]
        if state.screw_body is None:
            self.finish(nok(self.command_id, "no_screw", f"hole {hole.name} holds no screw: nothing to back out; "
                            "check the unit's screw record"))
            return
        if self.vacuum is not None and self.vacuum.screw is not None:
            self.finish(nok(self.command_id, "bit_occupied", f"cannot back out {hole.name}: a new screw sits on "
                            "the bit; drop it (vacuum off) before backing out"))
            return
        rng = hole_rng(self.seed, hole.name, state.attempts, BACKOUT_STREAM)
        curve = simulate_backout(command, state.angle, state.torque, rng)
        conclude = functools.partial(self._conclude_backout, command)
        self._run = _Run(hole, curve, bit.position, conclude)

    def _conclude_backout(self, command: BackOutCommand, hole: HoleSpec, now: float, curve: ScrewCurve,
                          lost: bool) -> ToolResult:
        verdict = _lost(hole, "back-out") if lost else judge_backout(command, curve)
        if verdict.ok:
            self.holes.remove(now, hole.name)  # the screw leaves on the bit and is discarded
        self.events.add(now, "screw_backed_out", self.arm_name, hole.name, verdict.failure_class or "OK")
        return self._result(hole, curve, verdict)

    # ------------------------------------------------------------------ running
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
        self.finish(run.conclude(run.hole, now, curve, lost))

    def _result(self, hole: HoleSpec, curve: ScrewCurve, verdict: Judgement) -> ToolResult:
        message = verdict.message if verdict.failure_class == "lost_engagement" else f"{hole.name}: {verdict.message}"
        return ToolResult(
            command_id=self.command_id, ok=verdict.ok, status="OK" if verdict.ok else "NOK",
            torque=float(curve.torque[-1]), angle=float(curve.angle[-1]), failure_class=verdict.failure_class,
            message=message, curve_time=curve.time, curve_torque=curve.torque, curve_angle=curve.angle)

    def on_abort(self) -> None:
        self._run = None


def _lost(hole: HoleSpec, what: str) -> Judgement:
    return Judgement(False, "lost_engagement", f"lost engagement at {hole.name}: the bit moved more than "
                     f"{DRIFT_LIMIT * 1000:.0f} mm during the {what}; hold the arm still while driving")
