"""The emulated controller's protocol side: session, handshake, dispatch, watchdog, status.

Transport-free: feed checked frames with :meth:`Controller.on_frame`, call :meth:`Controller.tick`
about every millisecond and write the frames it returns. ``emulator.py`` adds the transports.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cellctl.hw.types import ArmMode
from firmware_bridge.arm_model import ArmLimits, ArmModel
from firmware_bridge.crc import crc32c
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import (
    OVERRIDE_SCALE, POSITION_SCALE, PROTOCOL_VERSION, STATUS_ENABLED, STATUS_TOOL_BUSY, VELOCITY_SCALE, BackOut, Enable,
    Event, Frame, Gripper, Hello, HelloAck, Marker, Message, MsgType, OverrideMsg, Reset, Screw, Setpoints,
    Status, Stop, TimeReq, TimeResp, ToolQuery, parse_message,
)
from firmware_bridge.link import ReliableEndpoint, seq_diff
from firmware_bridge.profiles import PROFILES, ResourceProfile
from firmware_bridge.tool_memory import ToolMemory
from firmware_bridge.tool_model import ToolModel, ToolOutput, ToolParams

__all__ = ["Controller", "ControllerConfig"]

Journal = Callable[[dict[str, Any]], None]
REPEAT_HELLO_US = 2_000_000
"""A HELLO with the nonce of the one that made the session is a copy of it only this long after it:
the host resends for at most 1 s, then reopens the port with a new nonce."""


@dataclass(frozen=True)
class ControllerConfig:
    """Configuration of an emulated controller (its hash is checked in the handshake)."""

    limits: ArmLimits = ArmLimits()
    start: tuple[float, ...] | None = None
    """Joint positions at power-on, rad (None: all zero); ``cellctl emulator --cell`` gives the
    arm's home, where the simulated arm starts too."""
    tools: ToolParams = ToolParams()
    profile: ResourceProfile = PROFILES["standard"]
    """Windows and largest payload (announced in HELLO_ACK); the queue and tool history are set in
    ``limits`` and ``tools`` (the emulator's ``--profile`` sets all from one profile)."""
    lease_ms: int = 1000
    status_period_ms: int = 10
    name: str = "cellctl-emulator"
    seed: int = 0

    @property
    def config_hash(self) -> int:
        """CRC-32C of the canonical text of the settings the host depends on."""
        lim = self.limits
        text = f"dof={lim.dof};queue={lim.queue_capacity};vmax={lim.max_velocity};lease={self.lease_ms}"
        return crc32c(text.encode())


