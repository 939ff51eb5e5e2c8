"""Test helper: scripted operations on the demo cell (move, pick, place, screw) and one full unit.

Stands in for the supervisor's recipes in tests and the benchmark: Cartesian targets become
joints with :mod:`_ik`, joints become setpoints with the motion core, setpoints go through the
hardware contract, and every wait is bounded in simulation time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellctl.config import Pose
from cellctl.hw import ArmState, BackOutCommand, GripperAction, GripperCommand, ScrewProgram, ToolResult
from cellctl.motion import plan_ptp
from sim import SimSystem
from sim.screws import FLIP

from _ik import ArmIk

SERVO_HZ = 1000.0
LEAD = 0.002
"""Seconds between now and a motion's first setpoint."""
APPROACH = 0.05
"""Metres above a pick or place pose where the approach starts."""
CLEARANCE = 0.001
"""Metres above its resting place where a part is let go."""


def shifted(pose: Pose, dz: float) -> Pose:
    """``pose`` moved by ``dz`` along world z."""
    return Pose(pose.position + np.array([0.0, 0.0, dz]), pose.quaternion)


def offset(dz: float) -> Pose:
    """A translation along a frame's own z."""
    return Pose(np.array([0.0, 0.0, dz]), np.array([0.0, 0.0, 0.0, 1.0]))


UNIT_PARTS = ("mid_frame", "main_board", "cover")


def tray_offset(sim: SimSystem, tray: str) -> float:
    """The largest horizontal distance, metres, of a unit part from the tray's slot ``s0``."""
    slot = sim.slot_pose(tray, "s0").position
    return max(float(np.abs(sim.part_pose(part).position[:2] - slot[:2]).max()) for part in UNIT_PARTS)


@dataclass
class UnitReport:
    """What one demo unit produced."""

    placed: dict[str, np.ndarray] = field(default_factory=dict)
    """Part → placement error (x, y, z) in metres relative to its target."""
    screws: dict[str, ToolResult] = field(default_factory=dict)
    sim_time: float = 0.0
    ok: bool = False


