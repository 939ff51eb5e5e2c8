"""The simulated cell as a :class:`~cellctl.hw.HardwareSystem`: one PyBullet world, one clock.

The clock is simulation time and advances only when the world is stepped: by :meth:`step`,
:meth:`wait_until` (the contract's way to let time pass) or the helpers built on it. The
physics step is fixed (1.25 ms by default, :data:`DEFAULT_PHYSICS_HZ`; a longer one can be chosen
for sweeps; the arms' setpoints and the screwdriver's curve stay at 1 kHz, the
motor and constraint gains are scaled to the step by :meth:`~sim.world.World.gain`). Everything random is
drawn from generators seeded by ``seed``, and PyBullet itself is deterministic for the same
calls, so the same seed and the same commands give the same run.

Between units, :meth:`SimSystem.next_kit` sends the finished unit out and presents a fresh kit.
With ``state_file`` the world is saved as it changes and restored by ``configure()``: the
physical cell outlives a crashed controller (:mod:`sim.persistence`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from cellctl.config import CellDescription, Pose, load_cell
from cellctl.config.model import CameraSpec
from cellctl.hw import ArmState, HardwareError, HardwareSystem, ToolHandle, ToolResult
from sim.arm import SimArm
from sim.clamps import FixtureClamps
from sim.events import EventLog
from sim.gripper import ParallelGripper
from sim.holes import Holes
from sim.injection import FailurePlan, PlacementFaults, ProcessDrift
from sim.persistence import Persistence
from sim.render import render_png
from sim.screwdriver import Screwdriver
from sim.screws import ScrewFeeder, ScrewVisuals
from sim.tool_base import SimTool
from sim.vacuum import VacuumCup
from sim.world import World

__all__ = ["DEFAULT_PHYSICS_HZ", "SimSystem"]

SETTLE_TIME = 0.01
"""Seconds of physics that let freshly presented parts settle on their stations (one control
period: the supervisor's cycles stay on their grid, and so does the recordings' sample clock)."""
DEFAULT_PHYSICS_HZ = 800.0
"""The physics step rate (1.25 ms steps), chosen by measurement: the largest step that divides the
supervisor's 10 ms control period (8 steps) and keeps every placement of the demo within 0.1 mm of
the 1 ms run (0.0122 mm at most) with every tightening and unit result judged the same, over 50
seeds with failures injected (``benchmarks/faithful_step.py --seeds 50 --steps 1.25``,
docs/benchmarks.md); 0.82 of the 1 ms run's wall time. Against the 1 ms run with the contact model
as it was before (``World.contacts_within_joints``; ``--old-reference``): 0.0304 mm, 0.74. 1.5 ms passed that check too but does not
divide the period (control cycles came 10.5 ms apart, sometimes 4.5 ms, the joint-state stream and
the recordings lost their rate, a held arm was no longer exactly still); 2 ms failed it (0.104 mm).
``physics_hz`` takes another step. Setpoints stay at 1 kHz: the arm's controller model interpolates them at each step's end."""


class SimSystem(HardwareSystem):
    """A PyBullet world built from a cell description (see module docstring).

    Args:
        cell: a cell description, a path to one, or None for the built-in demo cell.
        seed: seeds every random draw (screw process noise, injected failures).
        gui: open PyBullet's GUI (default: headless DIRECT).
        realtime: pace :meth:`wait_until` to the wall clock (for people watching).
        kinematic: set joints exactly instead of driving motors (zero tracking error).
        physics_hz: fixed physics step rate (default :data:`DEFAULT_PHYSICS_HZ`).
        failures: screw failures to inject (default: none).
        state_file: save the world here as it changes and restore it on ``configure()`` when the
            file exists (see :mod:`sim.persistence`); None: every configure starts from a fresh kit.
        drift: a slow drift of the screw process per unit (default: none; see :class:`~sim.injection.ProcessDrift`).
        placement: parts that slip or are lost as they are placed (default: none; see
            :class:`~sim.injection.PlacementFaults`).
    """

    simulated_clock = True
    lean_steps = True
    """Per step, skip what changes nothing: motor targets equal to those PyBullet holds (idle arms) and
    moving visual-only bodies while nobody watches. Results are bit-identical either way (tested); False
    is the reference the benchmark and that test compare against."""

    def __init__(self, cell: CellDescription | str | Path | None = None, *, seed: int = 0, gui: bool = False,
                 realtime: bool = False, kinematic: bool = False, physics_hz: float = DEFAULT_PHYSICS_HZ,
                 failures: FailurePlan | None = None, state_file: str | Path | None = None,
                 drift: ProcessDrift | None = None, placement: PlacementFaults | None = None) -> None:
        super().__init__()
        self.placement = placement or PlacementFaults()
        if not 100.0 <= physics_hz <= 10000.0:
            raise ValueError(f"physics_hz={physics_hz} is out of range; valid: 100 .. 10000")
        self.cell = cell if isinstance(cell, CellDescription) else load_cell(cell)
        self.seed, self.gui, self.realtime, self.kinematic = seed, gui, realtime, kinematic
        self.physics_hz = physics_hz
        self.failures = failures or FailurePlan()
        self.drift = drift or ProcessDrift()
        self.events = EventLog()
        self._world: World | None = None
        self._arms: dict[str, SimArm] = {}
        self._steps = 0
        self._wall_anchor: tuple[float, float] | None = None
        self.holes: Holes | None = None
        self.feeders: list[ScrewFeeder] = []
        self.next_command_id = 1
        """The id :meth:`new_command_id` hands out next (kept across a crash with a state file)."""
        self._persistence = Persistence(self, state_file) if state_file is not None else None

    # ------------------------------------------------------------------ contract
    def now(self) -> float:
        return self._steps / self.physics_hz

    @property
    def arms(self) -> Mapping[str, SimArm]:
        return self._arms

    def on_configure(self) -> None:
        world = World(self.cell, self.physics_hz, gui=self.gui)
        self._world = world
        world.clamps = FixtureClamps(world)
        visuals = ScrewVisuals(world)
        self.holes = Holes(world, self.cell, visuals, self.events)
        self.feeders = [ScrewFeeder(s, self.cell.screws[s.screw], visuals)
                        for s in self.cell.stations.values() if s.type == "screw_feeder" and s.screw]
        for spec in self.cell.arms.values():
            body = world.arms[spec.name]
            tools: dict[str, SimTool] = {}
            vacuum: VacuumCup | None = None
            for tool in sorted(spec.tools.values(), key=lambda t: t.type != "vacuum"):
                if tool.type == "parallel_gripper":
                    tools[tool.name] = ParallelGripper(world, spec.name, body, tool, self.events, self._placed)
                elif tool.type == "vacuum":
                    vacuum = VacuumCup(world, spec.name, body, tool, self.events, self.feeders, visuals)
                    tools[tool.name] = vacuum
                else:
                    tools[tool.name] = Screwdriver(world, spec.name, body, tool, self.events, self.cell, self.holes,
                                                   vacuum, self.failures, self.seed, self.drift)
            self._arms[spec.name] = SimArm(self, world, spec, body, tools, self.kinematic)
        restored = self._persistence.restore() if self._persistence is not None else None
        if restored is None:
            self._settle()
        else:
            self._steps = int(restored["steps"])
            self.next_command_id = int(restored["next_command_id"])
        if self._persistence is not None:
            self._persistence.save()

    def on_activate(self) -> None:
        self._wall_anchor = None

    def on_deactivate(self) -> None:
        for arm in self._arms.values():
            arm._halt()  # noqa: SLF001 - the system owns its arms

    def on_cleanup(self) -> None:
        self._arms = {}
        self.feeders = []
        self.holes = None
        if self._world is not None:
            self._world.close()
            self._world = None

    def on_shutdown(self) -> None:
        self.on_cleanup()

    @property
    def steps(self) -> int:
        """Physics steps taken (the clock is ``steps / physics_hz``)."""
        return self._steps

    # ------------------------------------------------------------------ units and tool results
    def next_kit(self) -> None:
        """The finished unit leaves the cell and a fresh kit is presented.

        Every part goes back to its start slot at rest, the screwed joints and seated screws are
        removed and every hole starts afresh (attempt counters too: they count per unit); then
        the parts settle for a few steps. Call it between units, with the arms clear of the
        start slots and every tool idle and empty-handed.

        Raises:
            HardwareError: an arm still holds a part, or a tool command still runs.
        """
        holes = self.holes
        if holes is None:
            raise HardwareError("the simulation is not configured; call configure() first")
        held = [f"{name} holds {part}" for name, arm in self._arms.items() if (part := arm.held_part()) is not None]
        if held:
            raise HardwareError(f"cannot present the next kit: {', '.join(held)}; place the part and open the "
                                "tool first")
        busy = [f"{name}.{tool.name}" for name, arm in self._arms.items() for tool in arm.tools.values() if tool.busy]
        if busy:
            raise HardwareError(f"cannot present the next kit while tool commands run on {', '.join(busy)}; "
                                "wait for their results")
        holes.reset()
        holes.kit += 1
        for part in self.cell.parts:
            self.world.place_part(part, self.world.start_pose(part))
        self.events.add(self.now(), "next_kit", None, self.cell.name)
        self._settle()
        if self._persistence is not None:
            self._persistence.new_kit()  # saves, and drops the stored results of finished units

    def _placed(self, part: str) -> None:
        """A gripper let ``part`` go: apply the injected placement fault, if any."""
        world = self.world
        if part in self.placement.missing:
            world.place_part(part, Pose(np.array([2.0, 2.0, 0.05]), np.array([0.0, 0.0, 0.0, 1.0])))
            self.events.add(self.now(), "part_lost", None, part, "injected: lost as it was placed")
        elif part in self.placement.shifts:
            dx, dy = self.placement.shifts[part]
            pose = world.part_pose(part)
            world.place_part(part, Pose(pose.position + np.array([dx, dy, 0.0]), pose.quaternion))
            if world.clamps is not None:
                world.clamps.let_go(part)  # where it slipped to: the nest clamps it there
            self.events.add(self.now(), "part_shifted", None, part, f"injected: slipped {dx * 1000:+.2f}, "
                            f"{dy * 1000:+.2f} mm as it was placed")

    def tool_serviced(self, arm: str, tool: str, action: str) -> None:
        """A bit change (``action`` ``bit_change``) on a screwdriver resets its modelled wear
        (see :meth:`sim.screwdriver.Screwdriver.change_bit`)."""
        driver = self.arms[arm].tools.get(tool) if arm in self.arms else None
        if action != "bit_change" or not isinstance(driver, Screwdriver):
            raise HardwareError(f"{arm}.{tool}: the simulation cannot {action.replace('_', ' ')} this tool; valid: "
                                "bit_change on a screwdriver")
        driver.change_bit(self.now())

    def capture(self, camera: CameraSpec, serial: str) -> np.ndarray:
        """The camera's image of the world as it is now (PyBullet's CPU renderer, headless)."""
        from sim.camera import render_camera
        from cellctl.vision.camera import PinholeCamera

        spec = PinholeCamera(camera.resolution[0], camera.resolution[1], camera.fov, camera.pose.matrix)
        return render_camera(self.world.client, spec)

    def new_command_id(self) -> int:
        """A fresh tool-command id (for commands sent without one)."""
        cid, self.next_command_id = self.next_command_id, self.next_command_id + 1
        return cid

    def result_completed(self, arm: str, result: ToolResult, evicted: list[int]) -> None:
        """Called by an arm when a tool command completed (``evicted``: ids it forgot)."""
        if self._persistence is not None:
            self._persistence.result_completed(arm, result, evicted)

    def arm_at_rest(self) -> None:
        """Called by an arm whose motion (or controlled stop) just ended: the world is saved after this step."""
        if self._persistence is not None:
            self._persistence.request()

    def checkpoint(self) -> None:
        """Save the world now if a completion asked for it (outside the physics step)."""
        if self._persistence is not None:
            self._persistence.checkpoint()

    # ------------------------------------------------------------------ time
    @property
    def world(self) -> World:
        """The PyBullet world (configured systems only)."""
        if self._world is None:
            raise HardwareError("the simulation is not configured; call configure() first")
        return self._world

    def step(self, count: int = 1) -> None:
        """Advance ``count`` physics steps."""
        world = self.world
        for _ in range(count):
            t_next = (self._steps + 1) / self.physics_hz
            for arm in self._arms.values():
                arm.command(t_next)
            world.step()
            self._steps += 1
            for feeder in self.feeders:
                feeder.step(t_next)
            for arm in self._arms.values():
                arm.update(t_next)
            if self.gui:
                self._sync_visuals()
            if self._persistence is not None:
                self._persistence.checkpoint()

    def _settle(self) -> None:
        """Step :data:`SETTLE_TIME` (whole steps): freshly presented parts come to rest."""
        self.step(round(SETTLE_TIME * self.physics_hz))

    def wait_until(self, t: float) -> None:
        """Advance the simulation to time ``t`` (no-op if already there); paced to the wall clock if realtime."""
        target = int(round(t * self.physics_hz))
        while self._steps < target:
            self.step(min(target - self._steps, 10))
            if self.realtime:
                self._pace()

    def _pace(self) -> None:
        wall = time.perf_counter()
        if self._wall_anchor is None:
            self._wall_anchor = (wall, self.now())
        ahead = (self.now() - self._wall_anchor[1]) - (wall - self._wall_anchor[0])
        if ahead > 0:
            time.sleep(ahead)

    def run_for(self, seconds: float) -> None:
        """Advance the simulation by ``seconds``."""
        self.wait_until(self.now() + seconds)

    def wait_for(self, handle: ToolHandle, timeout: float = 10.0) -> ToolResult:
        """Step until a tool command finishes; at most ``timeout`` seconds of simulation time.

        Raises:
            TimeoutError: no result within ``timeout`` simulated seconds.
        """
        self._step_while(lambda: not handle.done(), timeout, f"tool command {handle.command_id}")
        return handle.result(timeout=0.0)

    def wait_idle(self, arm: str, timeout: float = 30.0) -> ArmState:
        """Step until an arm has played all its setpoints; at most ``timeout`` s of simulation time."""
        target = self._arms[arm]
        self._step_while(lambda: target.read().is_moving, timeout, f"arm {arm} to finish its motion")
        return target.read()

    def _step_while(self, busy: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = self.now() + timeout
        while busy():
            if self.now() >= deadline:
                raise TimeoutError(f"waited {timeout} s of simulation time for {what}")
            self.step()
            if self.realtime:
                self._pace()

    # ------------------------------------------------------------------ looking at the cell
    def part_pose(self, part: str) -> Pose:
        """World pose of a part's centre."""
        return self.world.part_pose(part)

    def hole_pose(self, hole: str) -> Pose:
        """World pose of a screw hole's entry (z out of the hole)."""
        assert self.holes is not None
        return self.holes.pose(hole)

    def slot_pose(self, station: str, slot: str) -> Pose:
        """World pose of a station slot."""
        return self.world.slot_pose(station, slot)

    def tcp_pose(self, arm: str, tool: str | None = None) -> Pose:
        """World pose of an arm tool's TCP (its first tool when ``tool`` is None)."""
        spec = self.cell.arms[arm]
        tool_spec = spec.tools[tool] if tool is not None else next(iter(spec.tools.values()))
        body = self.world.arms[arm]
        return self.world.link_pose(body.body, body.links[tool_spec.tcp_link])

    def zone_occupants(self, zone: str) -> set[str]:
        """The arms whose TCP is inside an interlock zone now."""
        spec = self.cell.zones[zone]
        frame = self.cell.stations[spec.station].pose.inverse()
        inside = set()
        for arm in spec.arms:
            local = frame.transform(self.tcp_pose(arm).position)
            if abs(local[0]) <= spec.size[0] / 2 and abs(local[1]) <= spec.size[1] / 2 and 0 <= local[2] <= spec.size[2]:
                inside.add(arm)
        return inside

    def _sync_visuals(self) -> None:
        """Visual-only bodies (seated and held screws) to their places: every step in the GUI, else before an image."""
        if self.holes is not None:
            self.holes.sync_visuals()
        for arm in self._arms.values():
            arm.sync_visuals()

    def save_image(self, path: str | Path, **camera: float) -> Path:
        """Write a PNG of the cell with its stations named (software renderer; works headless).
        See :func:`sim.render.render_png`."""
        self._sync_visuals()
        labels = [(name, station.pose.position) for name, station in self.cell.stations.items()]
        return render_png(self.world.client, path, labels=labels, **camera)  # type: ignore[arg-type]
