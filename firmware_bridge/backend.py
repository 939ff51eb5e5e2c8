"""``SerialSystem`` / ``SerialArm``: the ``cellctl.hw`` contract over a :class:`~firmware_bridge.host.HostLink`.

One system per controller link, one arm per controller. Public methods run on the caller's
thread and only touch shared state under a lock; the link's I/O thread sends what they queued
(``on_tick``) and delivers what arrives (``on_message``). Setpoints are buffered on the host and
streamed ahead under flow control: never more in flight than the controller's queue has room for.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from cellctl.hw.errors import HardwareError, LinkLost, MotionRefused, OutcomeUnknown
from cellctl.hw.interface import ArmInterface, HardwareSystem, ToolCommand, validate_setpoints
from cellctl.hw.tools import BackOutCommand, GripperCommand, ScrewProgram, ToolHandle, ToolResult
from cellctl.hw.types import ArmMode, ArmState, StopKind
from firmware_bridge.errors import ErrorCode, describe, fault
from firmware_bridge.frames import (
    OVERRIDE_SCALE, POSITION_SCALE, SETPOINTS_END, SETPOINTS_NEW_MOTION, STATUS_ENABLED, VELOCITY_SCALE, BackOut, Enable, Event,
    Gripper, HelloAck, Marker, Message, OverrideMsg, Reset, Screw, Setpoints, Status, Stop, ToolCurve,
    ToolProgress, ToolQuery, ToolResultMsg,
)
from firmware_bridge.framesize import FrameSizer, window_floor
from firmware_bridge.host import HostLink, LinkOptions, LinkStats
from firmware_bridge.link import seq_diff

__all__ = ["SerialSystem", "SerialArm"]

log = logging.getLogger(__name__)

_FAILURE_CLASS = {
    ErrorCode.TORQUE_LOW: "torque_low", ErrorCode.TORQUE_HIGH: "torque_high",
    ErrorCode.ANGLE_LOW: "angle_low", ErrorCode.ANGLE_HIGH: "angle_high",
    ErrorCode.TOOL_TIMEOUT: "timeout", ErrorCode.TOOL_ABORTED: "aborted", ErrorCode.NO_PART: "no_part",
    ErrorCode.NO_SCREW: "no_screw",
}
_INT32 = 2**31 - 1


BUSY_STALLS = 3
"""I/O-loop stalls in the last 10 s from which a host counts as busy (see ``SerialArm._start_delay_us``)."""
BUSY_DELAY_MAX = 0.3
"""The most a busy host delays a motion from rest, seconds."""


def start_delay(noisy_rto: float | None, stalls: list[float]) -> float:
    """Seconds a motion from rest starts later than stamped (see ``SerialArm._start_delay_us``):
    ``noisy_rto`` the retransmission timeout once the line has shown errors (None on a clean one),
    ``stalls`` the host's recent I/O-loop stalls."""
    noisy = min(0.5, max(0.2, 4.0 * noisy_rto)) if noisy_rto is not None else 0.0
    ordered = sorted(stalls)
    busy = min(BUSY_DELAY_MAX, 2.0 * ordered[len(ordered) // 2]) if len(ordered) >= BUSY_STALLS else 0.0
    return max(noisy, busy)


@dataclass
class _Stream:
    """Setpoints submitted together, cut into SETPOINTS frames only as they are sent, so that the
    frame size follows the line's error rate at sending time (:class:`FrameSizer`)."""

    gen: int
    times: np.ndarray
    positions: np.ndarray
    final: bool
    new_motion: bool

    def __len__(self) -> int:
        return len(self.times)

    def extend(self, times: np.ndarray, positions: np.ndarray, final: bool) -> None:
        """Append the next setpoints of the same motion."""
        self.times = np.concatenate((self.times, times))
        self.positions = np.concatenate((self.positions, positions))
        self.final = final

    def take(self, count: int) -> Setpoints:
        """The next frame of at most ``count`` setpoints (NEW_MOTION on the first, END on the last)."""
        times, positions = self.times[:count], self.positions[:count]
        self.times, self.positions = self.times[count:], self.positions[count:]
        flags = SETPOINTS_END if (self.final and not len(self.times)) else 0
        flags |= SETPOINTS_NEW_MOTION if self.new_motion else 0
        self.new_motion = False
        return Setpoints(self.gen, flags, times, positions)


@dataclass
class _ToolRun:
    handle: ToolHandle
    is_screw: bool
    message: Message | None  # None: a question only (tool_outcome), nothing to send after NOT_STARTED
    querying: bool = False  # a TOOL_QUERY is out; the command is sent only if the answer is NOT_STARTED
    curve: dict[int, np.ndarray] = field(default_factory=dict)


class SerialArm(ArmInterface):
    """The arm behind one controller link; created by :class:`SerialSystem`."""

    OOB_RESEND = 0.02

    def __init__(self, system: "SerialSystem", name: str, max_batch: int, seed: int | None) -> None:
        self._system = system
        self._name = name
        self._requested_batch = max_batch
        self.frame_sizer = FrameSizer(36, max_batch)
        """Chooses setpoints per frame from the line's error rate (replaced at each new session)."""
        self._cond = threading.Condition()
        self._dof = 0
        self._capacity = 0
        self._status: Status | None = None
        self._outbox: deque[Message | _Stream] = deque()
        self._pending_setpoints = 0
        self._sent_setpoints = 0
        self._motion_delay_us = 0
        self._sync_sent = True
        self._gen = 0
        self._oob_ids = itertools.count(1)
        self._oob: Message | None = None
        self._oob_due = 0.0
        self._oob_acked = 0
        self._markers = itertools.count(1)
        self._host_faults: list[int] = []
        self._link_up = False
        self._had_session = False
        self._tools: dict[int, _ToolRun] = {}
        self._tool_ids = itertools.count(random.Random(seed).getrandbits(31) + 1)
        self.events: deque[Event] = deque(maxlen=256)
        """Recent controller events (refusals and latched faults), newest last."""

    # ------------------------------------------------------------------ ArmInterface
    @property
    def name(self) -> str:
        return self._name

    @property
    def dof(self) -> int:
        return self._dof

    def read(self) -> ArmState:
        with self._cond:
            status = self._status
            if status is None:
                raise HardwareError(f"arm {self._name!r} has no state yet; configure() the system first")
            codes = list(status.faults) + self._host_faults
            faults = [fault(c) for c in codes]
            if not self._link_up:
                faults.append(replace(fault(ErrorCode.LINK_DOWN), message=(
                    f"no connection to the controller on {self._system.url} (no valid frame for "
                    f"{self._system.options.silence_timeout} s; the host keeps reconnecting)"),
                    action=("check that the controller is powered and running, and the cable, USB adapter "
                            "or network to it; then 'cellctl reset' and 'cellctl run --resume'")))
            in_flight = max(0, self._sent_setpoints - status.processed) if not self._sync_sent else 0
            return ArmState(
                time=status.time_us * 1e-6,
                positions=status.positions / POSITION_SCALE,
                velocities=status.velocities / VELOCITY_SCALE,
                mode=ArmMode(status.mode) if not self._host_faults else ArmMode.FAULTED,
                faults=tuple(faults),
                queue_depth=status.queue_depth + self._pending_setpoints + in_flight,
                path_time=status.tau_us * 1e-6,
                override=status.override / OVERRIDE_SCALE,
            )

    @property
    def queue_capacity(self) -> int:
        return self._capacity

    def submit(self, times: np.ndarray, positions: np.ndarray, *, final: bool = True,
               new_motion: bool = False) -> None:
        t, q = validate_setpoints(times, positions, self._dof)
        t_us, q_int = self._quantise(t, q)
        with self._cond:
            self._check_motion_allowed()
            if new_motion:
                self._motion_delay_us = self._start_delay_us()
            t_us = t_us + self._motion_delay_us
            if final:
                self._motion_delay_us = 0
            last = self._outbox[-1] if self._outbox else None
            if isinstance(last, _Stream) and last.gen == self._gen and not last.final and not new_motion:
                last.extend(t_us, q_int, final)  # not sent yet: one frame may carry both submits
            else:
                self._outbox.append(_Stream(self._gen, t_us, q_int, final, new_motion))
            self._pending_setpoints += len(t_us)

    def _start_delay_us(self) -> int:
        """How much later than stamped a motion from rest starts (0 on a clean line and a host that
        keeps time).

        A motion from rest has only its lead (50 ms) queued when it starts, and the rest of its
        first fill follows frame by frame. If a frame of its beginning is lost, its retransmission
        must still arrive in time: once the line has shown errors, such a motion starts four
        retransmission timeouts later (0.2 .. 0.5 s: room for a frame lost twice, the second
        timeout doubled). If this host keeps leaving the link unserved (a busy PC: its I/O loop
        stalled at least ``BUSY_STALLS`` times in the last 10 s), the first fill may stall the same
        way: the motion starts twice the median recent stall later (up to 0.3 s), as the controller
        would do with a motion that arrived late. A rare long stall (a GC pause, a stopped process)
        does not slow every motion. A motion joined to one still queued is never moved."""
        status = self._status
        at_rest = (status is not None and status.queue_depth == 0 and self._pending_setpoints == 0
                   and self._sent_setpoints == status.processed)
        link = self._system._link
        if not at_rest or link is None:
            return 0
        stalls = link.recent_stalls()
        delay = start_delay(link.retransmission_timeout if self.frame_sizer.noisy else None, stalls)
        if delay:
            log.debug("%s: motion from rest starts %.0f ms later (error rate %.2g, %d host stalls)",
                      self._name, delay * 1e3, self.frame_sizer.error_rate, len(stalls))
        return round(delay * 1e6)

    def _quantise(self, t: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t_us = np.round(t * 1e6).astype(np.int64)
        steps = np.flatnonzero(np.diff(t_us) <= 0)
        if steps.size:
            raise ValueError(f"times[{steps[0]}] and times[{steps[0] + 1}] fall in the same microsecond; "
                             "the wire resolution of time is 1 µs")
        scaled = np.round(q * POSITION_SCALE)
        too_big = np.argwhere(np.abs(scaled) > _INT32)
        if too_big.size:
            i, j = too_big[0]
            raise ValueError(f"positions[{i}, {j}]={float(q[i, j])!r} rad (joint {j}) exceeds the wire range "
                             f"±{_INT32 / POSITION_SCALE:.1f} rad")
        return t_us, scaled.astype(np.int32)

    def _check_motion_allowed(self) -> None:
        if not self._system.is_active:
            raise MotionRefused(f"arm {self._name!r}: the system is {self._system.lifecycle_state.name.lower()}; "
                                "call activate() before submitting motion")
        self._check_link()
        status = self._status
        codes = (list(status.faults) if status else []) + self._host_faults
        if codes:
            names = ", ".join(f"{fault(c).name} ({c})" for c in codes)
            raise MotionRefused(f"arm {self._name!r} has latched faults: {names}; "
                                f"{fault(codes[0]).action}")
        if status is not None and status.mode == ArmMode.STOPPING:
            raise MotionRefused(f"arm {self._name!r} is still stopping; wait until it is idle, then submit")

    def _check_link(self) -> None:
        if not self._link_up:
            raise LinkLost(f"arm {self._name}: lost the link to its controller on {self._system.url} (the host "
                           "keeps reconnecting); check that the controller is powered and running, and the cable, "
                           "USB adapter or network to it; then 'cellctl reset' and 'cellctl run --resume'")

    def stop(self, kind: StopKind = StopKind.CONTROLLED) -> None:
        kind = StopKind(kind)
        self._out_of_band(lambda oob_id, gen: Stop(oob_id, int(kind), gen), f"{kind.name.lower()} stop")

    def reset(self) -> None:
        with self._cond:
            self._host_faults.clear()
        self._out_of_band(Reset, "reset")

    def set_override(self, target: float) -> None:
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"override target {target!r} must be 0 .. 1")
        value = round(target * OVERRIDE_SCALE)
        self._out_of_band(lambda oob_id, gen: OverrideMsg(oob_id, value), f"override {target:.0%}",
                          discard_queue=False)

    def _out_of_band(self, make: Callable[[int, int], Message], what: str, *, discard_queue: bool = True) -> None:
        timeout = self._system.command_timeout
        with self._cond:
            if discard_queue:
                self._gen = (self._gen + 1) & 0xFFFF
                self._drop_pending_setpoints()
            oob_id = next(self._oob_ids)
            self._oob = make(oob_id, self._gen)
            self._oob_due = 0.0

            def confirmed() -> bool:
                return seq_diff(self._oob_acked, oob_id) >= 0

            # awaited only while the link is up: with the link down nothing can confirm it (the
            # host sends it when the link returns; until then the controller's lease stops the arm)
            self._cond.wait_for(lambda: confirmed() or not self._link_up, timeout)
            if confirmed():
                return
            if not self._link_up:
                raise LinkLost(f"arm {self._name!r}: no link to its controller on {self._system.url}, so the "
                               f"{what} is not confirmed; the host keeps sending it (a controller that still "
                               "hears the host executes it) and the controller's watchdog stops the arm if "
                               "it hears nothing — use the hardware e-stop if it may still be moving")
            raise LinkLost(f"arm {self._name!r}: the controller did not confirm the {what} within "
                           f"{timeout} s; the host keeps sending it — check the link, use the hardware "
                           "e-stop if the arm may still be moving")

    def _drop_pending_setpoints(self) -> None:
        self._outbox = deque(m for m in self._outbox if not isinstance(m, _Stream))
        self._pending_setpoints = 0

    def tool_command(self, command: ToolCommand, *, command_id: int | None = None) -> ToolHandle:
        cid = next(self._tool_ids) & 0xFFFFFFFF if command_id is None else int(command_id)
        if not 0 <= cid <= 0xFFFFFFFF:
            raise ValueError(f"command_id={cid} must fit 32 bits (0 .. 4294967295)")
        with self._cond:
            run = self._tools.get(cid)
            if run is not None:
                return run.handle
            message = _tool_message(command, cid)
            handle = ToolHandle(cid, f"{type(command).__name__} on {self._name}")
            drives = isinstance(command, (ScrewProgram, BackOutCommand))
            # A drive with an id the caller keeps (a journaled tightening) may have run before this
            # host process: ask first, and send it only if the controller never started it.
            run = _ToolRun(handle, drives, message, querying=drives and command_id is not None)
            self._tools[cid] = run
            self._outbox.append(ToolQuery(cid) if run.querying else message)
            return handle

    def tool_outcome(self, command_id: int) -> ToolHandle:
        cid = int(command_id)
        with self._cond:
            run = self._tools.get(cid)
            if run is not None:
                return run.handle
            handle = ToolHandle(cid, f"outcome of tool command {cid} on {self._name}")
            self._tools[cid] = _ToolRun(handle, True, None, querying=True)
            self._outbox.append(ToolQuery(cid))
            return handle

    # ------------------------------------------------------------------ helpers used by the system
    def send_and_wait(self, message: Message, done: Callable[[Status], bool], what: str) -> None:
        """Queue a reliable message and wait until a STATUS satisfies ``done`` (bounded)."""
        timeout = self._system.command_timeout
        with self._cond:
            self._outbox.append(message)
            if not self._cond.wait_for(lambda: self._status is not None and done(self._status), timeout):
                raise LinkLost(f"arm {self._name!r}: the controller did not {what} within {timeout} s; "
                               "check the link and the controller's state")

    def enable(self, on: bool) -> None:
        """Enable or disable the drives and wait until the controller reports it."""
        self.send_and_wait(Enable(int(on)), lambda s: bool(s.flags & STATUS_ENABLED) == on,
                           "enable the drives" if on else "disable the drives")

    def sync(self, timeout: float = 1.0) -> float:
        """A barrier: wait until the controller executed every command queued before; return seconds taken."""
        start = time.monotonic()
        marker = next(self._markers) & 0xFFFFFFFF
        with self._cond:
            self._outbox.append(Marker(marker))
            if not self._cond.wait_for(
                    lambda: self._status is not None and seq_diff(self._status.last_marker, marker) >= 0, timeout):
                raise LinkLost(f"arm {self._name!r}: the controller did not reach marker {marker} within "
                               f"{timeout} s; check the link")
        return time.monotonic() - start

    def wait_status(self, predicate: Callable[[ArmState], bool], timeout: float) -> ArmState:
        """Wait until ``predicate(read())`` holds; raises TimeoutError naming the last state."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                state = self.read() if self._status is not None else None
                if state is not None and predicate(state):
                    return state
                left = deadline - time.monotonic()
                if left <= 0:
                    mode = state.mode.name if state else "no state"
                    raise TimeoutError(f"arm {self._name!r}: condition not met within {timeout} s (mode {mode})")
                self._cond.wait(left)

    # ------------------------------------------------------------------ LinkListener (I/O thread)
    def on_session(self, ack: HelloAck, resumed: bool, lost: list[tuple[int, int, bytes]]) -> None:
        with self._cond:
            self._dof, self._capacity = ack.dof, ack.queue_capacity
            most = min(self._requested_batch, Setpoints.max_count(ack.dof, ack.max_payload))
            if not resumed or most != self.frame_sizer.max_count:
                self.frame_sizer = FrameSizer(8 + 4 * ack.dof, most)
            self._link_up = True
            if not resumed:
                self._new_session(lost)
            self._had_session = True
            self._cond.notify_all()

    def _new_session(self, lost: list[tuple[int, int, bytes]]) -> None:
        if self._had_session:
            self._host_faults.append(ErrorCode.SESSION_RESTARTED)
            log.error("controller behind %s restarted; %d unacknowledged commands lost", self._system.url, len(lost))
        self._drop_pending_setpoints()
        self._outbox.clear()
        self._gen = 0
        self._oob = None
        self._oob_ids = itertools.count(1)
        self._oob_acked = 0
        self._sync_sent = True
        error = LinkLost(f"arm {self._name!r}: the controller restarted before the tool command finished; "
                         "check the part and re-run the operation")
        for cid, run in list(self._tools.items()):
            if run.is_screw:  # never re-sent blindly: ask what became of it (exactly once)
                run.querying, run.curve = True, {}
                self._outbox.append(ToolQuery(cid))
            else:
                run.handle.fail(error)
                del self._tools[cid]

    def on_link_down(self) -> None:
        with self._cond:
            self._link_up = False
            self._cond.notify_all()

    def on_handshaking(self, link: HostLink) -> None:
        with self._cond:
            self._send_oob(link, time.monotonic())

    def _send_oob(self, link: HostLink, now: float) -> None:
        """(Re)send the pending out-of-band command (stop, reset, override) every ``OOB_RESEND``."""
        if self._oob is not None and now >= self._oob_due:
            link.send_unreliable(self._oob)
            self._oob_due = now + self.OOB_RESEND

    def on_tick(self, link: HostLink) -> None:
        with self._cond:
            now = time.monotonic()
            self._send_oob(link, now)
            count = self.frame_sizer.observe(link.line_counts(), window_floor(link.window, link.srtt))
            while self._outbox and link.window_free > 0:
                head = self._outbox[0]
                if isinstance(head, _Stream):
                    batch = min(count, len(head))
                    if not self._credit_for(batch):
                        break
                    self._sent_setpoints += batch
                    self._pending_setpoints -= batch
                    link.send_reliable(head.take(batch))
                    if not len(head):
                        self._outbox.popleft()
                    continue
                link.send_reliable(self._outbox.popleft())

    def _credit_for(self, count: int) -> bool:
        status = self._status
        if status is None or self._sync_sent:
            return False
        in_flight = self._sent_setpoints - status.processed
        return status.queue_depth + in_flight + count <= self._capacity

    def on_message(self, message: Message) -> None:
        with self._cond:
            if isinstance(message, Status):
                self._on_status(message)
            elif isinstance(message, (ToolProgress, ToolCurve, ToolResultMsg)):
                self._on_tool(message)
            elif isinstance(message, Event):
                self._on_event(message)
            self._cond.notify_all()

    def _on_status(self, status: Status) -> None:
        if self._sync_sent:
            self._sent_setpoints = status.processed
            self._sync_sent = False
        elif self._status is not None and status.time_us < self._status.time_us:
            return  # an older STATUS overtaken by a newer one
        self._status = status
        if seq_diff(status.last_oob, self._oob_acked) > 0:
            self._oob_acked = status.last_oob
        if self._oob is not None and seq_diff(self._oob_acked, _oob_id(self._oob)) >= 0:
            self._oob = None

    def _on_event(self, event: Event) -> None:
        self.events.append(event)
        name, meaning, action = describe(event.code)
        log.warning("controller event %s (%d) ref=%d: %s %s", name, event.code, event.ref, meaning, event.text)
        run = self._tools.get(event.ref) if event.code // 100 == 4 else None
        if run is not None:
            del self._tools[event.ref]
            run.handle.fail(HardwareError(f"arm {self._name!r}: the controller refused tool command "
                                          f"{event.ref}: {name} ({event.code}): {meaning} {action}"))

    def _on_tool(self, message: ToolProgress | ToolCurve | ToolResultMsg) -> None:
        run = self._tools.get(message.command_id)
        if run is None:
            return
        if isinstance(message, ToolProgress):
            run.handle.set_progress(message.percent / 100.0)
        elif isinstance(message, ToolCurve):
            run.curve[message.offset] = message.samples
        elif message.code == ErrorCode.NOT_STARTED and run.querying:
            run.querying = False
            if run.message is not None:
                self._outbox.append(run.message)  # the controller never started it: now it runs, once
            else:
                del self._tools[message.command_id]
                run.handle.finish(ToolResult(message.command_id, ok=False, status="NOT_STARTED",
                                             failure_class="not_started",
                                             message="the controller never started this command"))
        elif message.code == ErrorCode.OUTCOME_UNKNOWN:
            del self._tools[message.command_id]
            name, meaning, action = describe(message.code)
            run.handle.fail(OutcomeUnknown(f"arm {self._name!r}, tool command {message.command_id} on "
                                           f"{self._system.url}: {meaning} {action}", message.command_id))
        else:
            run.handle.finish(_tool_result(message, run))
            del self._tools[message.command_id]


def _oob_id(message: Message) -> int:
    assert isinstance(message, (Stop, Reset, OverrideMsg))
    return message.oob_id


def _tool_message(command: ToolCommand, cid: int) -> Message:
    if isinstance(command, GripperCommand):
        return Gripper(cid, int(command.action), round(command.width * 1e6), round(command.force * 1e3),
                       round(command.speed * 1e6))
    if isinstance(command, ScrewProgram):
        return Screw(cid, command.program_id, round(command.target_torque * 1e6), round(command.torque_min * 1e6),
                     round(command.torque_max * 1e6), round(command.angle_min * 1e3),
                     round(command.angle_max * 1e3), round(command.max_speed * 1e3), round(command.timeout * 1e3))
    if isinstance(command, BackOutCommand):
        return BackOut(cid, command.program_id, round(command.max_angle * 1e3), round(command.timeout * 1e3))
    raise TypeError(f"tool command must be a GripperCommand, ScrewProgram or BackOutCommand, "
                    f"got {type(command).__name__}")


def _tool_result(message: ToolResultMsg, run: _ToolRun) -> ToolResult:
    code = ErrorCode(message.code) if message.code in ErrorCode._value2member_map_ else None
    name, meaning, action = describe(message.code)
    chunks = [run.curve[k] for k in sorted(run.curve)]
    samples = np.vstack(chunks) if chunks else np.zeros((0, 2), np.int32)
    status = "OK" if message.ok else ("ABORTED" if code is ErrorCode.TOOL_ABORTED else "NOK")
    nan = float("nan")
    return ToolResult(
        command_id=message.command_id, ok=bool(message.ok), status=status,
        torque=message.torque_unm * 1e-6 if run.is_screw else nan,
        angle=message.angle_mdeg * 1e-3 if run.is_screw else nan,
        width=nan if run.is_screw else message.width_um * 1e-6,
        failure_class=None if message.ok else _FAILURE_CLASS.get(code, name.lower()) if code else name.lower(),
        message="OK" if message.ok else f"{name} ({message.code}): {meaning} {action}",
        curve_time=(np.arange(len(samples)) + 1) * 1e-3,
        curve_torque=samples[:, 0] * 1e-6,
        curve_angle=samples[:, 1] * 1e-3,
    )


class SerialSystem(HardwareSystem):
    """A controller on a serial link (any pyserial URL) as a :class:`~cellctl.hw.HardwareSystem`.

    Args:
        url: device path, ``socket://host:port`` or any other pyserial URL.
        arm_name: the arm's name in the cell description.
        options: link tunables (baud rate, expected configuration hash, timeouts).
        max_batch: most setpoints per frame (default: as many as a frame holds, 28 for 7 joints,
            or fewer if the controller accepts only smaller frames). Within it the frame size adapts
            to the line: frames shrink when retransmissions rise and grow back when the line is
            clean (:class:`~firmware_bridge.framesize.FrameSizer`).
        command_timeout: bound for stop/reset/activate/deactivate confirmations, seconds.
        configure_timeout: bound for connect + handshake, seconds.
        seed: seed for nonces and tool ids (tests); None draws from the OS.
    """

    def __init__(self, url: str, *, arm_name: str = "arm", options: LinkOptions | None = None,
                 max_batch: int = 255, command_timeout: float = 1.0,
                 configure_timeout: float = 5.0, seed: int | None = None) -> None:
        super().__init__()
        if not 1 <= max_batch <= 255:
            raise ValueError(f"max_batch={max_batch} must be 1 .. 255 (it is also capped by the frame size)")
        self.url = url
        self.options = options or LinkOptions()
        self.command_timeout = command_timeout
        self.configure_timeout = configure_timeout
        self._seed = seed
        self._arm = SerialArm(self, arm_name, max_batch, seed)
        self._link: HostLink | None = None

    @property
    def arms(self) -> Mapping[str, SerialArm]:
        return {self._arm.name: self._arm}

    @property
    def arm(self) -> SerialArm:
        """The single arm of this controller."""
        return self._arm

    @property
    def link(self) -> HostLink:
        """The underlying link (statistics, muting for watchdog tests)."""
        if self._link is None:
            raise HardwareError(f"the link to {self.url} is not open; configure() first")
        return self._link

    def link_stats(self) -> LinkStats:
        """Link statistics: frames, bytes, retransmits, CRC errors, disconnects, round-trip time."""
        return self.link.stats()

    def now(self) -> float:
        return self.link.controller_time()

    def clock_offset(self) -> float:
        """Controller clock minus the host's monotonic clock, seconds (the synchronised estimate)."""
        return self.link.clock_offset()

    def on_configure(self) -> None:
        self._link = HostLink(self.url, self._arm, self.options, seed=self._seed)
        self._link.start()
        deadline = time.monotonic() + self.configure_timeout
        self._link.wait_established(self.configure_timeout)
        self._arm.wait_status(lambda s: True, max(0.1, deadline - time.monotonic()))

    def on_activate(self) -> None:
        self._arm.enable(True)

    def on_deactivate(self) -> None:
        state = self._arm.read()
        if state.is_moving:
            self._arm.stop(StopKind.CONTROLLED)
            self._arm.wait_status(lambda s: s.mode is not ArmMode.STOPPING, self.command_timeout)
        self._arm.enable(False)

    def on_cleanup(self) -> None:
        if self._link is not None:
            stats, sizer = self._link.stats(), self._arm.frame_sizer
            log.info("link %s closed: %d retransmits, %d CRC errors, %d framing errors; %d..%d setpoints a frame",
                     self.url, stats.retransmits, stats.crc_errors, stats.framing_errors, sizer.smallest,
                     sizer.largest, extra={"link_stats": stats, "batch_range": (sizer.smallest, sizer.largest),
                                           "arm": self._arm.name})
            self._link.close()
            self._link = None

    def on_shutdown(self) -> None:
        try:
            if self._link is not None and self._link.established and self.is_active:
                self._arm.enable(False)
        except HardwareError as exc:
            log.warning("shutdown of %s: could not disable the drives: %s", self.url, exc)
        finally:
            self.on_cleanup()