class Operator:
    """Drives the demo cell's arms (see module docstring)."""

    def __init__(self, sim: SimSystem) -> None:
        self.sim = sim
        self.ik = {name: ArmIk(sim, name, next(iter(spec.tools.values())).tcp_link)
                   for name, spec in sim.cell.arms.items()}

    def close(self) -> None:
        """Disconnect the IK clients."""
        for ik in self.ik.values():
            ik.close()

    # ------------------------------------------------------------------ motion
    def move_joints(self, arm: str, goal: np.ndarray, timeout: float = 15.0) -> ArmState:
        """A time-optimal move to ``goal``, played through the contract; waits until idle."""
        handle = self.sim.arms[arm]
        start = handle.read().positions
        samples = plan_ptp(start, goal, handle.limits).sample(rate=SERVO_HZ)
        handle.submit(self.sim.now() + LEAD + samples.time, samples.position)
        return self.sim.wait_idle(arm, timeout)

    def move_tcp(self, arm: str, pose: Pose) -> ArmState:
        """Move so the arm's TCP reaches ``pose``."""
        q = self.ik[arm].solve(pose, self.sim.arms[arm].read().positions)
        return self.move_joints(arm, q)

    def home(self, arm: str) -> ArmState:
        """Back to the arm's home position."""
        return self.move_joints(arm, self.sim.cell.arms[arm].home)

    def tool(self, arm: str, command: GripperCommand | object, timeout: float = 5.0) -> ToolResult:
        """Run a tool command and wait for its result."""
        return self.sim.wait_for(self.sim.arms[arm].tool_command(command), timeout)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ parts
    def pick(self, arm: str, part: str, grasp: str = "top") -> ToolResult:
        """Approach, grasp and lift a part where it lies."""
        spec = self.sim.cell.parts[part]
        target = self.sim.part_pose(part) * spec.grasps[grasp]
        self.tool(arm, GripperCommand(GripperAction.OPEN, width=0.08))
        self.move_tcp(arm, shifted(target, APPROACH))
        self.move_tcp(arm, target)
        result = self.tool(arm, GripperCommand(GripperAction.CLOSE, width=float(spec.size[1]), force=20.0))
        self.move_tcp(arm, shifted(target, APPROACH))
        return result

    def place(self, arm: str, part: str, where: Pose, grasp: str = "top") -> np.ndarray:
        """Put a held part's centre at ``where`` (let go ``CLEARANCE`` above); returns the placement error."""
        spec = self.sim.cell.parts[part]
        target = shifted(where, CLEARANCE) * spec.grasps[grasp]
        self.move_tcp(arm, shifted(target, APPROACH))
        self.move_tcp(arm, target)
        self.tool(arm, GripperCommand(GripperAction.OPEN, width=0.08))
        self.move_tcp(arm, shifted(target, APPROACH))
        self.sim.run_for(0.2)
        return self.sim.part_pose(part).position - where.position

    # ------------------------------------------------------------------ screws
    def pick_screw(self, arm: str = "screwer") -> ToolResult:
        """Take a screw from the feeder with the vacuum cup."""
        feeder = self.sim.feeders[0]
        target = feeder.pick_pose * FLIP
        self.move_tcp(arm, shifted(target, 0.03))
        self.move_tcp(arm, target)
        result = self.tool(arm, GripperCommand(GripperAction.CLOSE))
        self.move_tcp(arm, shifted(target, 0.03))
        return result

    def drive(self, hole: str, arm: str = "screwer") -> ToolResult:
        """Put the held screw's tip on a hole entry and run the hole's program."""
        return self._at_hole(hole, self.sim.cell.holes[hole].program, arm)

    def back_out(self, hole: str, arm: str = "screwer") -> ToolResult:
        """Put the bit where it drives ``hole`` and back the screw out."""
        program = self.sim.cell.holes[hole].program
        return self._at_hole(hole, BackOutCommand(program.program_id, timeout=program.timeout), arm)

    def bit_on(self, hole: str) -> Pose:
        """Where the bit tip drives ``hole``: the screw's tip on the hole entry."""
        screw = self.sim.cell.screws[self.sim.cell.holes[hole].screw]
        return self.sim.hole_pose(hole) * FLIP * offset(-(screw.head_height + screw.length))

    def _at_hole(self, hole: str, command: ScrewProgram | BackOutCommand, arm: str) -> ToolResult:
        target = self.bit_on(hole)
        self.move_tcp(arm, shifted(target, 0.02))
        self.move_tcp(arm, target)
        result = self.tool(arm, command, timeout=command.timeout + 1.0)
        self.move_tcp(arm, shifted(target, 0.02))
        return result

    # ------------------------------------------------------------------ a whole unit
    def stack_pose(self, part: str) -> Pose:
        """Where a part of the demo stack belongs: frame in the nest, board on it, cover on the board."""
        parts = self.sim.cell.parts
        nest = self.sim.slot_pose("nest", "unit")
        if part == "mid_frame":
            return nest * offset(parts["mid_frame"].height / 2)
        frame = self.sim.part_pose("mid_frame")
        below = parts["mid_frame"].height / 2 + (parts["main_board"].height if part == "cover" else 0.0)
        return frame * offset(below + parts[part].height / 2)

    def run_unit(self, holes: list[str] | None = None, image: str | None = None) -> UnitReport:
        """Frame and board into the nest, the screws, the cover, then the unit to the OK or NOK tray."""
        report = UnitReport()
        self.load_stack(report)
        self.screw_holes(report, holes if holes is not None else list(self.sim.cell.holes))
        self.clip_cover(report)
        self.unload(report)
        if image:
            self.sim.save_image(image)
        return report

    def frame_in_nest(self) -> None:
        """Only the mid-frame into the nest (enough to drive screws); the loader goes home."""
        if not self.pick("loader", "mid_frame").ok:
            raise RuntimeError("picking mid_frame failed")
        self.place("loader", "mid_frame", self.stack_pose("mid_frame"))
        self.home("loader")

    def load_stack(self, report: UnitReport) -> None:
        """Frame and board from their trays into the nest (the screws join them); the loader goes home."""
        for part in ("mid_frame", "main_board"):
            self._stack(report, part)
        self.home("loader")

    def clip_cover(self, report: UnitReport) -> None:
        """The cover onto the screwed board; the loader goes home."""
        self._stack(report, "cover")
        self.home("loader")

    def _stack(self, report: UnitReport, part: str) -> None:
        where = self.stack_pose(part)
        picked = self.pick("loader", part)
        if not picked.ok:
            raise RuntimeError(f"picking {part} failed: {picked.message}")
        report.placed[part] = self.place("loader", part, where)

    def screw_holes(self, report: UnitReport, holes: list[str]) -> None:
        """A screw from the feeder into each hole, in order; the screwer goes home."""
        for hole in holes:
            self.pick_screw()
            report.screws[hole] = self.drive(hole)
        self.home("screwer")

    def unload(self, report: UnitReport) -> None:
        """The unit to the OK tray when every screw in ``report`` is OK, else to the NOK tray."""
        report.ok = all(r.ok for r in report.screws.values())
        tray = "ok_tray" if report.ok else "nok_tray"
        self.pick("loader", "mid_frame")
        self.place("loader", "mid_frame", self.sim.slot_pose(tray, "s0") * offset(self.sim.cell.parts["mid_frame"].height / 2))
        self.home("loader")
        report.sim_time = self.sim.now()
