"""The supervisor: a lifecycle node that builds units, one after another, safely.

Its control loop runs on the backend's clock: every ``control_period`` it lets the backend
reach the next instant (``HardwareSystem.wait_until``: a simulation steps its physics, a
real controller's clock just runs), handles operator requests, ticks the unit's behaviour
tree and publishes the cell's status. Operator requests (pause, resume, abort, e-stop,
reset) come as method calls (from ``cellctl run``'s signal handlers, or from the cell service,
:mod:`cellctl.service.server`, which carries them over Zenoh as ROS 2 services) and take effect at
the next cycle; an e-stop acts at once.

Semantics: pause decelerates every moving arm along its path (each arm's controller ramps its
speed override to 0, however deep its queue) and resume continues exactly there; abort
decelerates, then halts the unit (ABORTED); e-stop
stops every arm at once and nothing moves until ``reset()``. A unit whose tree fails stops
the cell (FAULTED) with a message that says what happened and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from cellctl.config import CellDescription
from cellctl.hw import ArmMode, HardwareError, HardwareSystem, StopKind
from cellctl.journal import Journal, UnitRecord
from cellctl.journal.lifecycle import needing_clearout
from cellctl.quality.monitor import MAINTAINED
from cellctl.quality.monitor import restore as restore_quality
from cellctl.quality.reaction import Reaction, maintained, react
from cellctl.recipe import Recipe
from cellctl.rt import (
    QOS_LATCHED,
    CallbackReturn,
    Context,
    Executor,
    LifecycleNode,
    Parameter,
    ParameterDescriptor,
    ParameterType,
    Range,
    SetParametersResult,
    SimClock,
    State,
    Time,
)
from cellctl.supervisor.builder import build
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.geometry import CellGeometry
from cellctl.supervisor.messages import CellState, CellStatus, RunSummary
from cellctl.supervisor.planning import MotionPlanning
from cellctl.motion import PathError, SampledMotion, plan_linear
from cellctl.supervisor.geometry import lifted
from cellctl.supervisor.streaming import DEFAULT_DEPTH, MotionStream
from cellctl.supervisor.tree import Behaviour, Status
from cellctl.supervisor.tuning import TUNING_PARAMETERS, Tuning

PARAMETERS = (
    ParameterDescriptor("control_period", ParameterType.DOUBLE, 0.01,
                        "seconds between two ticks of the recipe tree", range=Range(0.001, 0.1)),
    ParameterDescriptor("queue_depth", ParameterType.DOUBLE, DEFAULT_DEPTH,
                        "seconds of setpoints kept queued ahead of each arm (capped by its controller's "
                        "queue): a host stall shorter than this does not disturb the motion",
                        range=Range(0.2, 10.0)),
    ParameterDescriptor("speed_override", ParameterType.DOUBLE, 100.0,
                        "percent of the planned speed the arms run at (their controllers scale time)",
                        range=Range(1.0, 100.0)),
    ParameterDescriptor("unit_timeout", ParameterType.DOUBLE, 600.0,
                        "backend seconds a unit may take before the cell faults", range=Range(1.0, 86400.0)),
    ParameterDescriptor("link_grace", ParameterType.DOUBLE, 0.5,
                        "seconds an arm may report LINK_DOWN (its link reconnecting) before the cell faults; "
                        "added to the link's own silence timeout", range=Range(0.0, 60.0)),
    *TUNING_PARAMETERS,
)

class ResumeError(ValueError):
    """The unfinished unit cannot be resumed with this recipe."""


MaterialFlow = Callable[[], None]
"""Called between units: the finished unit leaves the cell and the next kit of parts arrives."""


class Supervisor(LifecycleNode):
    """See module docstring."""

    def __init__(self, context: Context, system: HardwareSystem, cell: CellDescription, recipe: Recipe,
                 journal: Journal, *, next_kit: MaterialFlow | None = None) -> None:
        super().__init__(context, "supervisor", namespace="/cell", parameters=PARAMETERS)
        self.system, self.cell, self.recipe, self.journal = system, cell, recipe, journal
        self.next_kit = next_kit
        self.clock = SimClock()
        self.state = CellState.IDLE
        self.ctx: CellContext | None = None
        self._request: str | None = None
        self._aborted = False
        self._finish_requested = False
        self._tree: Behaviour | None = None
        self._message = ""
        self._hold = False  # the unit in progress stays open (resumable) when it stops
        self._link_down_since: dict[str, float] = {}
        self._maintenance: Reaction | None = None  # the maintenance branch to run after this unit
        self.summary = RunSummary()
        self.status_pub = self.create_publisher(CellStatus, "~/status", QOS_LATCHED)
        self.add_on_set_parameters_callback(self._on_speed_override)

    # ------------------------------------------------------------------ lifecycle
    def on_configure(self, previous: State) -> CallbackReturn:
        self.system.configure()
        self.ctx = CellContext(self.system, self.cell, CellGeometry(self.cell), self.journal,
                               planning=MotionPlanning(threaded=not self.system.simulated_clock))
        if self.recipe.quality is not None:  # SPC and curve checks, their state replayed from the journal
            self.ctx.quality = restore_quality(self.recipe.quality, self.journal)
        return CallbackReturn.SUCCESS

    def on_activate(self, previous: State) -> CallbackReturn:
        self.system.activate()
        return CallbackReturn.SUCCESS

    def on_deactivate(self, previous: State) -> CallbackReturn:
        self.system.deactivate()
        return CallbackReturn.SUCCESS

    def on_cleanup(self, previous: State) -> CallbackReturn:
        if self.ctx is not None:
            self.ctx.planning.shutdown()
        self.system.cleanup()
        return CallbackReturn.SUCCESS

    def on_shutdown(self, previous: State) -> CallbackReturn:
        if self.ctx is not None:
            self.ctx.planning.shutdown()
        self.system.shutdown()
        return CallbackReturn.SUCCESS

    # ------------------------------------------------------------------ operator requests
    def pause(self) -> None:
        """Decelerate along the path and hold there (resume continues)."""
        self._request = "pause"

    def resume(self) -> None:
        self._request = "resume"

    def abort(self) -> None:
        """Decelerate, then end the unit ABORTED."""
        self._request = "abort"

    def hold(self, reason: str | None = None) -> None:
        """Decelerate, then stop the run leaving the unit open (a controlled stop, e.g. SIGTERM):
        ``cellctl run --resume`` continues it. ``reason`` is journaled."""
        self._hold_reason = reason
        self._request = "hold"

    def estop(self) -> None:
        """Stop every arm now; nothing moves until reset()."""
        self._estop()  # not deferred: an e-stop acts at once

    def reset(self, reason: str | None = None) -> None:
        """Clear faults and the e-stop latch on every arm (the cell becomes IDLE); ``reason`` is
        journaled with it.

        Only a stopped cell is reset: while a unit runs (or pauses) this does nothing."""
        if self.state not in (CellState.FAULTED, CellState.ESTOPPED, CellState.IDLE):
            self.journal.event("reset_ignored", f"reset while {self.state.value}", self.system.now(), self._unit_id())
            return
        for arm in self.system.arms.values():
            arm.reset()
        self.journal.event("reset", reason, self.system.now(), self._unit_id())
        self.state, self._message = CellState.IDLE, ""
        self._publish()

    def finish_after_unit(self) -> None:
        """End the current run once the unit in progress is finished (no further units start)."""
        self._finish_requested = True

    def report_fault(self, message: str) -> None:
        """A fault found outside the control loop (e.g. a link lost between two cycles) stops the
        cell as one found inside it does: FAULTED, journaled, until reset."""
        self._fault(message)
        self._publish()

    def _on_speed_override(self, batch: Sequence[Parameter]) -> SetParametersResult:
        """A new speed override reaches the arms at once while a unit runs (paused arms stay held)."""
        for parameter in batch:
            if parameter.name == "speed_override" and self.state is CellState.RUNNING:
                self._set_override(float(parameter.value) / 100.0)  # type: ignore[arg-type]
        return SetParametersResult(True)

    # ------------------------------------------------------------------ the run
    def run(self, units: int, *, resume: bool = False, on_cycle: Callable[[], None] | None = None) -> RunSummary:
        """Build ``units`` units (after finishing a unit a crash left open, with ``resume``)."""
        assert self.ctx is not None, "configure and activate the supervisor first"
        executor = Executor(self.context)
        executor.add_node(self)
        started = time.perf_counter()
        sim_start = self.system.now()
        self.summary = RunSummary()
        self.ctx.queue_depth = float(self.get_parameter("queue_depth"))
        self.ctx.tuning = Tuning.read(self.get_parameter)
        self._set_override(self._speed())
        unfinished = self.journal.unfinished_unit() if resume else None
        index, self._aborted, self._finish_requested = 0, False, False
        while (index < units and self.state in (CellState.IDLE, CellState.RUNNING) and not self._aborted
               and not self._finish_requested and self._request not in ("hold", "abort")):
            unit = self._resume_unit(unfinished) if unfinished else self._new_unit(executor, on_cycle)
            unfinished = None
            if unit is None:  # the clear-out of the previous unit did not finish
                break
            index += 1
            self._run_unit(unit, index, units, executor, on_cycle)
        self.summary.sim_time_s = self.system.now() - sim_start
        self.summary.wall_time_s = time.perf_counter() - started
        self.summary.state, self.summary.message = self.state, self._message or self.summary.message
        executor.remove_node(self)
        return self.summary

    def _new_unit(self, executor: Executor, on_cycle: Callable[[], None] | None) -> UnitRecord | None:
        if not self.clear_out(executor, on_cycle):
            return None
        if self.next_kit is not None:
            self.next_kit()
        unit = self.journal.start_unit(self.recipe.serial_prefix, self.recipe.name, self.recipe.version,
                                       self.cell.name, self.system.now())
        self.journal.event("unit_started", unit.serial, self.system.now(), unit.id)
        return unit

    def _resume_unit(self, unit: UnitRecord) -> UnitRecord:
        if (unit.recipe, unit.recipe_version) != (self.recipe.name, self.recipe.version):
            raise ResumeError(f"unit {unit.serial} was started with recipe {unit.recipe!r} revision "
                              f"{unit.recipe_version!r}; resume it with that recipe (this one is "
                              f"{self.recipe.name!r} revision {self.recipe.version!r})")
        self.journal.close_running_steps(unit.id, self.system.now(), "interrupted (process ended)")
        self.journal.event("resumed", f"continuing {unit.serial} after an interruption", self.system.now(), unit.id)
        self.summary.resumed.append(unit.serial)
        self._back_off_after_interruption()
        return unit

    def clear_out(self, executor: Executor | None = None, on_cycle: Callable[[], None] | None = None) -> bool:
        """Take what the last NOK or aborted unit left in the cell out of it (see
        :mod:`cellctl.supervisor.clearout`); True when the cell is clear (or already was)."""
        from cellctl.supervisor import clearout

        assert self.ctx is not None
        state = needing_clearout(self.journal, self.cell)
        if state is None:
            return True
        tree = clearout.prepare(self.ctx, self.recipe, state)
        self.journal.event("clear_out", f"{state.unit.serial}: {', '.join(state.left_in_cell(self.cell))}",
                           self.system.now(), state.unit.id)
        self._back_off_after_interruption()
        own = executor is None
        if own:
            executor = Executor(self.context)
            executor.add_node(self)
        self.state, self._message = CellState.RUNNING, ""
        status = self._drive(tree, state.unit, executor, on_cycle)
        if own:
            executor.remove_node(self)
        if status is Status.SUCCESS:
            self.journal.event("cleared_out", state.unit.serial, self.system.now(), state.unit.id)
            self.state = CellState.IDLE
            self._publish()
            return True
        if self.state in (CellState.RUNNING, CellState.STOPPING, CellState.IDLE):
            self.state = CellState.FAULTED
            self._message = (f"the clear-out of {state.unit.serial} did not finish "
                             f"({tree.failure or self._message or 'stopped'}); take its parts out of the cell "
                             "by hand, then run 'cellctl recover' again")
        self._publish()
        return False

    def _back_off_after_interruption(self) -> None:
        """An interruption can leave an arm anywhere: a bit in a hole, fingers round a part.
        Before the unit continues, each arm in turn backs straight up from where it stands (when
        a straight move can), so that no step starts a joint move from inside the work. (Going
        home as well would carry a held part through the cell on a path nobody planned.)"""
        assert self.ctx is not None
        for name, geo in self.ctx.geometry.arms.items():
            tool = next(iter(geo.chains))
            q = self.system.arms[name].read().positions
            try:
                up = lifted(geo.fk(tool, q), self.ctx.tuning.recovery_lift)
                lift = plan_linear(geo.chain(tool), q, geo.to_base(up), geo.limits, self.ctx.tuning.approach_limits)
                self._play(name, lift)
            except PathError as exc:
                self.journal.event("back_off", f"{name}: no straight move up from where it stopped ({exc})",
                                   self.system.now(), self._unit_id())

    def _play(self, arm: str, motion: SampledMotion) -> None:
        """Stream one motion to an arm and wait (on the backend's clock) until it has played."""
        assert self.ctx is not None
        stream = MotionStream(self.system.arms[arm], motion, self.ctx.queue_depth, lead=self.ctx.tuning.lead)
        period = float(self.get_parameter("control_period"))
        deadline = self.system.now() + motion.duration / (self._speed() or 1.0) + 5.0
        while not stream.done():
            if self.system.now() > deadline:
                raise HardwareError(f"arm {arm} did not finish backing off within {motion.duration + 5.0:.1f} s")
            stream.pump(self.system.now())
            self.system.wait_next_cycle(period)

    def _run_unit(self, unit: UnitRecord, index: int, total: int, executor: Executor,
                  on_cycle: Callable[[], None] | None) -> None:
        ctx = self.ctx
        assert ctx is not None
        ctx.start_unit(unit)
        self.state, self._message = CellState.RUNNING, ""
        self._unit_index, self._units_total = index, total
        started = self.system.now()
        status = self._drive(build(self.recipe.root, ctx), unit, executor, on_cycle)
        self._end_unit(unit, status, self.system.now() - started)
        if self._maintenance is not None:
            self._maintain(unit, self._maintenance, executor, on_cycle)

    def _drive(self, tree: Behaviour, unit: UnitRecord, executor: Executor,
               on_cycle: Callable[[], None] | None) -> Status:
        """Tick ``tree`` every control period until it ends, the cell stops, or the unit times out."""
        self._tree, self._hold = tree, False
        deadline = self.system.now() + float(self.get_parameter("unit_timeout"))
        period = float(self.get_parameter("control_period"))
        status = Status.RUNNING
        while status is Status.RUNNING and self.state not in (CellState.ESTOPPED,):
            status = self._cycle()
            if status is Status.RUNNING and self.system.now() > deadline:
                self._fault(f"unit {unit.serial} took longer than unit_timeout; check the cell, then reset")
                status = Status.FAILURE
            self._publish()
            if on_cycle is not None:
                on_cycle()
            if status is Status.RUNNING:
                self.system.wait_next_cycle(period)
                # a hardware clock may be re-synchronised (a reconnect): the node's clock never goes back
                self.clock.set_time(max(self.clock.now(), Time.from_seconds(self.system.now())))
                executor.spin_some()
        return status

    def _cycle(self) -> Status:
        """One control period: requests, then the tree (or the streams while pausing)."""
        ctx = self.ctx
        assert ctx is not None and self._tree is not None
        now = self.system.now()
        self._handle_request(now)
        try:
            self._watch_links()
        except HardwareError as exc:
            self._fault(f"hardware fault: {exc}")
            return Status.FAILURE
        if self.state is CellState.RUNNING:
            try:
                status = self._tree.tick()
            except HardwareError as exc:
                self._fault(f"hardware fault: {exc}")
                return Status.FAILURE
            except Exception as exc:  # noqa: BLE001 - last line of defence: stop the arms, keep the record
                self._fault(f"internal error in the supervisor ({type(exc).__name__}: {exc}); the arms were "
                            "stopped; please report this with the journal")
                return Status.FAILURE
            if status is Status.FAILURE:
                self._tree_failed(self._tree.failure or "the recipe failed")
            return status
        if self.state in (CellState.PAUSING, CellState.PAUSED, CellState.STOPPING):
            for stream in list(ctx.streams):
                stream.pump(now)  # keeps the queues full while the arms slow down
            at_rest = self._arms_held()
            if at_rest and self.state is CellState.PAUSING:
                self.state = CellState.PAUSED
            if at_rest and self.state is CellState.STOPPING:
                self._tree.halt()
                ctx.zones.release_all()
                return Status.FAILURE
        return Status.RUNNING

    def _handle_request(self, now: float) -> None:
        request, self._request = self._request, None
        ctx = self.ctx
        assert ctx is not None
        if request is None:
            return
        detail = getattr(self, "_hold_reason", None) if request == "hold" else None
        self.journal.event(request, detail, now, self._unit_id())
        if request == "pause" and self.state is CellState.RUNNING:
            self._set_override(0.0)
            self.state = CellState.PAUSING
        elif request == "resume" and self.state in (CellState.PAUSING, CellState.PAUSED):
            self._set_override(self._speed())
            self.state = CellState.RUNNING
        elif request == "abort" and self.state in (CellState.RUNNING, CellState.PAUSING, CellState.PAUSED):
            self._set_override(0.0)
            self.state, self._message = CellState.STOPPING, "aborted by the operator"
        elif request == "hold" and self.state in (CellState.RUNNING, CellState.PAUSING, CellState.PAUSED):
            self._set_override(0.0)
            self._hold = True
            self.state, self._message = CellState.STOPPING, "stopped by a signal; the unit is left open"

    def _watch_links(self) -> None:
        """Raise HardwareError once an arm has reported LINK_DOWN for longer than ``link_grace``
        (a link that comes back within it resumes its session and nothing is lost)."""
        grace = float(self.get_parameter("link_grace"))
        now = time.monotonic()
        for name, arm in self.system.arms.items():
            down = next((f for f in arm.read().faults if f.name == "LINK_DOWN"), None)
            if down is None:
                self._link_down_since.pop(name, None)
                continue
            since = self._link_down_since.setdefault(name, now)
            if now - since >= grace:
                raise HardwareError(f"arm {name}: lost the link to its controller ({down.message}) "
                                    f"{down.action or ''}".strip())

    def _speed(self) -> float:
        """The operator's speed override as a fraction."""
        return float(self.get_parameter("speed_override")) / 100.0

    def _set_override(self, target: float) -> None:
        """Every arm's controller ramps its speed override to ``target`` (sent to all, then awaited
        by each; an arm whose link is gone is stopped by its controller's watchdog)."""
        for name, arm in self.system.arms.items():
            try:
                arm.set_override(target)
            except HardwareError as exc:
                self.journal.fault(self._unit_id(), name, None, "OVERRIDE_NOT_CONFIRMED", str(exc),
                                   "check the arm's controller and its link", self.system.now())

    def _arms_held(self) -> bool:
        """True once every arm's override has reached 0 (the arms rest on their paths)."""
        return all(arm.read().override <= 0.0 for arm in self.system.arms.values())

    def _estop(self) -> None:
        for name, exc in self.system.stop_arms(StopKind.EMERGENCY).items():
            # a lost link: the controller's watchdog stops that arm
            self.journal.fault(self._unit_id(), name, None, "ESTOP_NOT_CONFIRMED", str(exc),
                               "check the arm's controller and its link", self.system.now())
        self.journal.event("estop", None, self.system.now(), self._unit_id())
        if self._tree is not None and self._tree.status is Status.RUNNING:
            self._tree.halt()
        if self.ctx is not None:
            self.ctx.zones.release_all()
        self.state = CellState.ESTOPPED
        self._message = "emergency stop: nothing moves until reset; check the cell, then reset"
        self._publish()

    def _tree_failed(self, why: str) -> None:
        lost = [name for name, arm in self.system.arms.items() if any(f.name == "LINK_DOWN" for f in arm.read().faults)]
        if lost:
            down = next(f for f in self.system.arms[lost[0]].read().faults if f.name == "LINK_DOWN")
            self._fault(f"hardware fault: arm {lost[0]}: lost the link to its controller ({down.message}) "
                        f"{down.action or ''}".strip())
            return
        hardware = self._journal_arm_faults()
        if hardware:
            self._fault(f"{why}. An arm is faulted: read its fault, make the cell safe, reset, then run again")
            return
        self.state = CellState.FAULTED
        self._message = (f"{why}. The recipe has no recovery for this: clear the unit from the cell, "
                         "fix the cause, then reset and run again")
        self._stop_all(StopKind.CONTROLLED)

    def _journal_arm_faults(self) -> bool:
        """Write every arm's latched faults (code, name, meaning, action) to the journal;
        True when an arm is faulted or e-stopped."""
        faulted = False
        for name, arm in self.system.arms.items():
            state = arm.read()
            faulted |= state.mode in (ArmMode.FAULTED, ArmMode.ESTOPPED)
            for fault in state.faults:
                self.journal.fault(self._unit_id(), name, fault.code, fault.name, fault.message, fault.action,
                                   self.system.now())
        return faulted

    def _fault(self, message: str) -> None:
        self.summary.hardware_fault = True
        self._hold = True  # nothing was judged: the unit stays open, resumable after a reset
        self.state, self._message = CellState.FAULTED, message
        self.journal.fault(self._unit_id(), "supervisor", None, "CELL_FAULT", message, "reset after fixing the cause",
                           self.system.now())
        self._stop_all(StopKind.CONTROLLED)

    def _stop_all(self, kind: StopKind) -> None:
        if self._tree is not None and self._tree.status is Status.RUNNING:
            self._tree.halt()
        self.system.stop_arms(kind)  # an arm whose link is gone is stopped by its controller's watchdog
        if self.ctx is not None:
            self.ctx.zones.release_all()

    def _end_unit(self, unit: UnitRecord, status: Status, duration: float) -> None:
        ctx = self.ctx
        assert ctx is not None
        self.journal.event("unit_time", f"{duration:.6f}", self.system.now(), unit.id)
        if self._hold:
            self.journal.event("unit_held", self._message, self.system.now(), unit.id)
            self.summary.held.append(unit.serial)
            self._aborted = True  # no further units in this run
            if self.state is CellState.STOPPING:
                self.state = CellState.IDLE
            self._publish()
            return
        duration = self.journal.unit_time(unit.id)
        if self.state in (CellState.STOPPING, CellState.ESTOPPED):
            result, reason = "ABORTED", self._message
            self.summary.units_aborted += 1
            self._aborted = True  # the operator stopped the run: no further units
            if self.state is CellState.STOPPING:
                self.state = CellState.IDLE
        elif status is Status.SUCCESS and not ctx.rejected:
            result, reason = "OK", None
            self.summary.units_ok += 1
            self.summary.cycle_times.append(duration)
        else:
            result = "NOK"
            reason = "; ".join(ctx.rejected) or (self._tree.failure if self._tree else None) or self._message
            self.summary.units_nok += 1
            if status is Status.SUCCESS:
                self.summary.cycle_times.append(duration)
        self.journal.end_unit(unit.id, result, reason, self.system.now())
        self.summary.serials.append(unit.serial)
        self._react_to_quality(unit)
        if self.state is CellState.RUNNING:
            self.state = CellState.IDLE
        self._publish()

    def _maintain(self, unit: UnitRecord, reaction: Reaction, executor: Executor,
                  on_cycle: Callable[[], None] | None) -> None:
        """Run the recipe's maintenance branch that answers a unit's quality alarms (``on_alarm:
        maintain``), its steps journaled under that unit; a failed branch stops the cell (FAULTED).
        Nothing moves after an abort or an e-stop: the branch is then not run, and the alarm says so."""
        assert self.ctx is not None and self.ctx.quality is not None and reaction.maintenance is not None
        self._maintenance, started = None, self.system.now()
        if self.state is not CellState.IDLE or self._aborted:
            effect = maintained(self.ctx.quality, self.journal, reaction, unit.serial,
                                f"not run, the cell was stopped ({self.state.value}); do the maintenance by hand", 0.0)
            self.journal.event("maintenance_skipped", effect, started, unit.id)
            return
        self.journal.event("maintenance", reaction.maintenance, started, unit.id)
        self.state, self._message = CellState.RUNNING, ""
        tree = build(self.recipe.maintenance[reaction.maintenance], self.ctx)
        ok = self._drive(tree, unit, executor, on_cycle) is Status.SUCCESS
        failure = None if ok else f"failed: {tree.failure or self._message or 'stopped'}; the cell stopped"
        effect = maintained(self.ctx.quality, self.journal, reaction, unit.serial, failure,
                            self.system.now() - started)
        self.journal.event(MAINTAINED if ok else "maintenance_failed", effect, self.system.now(), unit.id)
        if ok:
            self.state = CellState.IDLE
            self._quality_warning = effect
        elif self.state in (CellState.RUNNING, CellState.IDLE):
            self.state = CellState.FAULTED
        self._message = self._message if ok else f"{effect}. {self._message}".strip()
        self._publish()

    def _react_to_quality(self, unit: UnitRecord) -> None:
        """The recipe's reaction to the unit's quality alarms: a warning on the status, or the run ends here."""
        if self.ctx is None or self.ctx.quality is None:
            return
        remaining = max(0, getattr(self, "_units_total", 0) - getattr(self, "_unit_index", 0))
        reaction = react(self.ctx.quality, self.journal, unit.serial, remaining)
        self._maintenance = reaction if reaction.maintenance is not None else None
        if reaction.warning:
            self._quality_warning = reaction.warning
            self.summary.spc_alarms.extend(reaction.alarms)
            self.journal.event("quality_alarm", reaction.warning, self.system.now(), unit.id)
        if reaction.pause:
            self._finish_requested = True
            self.summary.message, self.summary.quality_paused = reaction.warning, True

    def _unit_id(self) -> int | None:
        return self.ctx.unit.id if self.ctx is not None and self.ctx.unit is not None else None

    def _publish(self) -> None:
        ctx = self.ctx
        unit = ctx.unit.serial if ctx is not None and ctx.unit is not None else None
        arms = tuple(sorted(ctx.current.items())) if ctx is not None else ()
        self.status_pub.publish(CellStatus(
            self.state, self.system.now(), unit, getattr(self, "_unit_index", 0), getattr(self, "_units_total", 0),
            arms, self.summary.units_ok, self.summary.units_nok, self._message or getattr(self, "_quality_warning", "")))