class Controller:
    """Protocol state machine of one emulated controller (see module docstring)."""

    def __init__(self, config: ControllerConfig, journal: Journal | None = None,
                 memory: ToolMemory | None = None) -> None:
        self.config = config
        self._journal = journal or (lambda record: None)
        self.arm = ArmModel(config.limits, on_played=self._played, start=config.start)
        self.tools = ToolModel(config.tools, memory)
        self.link = ReliableEndpoint(window=config.profile.tx_window, rx_window=config.profile.rx_window)
        self.epoch = random.Random(config.seed).randrange(1, 65536)
        self._session = False
        self._session_nonce: int | None = None
        self._session_hello_us = 0
        self._session_resumed = 0
        self._last_oob = 0
        self._last_marker = 0
        self._last_rx_us: int | None = None
        self._next_status_us = 0
        self._out: list[Frame] = []
        self.counters = {"malformed": 0, "unknown": 0, "handshakes": 0, "resumes": 0, "stalls": 0,
                         "duplicate_hellos": 0}

    # ------------------------------------------------------------------ input
    def on_frame(self, frame: Frame, now_us: int) -> None:
        """Handle one checked frame received at controller time ``now_us``."""
        if frame.type == MsgType.HELLO:
            message = parse_message(frame)
            if isinstance(message, Hello):
                self._hello(message, now_us)
            else:
                self.counters["malformed"] += 1
            return
        if not self._session:
            return
        for delivered in self.link.on_frame(frame, now_us * 1e-6):
            self._last_rx_us = now_us
            self._dispatch(delivered, now_us)
        if frame.epoch == self.link.epoch:
            self._last_rx_us = now_us

    def _hello(self, hello: Hello, now_us: int) -> None:
        cfg = self.config
        result = ErrorCode.OK
        resumed = 0
        repeat = False
        if hello.version != PROTOCOL_VERSION:
            result = ErrorCode.VERSION_MISMATCH
        elif hello.config_hash not in (0, cfg.config_hash):
            result = ErrorCode.CONFIG_MISMATCH
        elif (self._session and hello.nonce == self._session_nonce
              and now_us - self._session_hello_us <= REPEAT_HELLO_US):
            resumed, repeat = self._session_resumed, True  # a copy of the HELLO answered: same answer
            self.counters["duplicate_hellos"] += 1
        elif self._session and hello.resume_epoch == self.epoch:
            self.link.resume(hello.host_rx_next)
            resumed = 1
            self.counters["resumes"] += 1
        else:
            self.epoch = self.epoch % 65535 + 1
            self.link.reset(self.epoch)
            self._session = True
            self._last_oob = 0
            self.arm.gen = 0
            self.counters["handshakes"] += 1
        if result is ErrorCode.OK:
            self._last_rx_us = now_us
        if result is ErrorCode.OK and not repeat:
            self._session_nonce, self._session_resumed, self._session_hello_us = hello.nonce, resumed, now_us
        self._journal({"k": "hello", "result": int(result), "resumed": resumed, "epoch": self.epoch})
        lim = cfg.limits
        ack = HelloAck(int(result), PROTOCOL_VERSION, self.epoch, resumed, lim.dof, lim.queue_capacity,
                       cfg.lease_ms, cfg.config_hash, hello.nonce, self.link.rx_next, now_us,
                       cfg.profile.rx_window, cfg.profile.max_payload, cfg.name)
        self._out.append(Frame(int(MsgType.HELLO_ACK), payload=ack.encode()))
        self._next_status_us = now_us

    def _dispatch(self, frame: Frame, now_us: int) -> None:
        message = parse_message(frame)
        if isinstance(message, ErrorCode):
            self.counters["unknown" if message is ErrorCode.UNKNOWN_MESSAGE else "malformed"] += 1
            if frame.reliable:  # its sequence number is used up (acknowledged): say why nothing happened
                self._event(message, frame.seq, f"message type 0x{frame.type:02x} with {len(frame.payload)} "
                                                "payload bytes rejected")
            return
        handler = self._HANDLERS.get(type(message))
        if handler is None:
            self.counters["unknown"] += 1
            return
        handler(self, message, frame, now_us)

    def _setpoints(self, msg: Setpoints, frame: Frame, now_us: int) -> None:
        self._journal({"k": "setpoints", "seq": frame.seq, "gen": msg.gen, "end": msg.flags & 1, "at": now_us,
                       "tau": self.arm.tau_us, "depth": self.arm.queue_depth, "margin": self.arm.margin_us(),
                       "t": msg.times.tolist(), "q": msg.positions.tolist()})
        code = self.arm.accept(msg, now_us)
        if code is not ErrorCode.OK:
            self._event(code, frame.seq, f"{len(msg.times)} setpoints refused")

    def _enable(self, msg: Enable, frame: Frame, now_us: int) -> None:
        self._journal({"k": "enable", "seq": frame.seq, "on": msg.on})
        self.arm.enable(bool(msg.on), now_us)
        self._next_status_us = now_us

    def _marker(self, msg: Marker, frame: Frame, now_us: int) -> None:
        self._journal({"k": "marker", "seq": frame.seq, "v": msg.marker})
        self._last_marker = msg.marker
        self._next_status_us = now_us

    def _tool(self, msg: Gripper | Screw | BackOut, frame: Frame, now_us: int) -> None:
        self._journal({"k": "tool", "seq": frame.seq, "id": msg.command_id, "kind": type(msg).__name__, "at": now_us,
                       "tau": self.arm.tau_us})
        out = ToolOutput()
        code = self.tools.start(msg, now_us, out)
        if code is not ErrorCode.OK:
            self._event(code, msg.command_id, "tool command refused")
        self._emit_tool(out)

    def _tool_query(self, msg: ToolQuery, frame: Frame, now_us: int) -> None:
        self._journal({"k": "tool_query", "seq": frame.seq, "id": msg.command_id, "at": now_us})
        out = ToolOutput()
        self.tools.query(msg, out)
        self._emit_tool(out)

    def _stop(self, msg: Stop, frame: Frame, now_us: int) -> None:
        if not self._new_oob(msg.oob_id):
            return
        self._journal({"k": "stop", "kind": msg.kind, "gen": msg.gen, "t": now_us})
        self.arm.gen = msg.gen
        self.arm.stop(bool(msg.kind), now_us)
        if msg.kind:
            out = ToolOutput()
            self.tools.abort(out)
            self._emit_tool(out)

    def _reset(self, msg: Reset, frame: Frame, now_us: int) -> None:
        if not self._new_oob(msg.oob_id):
            return
        self._journal({"k": "reset", "gen": msg.gen, "t": now_us})
        self.arm.gen = msg.gen
        self.arm.reset()

    def _override(self, msg: OverrideMsg, frame: Frame, now_us: int) -> None:
        if not self._new_oob(msg.oob_id):
            return
        target = min(msg.target, OVERRIDE_SCALE) / OVERRIDE_SCALE
        self._journal({"k": "override", "target": target, "t": now_us})
        self.arm.set_override(target, now_us)

    def _time(self, msg: TimeReq, frame: Frame, now_us: int) -> None:
        self._out.append(self.link.make(TimeResp(msg.t1, now_us, now_us)))

    def _new_oob(self, oob_id: int) -> bool:
        self._next_status_us = 0
        if seq_diff(oob_id, self._last_oob) <= 0:
            return False
        self._last_oob = oob_id
        return True

    _HANDLERS: dict[type[Message], Callable[["Controller", Any, Frame, int], None]] = {
        Setpoints: _setpoints, Enable: _enable, Marker: _marker, Gripper: _tool, Screw: _tool, BackOut: _tool,
        ToolQuery: _tool_query,
        Stop: _stop, Reset: _reset, OverrideMsg: _override, TimeReq: _time,
    }

    # ------------------------------------------------------------------ output
    def _event(self, code: ErrorCode, ref: int, text: str) -> None:
        self._journal({"k": "event", "code": int(code), "ref": ref})
        if self._session:
            self.link.send(Event(int(code), ref, text))

    def _emit_tool(self, out: ToolOutput) -> None:
        if not self._session:
            return
        for progress in out.progress:
            self._out.append(self.link.make(progress))
        for message in out.reliable:
            self.link.send(message)

    def _played(self, t_us: int, q: np.ndarray) -> None:
        self._journal({"k": "played", "t": t_us, "q": q.tolist()})

    def discount_stall(self, stall_us: int, now_us: int) -> None:
        """The emulator's process was not scheduled for ``stall_us`` before ``now_us``: a real
        controller never stalls, so the motion and the watchdog lease stand still for that time
        (frames that arrived meanwhile could not be read either). Counted and journaled."""
        self.counters["stalls"] += 1
        self._journal({"k": "stall", "t": now_us, "us": stall_us})
        self.arm.freeze(stall_us)
        if self._last_rx_us is not None:
            self._last_rx_us += stall_us

    def tick(self, now_us: int) -> list[Frame]:
        """Advance models and watchdog to ``now_us``; return the frames to send now."""
        self._watchdog(now_us)
        before = self.arm.mode
        self.arm.step(now_us)
        out = ToolOutput()
        self.tools.step(now_us, out)
        self._emit_tool(out)
        if self.arm.mode is not before:
            self._next_status_us = 0
        if self._session and now_us >= self._next_status_us:
            self._out.append(self.link.make(self.status(now_us)))
            self._next_status_us = now_us + self.config.status_period_ms * 1000
        if self._session:
            self._out.extend(self.link.poll(now_us * 1e-6))
        frames, self._out = self._out, []
        return frames

    def _watchdog(self, now_us: int) -> None:
        if not (self._session and self.arm.enabled and self._last_rx_us is not None):
            return
        if now_us - self._last_rx_us > self.config.lease_ms * 1000 and \
                ErrorCode.WATCHDOG_LEASE_EXPIRED not in self.arm.faults:
            self._journal({"k": "watchdog", "t": now_us, "last_rx": self._last_rx_us})
            self.arm.fault_stop(ErrorCode.WATCHDOG_LEASE_EXPIRED, now_us)

    def status(self, now_us: int) -> Status:
        """The STATUS message for ``now_us``."""
        arm = self.arm
        flags = (STATUS_ENABLED if arm.enabled else 0) | (STATUS_TOOL_BUSY if self.tools.busy else 0)
        return Status(now_us, arm.tau_us, round(arm.override * OVERRIDE_SCALE), int(arm.mode), flags, arm.gen & 0xFFFF, self._last_oob, self._last_marker,
                      min(arm.queue_depth, 0xFFFF), arm.processed & 0xFFFFFFFF,
                      np.round(arm.positions * POSITION_SCALE).astype(np.int32),
                      np.round(arm.velocities * VELOCITY_SCALE).astype(np.int32),
                      tuple(int(c) for c in arm.faults))

    @property
    def mode(self) -> ArmMode:
        """The arm's mode (for tests and logs)."""
        return self.arm.mode
