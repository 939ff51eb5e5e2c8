"""Crash persistence: the simulated world outlives the controller process.

With a state file, :class:`~sim.system.SimSystem` saves a snapshot of the world (atomically,
see :mod:`sim.state_file`) when it changes in a way that lasts: whenever a tool command
completes (a grasp, a release, a screw), whenever an arm comes to rest (a motion or a
controlled stop ended), and after ``configure()`` and ``next_kit()``; never on a clock. A crash
in the middle of a motion therefore restores the world as it was when it last changed: the
moving arm where it last rested, holding what it held then (a consistent world the resumed unit
continues from: every motion is planned from where the arm is). ``configure()`` restores the
snapshot when the file exists:

* the clock (step count) and the counter of fresh command ids;
* every part's pose (at rest) and which parts the fixtures' clamps held (clamped again where they
  lie, see :mod:`sim.clamps`),
  every arm's joints (exactly, IDLE, empty queue, no faults:
  the crash flushed the queue), the grippers' fingers and drives, the cups' vacuum, and the
  grasps at the relative poses they had;
* hole states (seated screws, tight, attempts, torque and angle), the screwed joints between
  parts, the feeders;
* the results of completed tool commands by id, so a re-sent id returns its first result.

Only results that a resume can ask for are kept on disk: those of the unit in progress. A
resumed unit re-sends only its own command ids, and the next kit is presented only after its
unit has ended, so :meth:`Persistence.new_kit` retires every result completed before it (the
arms still remember them in memory, for a re-sent id in this process) and deletes their files,
stale ones a crash left behind included. The results directory thus holds one unit's results
(about a dozen files, ~175 kB for the demo) instead of growing with every unit.

A command that was running at the crash was not completed: the world is saved as it was before
it (tools change the world only when a command completes), and re-sending its id runs it.
Not kept: velocities (everything restarts at rest), latched faults and e-stops, the event log.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cellctl.hw import HardwareError, ToolResult
from sim.state_file import StateFile, pose_from_list, pose_to_list

if TYPE_CHECKING:
    from sim.system import SimSystem

__all__ = ["Persistence"]


class Persistence:
    """Saves and restores one system's world (see module docstring)."""

    def __init__(self, system: "SimSystem", path: str | Path) -> None:
        self.system = system
        self.file = StateFile(path)
        self._due = False
        self._evicted: list[tuple[str, int]] = []
        self._retired: dict[str, set[int]] = {}

    # ------------------------------------------------------------------ saving
    def result_completed(self, arm: str, result: ToolResult, evicted: list[int]) -> None:
        """Store a completed command's result now; the next snapshot lists it."""
        self.file.save_result(arm, result)
        self._evicted.extend((arm, command_id) for command_id in evicted)
        self._due = True

    def request(self) -> None:
        """Save at the next :meth:`checkpoint` (the end of the physics step, at the latest)."""
        self._due = True

    def checkpoint(self) -> None:
        """Save if something asked for it."""
        if self._due:
            self.save()

    def save(self) -> None:
        """Write the snapshot now, then drop the results it no longer lists."""
        self.file.save(self._capture())
        self._due = False
        for arm, command_id in self._evicted:
            self.file.delete_results(arm, [command_id])
        self._evicted.clear()

    def new_kit(self) -> None:
        """Save after the next kit was presented, retiring every result completed so far (see module docstring)."""
        self._retired = {name: set(arm.snapshot()["results"]) for name, arm in self.system.arms.items()}
        self.save()  # lists no result: every file may go
        self.file.clear_results()

    def _arm_snapshot(self, name: str) -> dict[str, Any]:
        data = self.system.arms[name].snapshot()
        data["results"] = [cid for cid in data["results"] if cid not in self._retired.get(name, ())]
        return data

    def _capture(self) -> dict[str, Any]:
        system, world = self.system, self.system.world
        assert system.holes is not None
        return {
            "cell": system.cell.name, "steps": system.steps, "next_command_id": system.next_command_id,
            "parts": {name: pose_to_list(world.part_pose(name)) for name in world.parts},
            "clamped": sorted(world.clamps.clamped()) if world.clamps is not None else [],
            "arms": {name: self._arm_snapshot(name) for name in system.arms},
            "holes": system.holes.snapshot(),
            "feeders": {feeder.spec.name: feeder.snapshot() for feeder in system.feeders},
        }

    # ------------------------------------------------------------------ restoring
    def restore(self) -> dict[str, Any] | None:
        """Put the world back as the file says; returns the snapshot, or None when there is none
        (then stale stored results, if any, are deleted: a fresh world has no completed commands).

        The caller sets the clock and the command-id counter from the returned snapshot.

        Raises:
            HardwareError: unreadable file, or saved for another cell.
        """
        if not self.file.exists():
            self.file.clear_results()  # left over from a world that was deleted: nothing lists them
            return None
        data = self.file.load()
        self._check_matches(data)
        system, world = self.system, self.system.world
        assert system.holes is not None
        for name, values in data["parts"].items():
            world.place_part(name, pose_from_list(values))
        if world.clamps is not None:
            world.clamps.restore(data.get("clamped"))  # files saved before it was recorded: None
        for name, arm_data in data["arms"].items():
            results = {cid: self.file.load_result(name, cid) for cid in arm_data["results"]}
            system.arms[name].restore(arm_data, results)
        system.holes.restore(data["holes"])
        for feeder in system.feeders:
            feeder.restore(data["feeders"][feeder.spec.name])
        return data

    def _check_matches(self, data: dict[str, Any]) -> None:
        cell = self.system.cell
        expected = {"cell": cell.name, "parts": set(cell.parts), "arms": set(cell.arms),
                    "feeders": {f.spec.name for f in self.system.feeders}}
        found = {"cell": data.get("cell"), "parts": set(data.get("parts", ())), "arms": set(data.get("arms", ())),
                 "feeders": set(data.get("feeders", ()))}
        holes = set(data.get("holes", {}).get("holes", ()))
        if found != expected or holes != set(cell.holes):
            raise HardwareError(
                f"the sim state file {self.file.path} was saved for another cell ({found['cell']!r} with parts "
                f"{sorted(found['parts'])}, arms {sorted(found['arms'])}, holes {sorted(holes)}); this cell is "
                f"{cell.name!r} with parts {sorted(cell.parts)}, arms {sorted(cell.arms)}, holes {sorted(cell.holes)}. "
                "Use another state file, or delete this one to start from a fresh kit")
