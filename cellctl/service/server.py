"""The cell as a long-lived service: the supervisor's lifecycle node carried on Zenoh.

One thread owns the hardware, the journal and the supervisor: the loop in :meth:`CellService.run`.
While no goal runs it advances the backend by short steps (paced to the wall clock in simulation)
and publishes joint states; when a BuildUnits goal is accepted it calls ``Supervisor.run`` (the
code ``cellctl run`` uses) with :meth:`CellService.poll` as the per-cycle hook, so requests are
taken and answered between two control cycles, never on a Zenoh thread. While the backend
clock waits for the wall clock, requests are taken and joint states published at their own rate
(in simulation, joint values change once per control period; a controller's change as it reports). A client that goes away
changes nothing: only an explicit, authorised command starts or stops motion.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cellctl.cli.run import MAX_UNITS
from cellctl.config import CellDescription
from cellctl.hw import HardwareError, HardwareSystem
from cellctl.rt import InvalidParameterError, ParameterRejectedError, State
from cellctl.service import interfaces as ifc
from cellctl.service.access import Access
from cellctl.service.feed import ObservedJournal
from cellctl.service.messages import joint_state
from cellctl.service.params import parameter_value, python_value
from cellctl.service.wire import Request, WireNode, WireService, stamp
from cellctl.supervisor import CellState, CellStatus, Supervisor

COMMANDS = ("pause", "resume", "abort", "estop", "reset")

_ANY = frozenset(CellState)
VALID_IN: dict[str, frozenset[CellState]] = {
    "pause": frozenset({CellState.RUNNING}),
    "resume": frozenset({CellState.PAUSING, CellState.PAUSED}),
    "abort": frozenset({CellState.RUNNING, CellState.PAUSING, CellState.PAUSED}),
    "estop": _ANY,
    "reset": frozenset({CellState.FAULTED, CellState.ESTOPPED, CellState.IDLE}),
}
"""The cell states each command means something in; elsewhere it is answered 'nothing to do'."""

_FINISHED_KEPT = 16  # results of finished goals kept for late GetResult calls


@dataclass
class Goal:
    """A BuildUnits goal: ``units`` (0 = until cancelled) and, once done, its result."""

    goal_id: bytes
    units: int
    origin: str
    cancelled: bool = False
    status: int = ifc.STATUS_EXECUTING
    result: dict[str, Any] | None = None
    waiting: list[Request] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=stamp)
    """When it was accepted (``builtin_interfaces/Time``): the stamp of its GoalInfo."""


class Pacer:
    """Keeps the backend clock from running ahead of ``rate`` × the wall clock (simulation only),
    calling ``tick`` while it waits so that publishing and requests go on at their own rate."""

    def __init__(self, clock: Callable[[], float], rate: float | None) -> None:
        self.clock, self.rate = clock, rate
        self._anchor: tuple[float, float] | None = None

    def pace(self, tick: Callable[[], float]) -> None:
        """Call ``tick`` (it returns when it next wants to run, on ``time.perf_counter``) until the
        wall clock has caught up with the backend clock; at least once."""
        due = tick()
        if not self.rate:
            return
        wall, cell = time.perf_counter(), self.clock()
        if self._anchor is None:
            self._anchor = (wall, cell)
        target = self._anchor[0] + (cell - self._anchor[1]) / self.rate
        if target < wall - 0.25:  # fell behind (a slow step): carry on from here rather than rush
            self._anchor = (wall, cell)
            return
        while (now := time.perf_counter()) < target:
            time.sleep(max(0.0, min(target, due) - now))
            due = tick()


class CellService:
    """See module docstring. ``pace``: simulation speed relative to the wall clock (None: as fast
    as it goes, for a real controller whose clock paces itself)."""

    def __init__(self, supervisor: Supervisor, system: HardwareSystem, cell: CellDescription,
                 journal: ObservedJournal, node: WireNode, access: Access, *, pace: float | None = 1.0,
                 joint_rate: float = 100.0, on_tick: Callable[[], None] | None = None) -> None:
        self.supervisor, self.system, self.cell, self.journal = supervisor, system, cell, journal
        self.node, self.access = node, access
        self.pacer = Pacer(system.now, pace)
        self.joint_period = 1.0 / joint_rate
        self.on_tick = on_tick  # called on every pass of the loop (a recording samples the arms)
        self.goal: Goal | None = None
        self.finished: OrderedDict[bytes, Goal] = OrderedDict()
        self.stop_requested = False
        self._stopping_unit = False
        self._next_joints = 0.0
        self._last_status: tuple | None = None
        self._last_cheap: tuple | None = None
        journal.add_listener(self._on_record)
        self._declare()

    # ------------------------------------------------------------------ entities
    def _declare(self) -> None:
        node = self.node
        self.status_pub = node.publisher("~/status", "cellctl_msgs/msg/CellStatus", latched=True)
        self.joint_pubs = {arm: node.publisher(f"/{node.id.namespace.strip('/')}/{arm}/joint_states",
                                               "sensor_msgs/msg/JointState") for arm in self.system.arms}
        self.event_pubs = {kind: node.publisher(f"~/{topic}", type_name)
                           for kind, (topic, type_name) in ifc.EVENTS.items()}
        self.feedback_pub = node.publisher("~/build_units/_action/feedback", "cellctl_msgs/action/BuildUnits_FeedbackMessage")
        self.goal_status_pub = node.publisher("~/build_units/_action/status", "action_msgs/msg/GoalStatusArray",
                                              latched=True)
        self.services: dict[str, tuple[WireService, Callable[[Request], None]]] = {
            name: (node.service(f"~/{name}", ifc.TRIGGER), self._command_handler(name)) for name in COMMANDS}
        for name, kind, handler in (
                ("~/state", ifc.GET_CELL_STATUS, self._state),
                ("~/get_state", ifc.GET_STATE, self._lifecycle_state),
                ("~/get_parameters", ifc.GET_PARAMETERS, self._get_parameters),
                ("~/set_parameters", ifc.SET_PARAMETERS, self._set_parameters),
                ("~/build_units/_action/send_goal", ifc.SEND_GOAL, self._send_goal),
                ("~/build_units/_action/get_result", ifc.GET_RESULT, self._get_result),
                ("~/build_units/_action/cancel_goal", ifc.CANCEL_GOAL, self._cancel_goal)):
            self.services[name] = (node.service(name, kind), handler)

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        """Serve until :attr:`stop_requested` (a signal handler sets it); the supervisor must be active."""
        while not self.stop_requested:
            if self.goal is not None and self.goal.result is None:
                self._run_goal(self.goal)
                continue
            self.system.wait_next_cycle(self._control_period())
            self.pacer.pace(self.tick)

    def tick(self) -> float:
        """One pass: requests, joint states when due, status when changed. Returns when the next
        joint states are due (``time.perf_counter``)."""
        for service, handler in self.services.values():
            for request in service.take():
                handler(request)
        if self.on_tick is not None:
            self.on_tick()
        now = time.perf_counter()
        if now >= self._next_joints:
            self._publish_joints()
            self._next_joints = max(self._next_joints + self.joint_period, now - self.joint_period)
        self._publish_status()
        if self.stop_requested and self.supervisor.state in VALID_IN["abort"] and not self._stopping_unit:
            self._stopping_unit = True  # a signal ends the process: the unit ends ABORTED, controlled
            self.journal.event("command", "abort from a signal: the service is stopping", self.system.now())
            self.supervisor.abort()
        return self._next_joints

    def _on_cycle(self) -> None:
        self.pacer.pace(self.tick)

    def _control_period(self) -> float:
        return float(self.supervisor.get_parameter("control_period"))

    def _run_goal(self, goal: Goal) -> None:
        units = goal.units or MAX_UNITS
        failed = False
        try:
            # A unit left open (by a fault here, or by an earlier process and 'serve --resume': serve
            # refuses to start over one otherwise) is continued first, never built anew.
            summary = self.supervisor.run(units, resume=True, on_cycle=self._on_cycle)
        except HardwareError as exc:
            self.supervisor.report_fault(f"hardware fault: {exc}")
            summary = self.supervisor.summary
        except ValueError as exc:  # ResumeError: the open unit belongs to another recipe
            self.journal.event("goal_failed", str(exc), self.system.now())
            summary, failed = self.supervisor.summary, True
            summary.message = str(exc)
        aborted = failed or summary.units_aborted or summary.hardware_fault or summary.units_nok
        goal.status = (ifc.STATUS_ABORTED if aborted else ifc.STATUS_CANCELED if goal.cancelled and
                       len(summary.serials) < units else ifc.STATUS_SUCCEEDED)
        goal.result = {"serials": list(summary.serials), "units_ok": summary.units_ok, "units_nok": summary.units_nok,
                       "units_aborted": summary.units_aborted, "state": self.supervisor.state.value,
                       "message": summary.message or self.status()["message"]}
        self.journal.event("goal_ended", f"{goal.goal_id.hex()} from {goal.origin}: {len(summary.serials)} unit(s), "
                           f"{summary.units_ok} OK, {summary.units_nok} NOK, {summary.units_aborted} aborted",
                           self.system.now())
        for request in goal.waiting:
            self._answer_result(request, goal)
        goal.waiting.clear()
        self.finished[goal.goal_id] = goal
        while len(self.finished) > _FINISHED_KEPT:
            self.finished.popitem(last=False)
        self._publish_goal_statuses()
        self._publish_status()

    # ------------------------------------------------------------------ publishing
    def _publish_goal_statuses(self) -> None:
        """The action's status topic, as a ROS 2 action server keeps it: every goal it still
        knows (the running one and the last finished ones), with its status."""
        goals = list(self.finished.values())
        if self.goal is not None and self.goal.goal_id not in self.finished:
            goals.append(self.goal)
        self.goal_status_pub.publish({"status_list": [
            {"goal_info": {"goal_id": {"uuid": g.goal_id}, "stamp": g.accepted}, "status": g.status} for g in goals]})

    def _publish_joints(self) -> None:
        now = stamp()
        for name, arm in self.system.arms.items():
            state = arm.read()
            self.joint_pubs[name].publish(joint_state(now, self.cell.arms[name].joints, state.positions,
                                                      state.velocities, state.efforts))

    def status(self) -> dict[str, Any]:
        """The cell's status as a ``cellctl_msgs/CellStatus`` (from the supervisor's latched topic)."""
        history = self.supervisor.status_pub.history()
        latest: CellStatus = history[-1] if history else CellStatus(self.supervisor.state, self.system.now())
        until_stopped = self.goal is not None and self.goal.result is None and self.goal.units == 0
        return {"stamp": stamp(), "state": self.supervisor.state.value,
                "lifecycle": self.supervisor.current_state.name.lower(), "cell_time": float(latest.time),
                "unit": latest.unit or "", "unit_index": latest.unit_index,
                "units_total": 0 if until_stopped else latest.units_total,
                "arms": [{"arm": arm, "activity": what} for arm, what in latest.arms],
                "units_ok": latest.units_ok, "units_nok": latest.units_nok,
                "message": latest.message if latest.state is self.supervisor.state else ""}

    def _publish_status(self) -> None:
        """Publish the status when the supervisor published a new one or changed state."""
        history = self.supervisor.status_pub.history()
        cheap = (self.supervisor.state, history[-1] if history else None, self.supervisor.current_state,
                 self.goal.result is None if self.goal else None)
        if cheap == self._last_cheap:
            return
        self._last_cheap = cheap
        status = self.status()
        key = tuple((k, repr(v)) for k, v in status.items() if k not in ("stamp", "cell_time"))
        if key != self._last_status:
            self._last_status = key
            self.status_pub.publish(status)

    def _on_record(self, kind: str, fields: dict[str, Any]) -> None:
        self.event_pubs[kind].publish({"stamp": stamp(), **fields})
        goal = self.goal
        if kind == "step" and goal is not None and goal.result is None:
            status = self.status()
            self.feedback_pub.publish({"goal_id": {"uuid": goal.goal_id}, "feedback": {
                "unit": fields["unit"], "unit_index": status["unit_index"], "units_total": status["units_total"],
                "step": fields["path"], "step_result": fields["result"], "state": status["state"]}})

    # ------------------------------------------------------------------ requests
    def _authorised(self, service: WireService, request: Request, what: str) -> bool:
        """Check the token; a refusal is answered, journaled, and False returned."""
        why = self.access.refusal(request.parameters.get("token"))
        if why is None:
            return True
        self.journal.event("command_refused", f"{what} from {_origin(request)}: {why}", self.system.now())
        service.refuse(request, why)
        return False

    def _command_handler(self, name: str) -> Callable[[Request], None]:
        def handle(request: Request) -> None:
            service = self.services[name][0]
            if not self._authorised(service, request, name):
                return
            state = self.supervisor.state
            if state not in VALID_IN[name]:
                outcome, ok = f"nothing to {name}: the cell is {state.value}", False
            else:
                getattr(self.supervisor, name)()
                outcome, ok = f"{name} requested (the cell was {state.value})", True
            self.journal.event("command", f"{name} from {_origin(request)}: {outcome}", self.system.now())
            service.reply(request, {"success": ok, "message": outcome})
            self._publish_status()
        return handle

    def _state(self, request: Request) -> None:
        self.services["~/state"][0].reply(request, {"status": self.status()})

    def _lifecycle_state(self, request: Request) -> None:
        state: State = self.supervisor.current_state
        self.services["~/get_state"][0].reply(request, {"current_state": {"id": int(state),
                                                                           "label": state.name.lower()}})

    def _get_parameters(self, request: Request) -> None:
        service = self.services["~/get_parameters"][0]
        values = []
        for name in request.message["names"]:
            if name not in self.supervisor.parameters.names():
                service.refuse(request, f"no parameter {name!r}; valid: {', '.join(self.supervisor.parameters.names())}")
                return
            values.append(parameter_value(self.supervisor.get_parameter(name)))
        service.reply(request, {"values": values})

    def _set_parameters(self, request: Request) -> None:
        service = self.services["~/set_parameters"][0]
        if not self._authorised(service, request, "set_parameters"):
            return
        results = []
        for parameter in request.message["parameters"]:
            name, value = parameter["name"], python_value(parameter["value"])
            try:
                self.supervisor.set_parameters({name: value})
                results.append({"successful": True, "reason": ""})
                self.journal.event("parameter", f"{name}={value!r} from {_origin(request)}", self.system.now())
            except (InvalidParameterError, ParameterRejectedError, KeyError, ValueError) as exc:
                results.append({"successful": False, "reason": str(exc).strip("'\"")})
        service.reply(request, {"results": results})

    def _send_goal(self, request: Request) -> None:
        service = self.services["~/build_units/_action/send_goal"][0]
        if not self._authorised(service, request, "start"):
            return
        units = int(request.message["goal"]["units"])
        why = self._cannot_start(units)
        if why is not None:
            self.journal.event("command_refused", f"start from {_origin(request)}: {why}", self.system.now())
            service.refuse(request, why)
            return
        goal_id = bytes(request.message["goal_id"]["uuid"])
        self.goal = Goal(goal_id, units, _origin(request))
        count = "until stopped" if units == 0 else f"{units} unit(s)"
        self.journal.event("command", f"start {count} from {_origin(request)}: goal {goal_id.hex()}", self.system.now())
        service.reply(request, {"accepted": True, "stamp": self.goal.accepted})
        self._publish_goal_statuses()

    def _cannot_start(self, units: int) -> str | None:
        if units > MAX_UNITS:
            return f"units must be 0 (until stopped) .. {MAX_UNITS}, got {units}"
        if self.goal is not None and self.goal.result is None:
            return f"the cell is already building units (goal {self.goal.goal_id.hex()}); cancel or abort it first"
        if self.supervisor.current_state is not State.ACTIVE:
            return f"the supervisor is {self.supervisor.current_state.name.lower()}, not active"
        if self.supervisor.state is not CellState.IDLE:
            return f"the cell is {self.supervisor.state.value}; reset it first"
        if self.stop_requested:
            return "the service is shutting down"
        return None

    def _get_result(self, request: Request) -> None:
        goal_id = bytes(request.message["goal_id"]["uuid"])
        goal = self.goal if self.goal is not None and self.goal.goal_id == goal_id else self.finished.get(goal_id)
        if goal is None:
            self.services["~/build_units/_action/get_result"][0].refuse(request, f"unknown goal {goal_id.hex()}")
        elif goal.result is None:
            goal.waiting.append(request)  # answered when the goal ends
        else:
            self._answer_result(request, goal)

    def _answer_result(self, request: Request, goal: Goal) -> None:
        self.services["~/build_units/_action/get_result"][0].reply(request, {"status": goal.status,
                                                                             "result": goal.result})

    def _cancel_goal(self, request: Request) -> None:
        service = self.services["~/build_units/_action/cancel_goal"][0]
        if not self._authorised(service, request, "cancel"):
            return
        goal = self.goal
        if goal is None or goal.result is not None:
            service.reply(request, {"return_code": 3, "goals_canceling": []})  # ERROR_GOAL_TERMINATED
            return
        goal.cancelled = True
        self.supervisor.finish_after_unit()
        self.journal.event("command", f"cancel from {_origin(request)}: the run ends after the unit in progress",
                           self.system.now())
        goal.status = ifc.STATUS_CANCELING
        service.reply(request, {"return_code": 0, "goals_canceling": [
            {"goal_id": {"uuid": goal.goal_id}, "stamp": goal.accepted}]})
        self._publish_goal_statuses()

    def close(self) -> None:
        """Withdraw every entity and liveliness token."""
        for service, _ in self.services.values():
            service.close()
        for publisher in (self.status_pub, self.feedback_pub, self.goal_status_pub, *self.joint_pubs.values(),
                          *self.event_pubs.values()):
            publisher.close()
        self.node.close()


def _origin(request: Request) -> str:
    return request.parameters.get("origin") or "an unnamed client"
