"""Emulated tools: a holding tool (parallel gripper or suction cup) and a screwdriver with a
torque-angle process model.

The emulator has no part to close on: its gripper finds the part at the width the close command
expects (``part_width`` None; a fixed width, or 0 for no part at all, when given) and holds it
once the fingers have stood still for ``GRIP_SETTLE``; a suction cup builds (or vents) its vacuum
in ``VACUUM_BUILD``. Both times are the simulation's, so a unit takes the same time on both backends.

The curve goes to the host in chunks of ``CURVE_CHUNK`` samples as they are taken, so the result
arrives one chunk after the run ends however long the curve. (The gripper closes to the expected
width even from fingers narrower than it, where the simulated one would close on nothing: a
recipe opens the gripper before it picks.)

The screwdriver runs a two-stage tightening sampled at 1 kHz: rundown at full speed with a low
friction torque until the head seats at ``seat_angle``, then a torque ramp of ``stiffness`` at
10 % speed until the program's target torque shuts it off. The result is judged against the
program's torque and angle windows (torque first), exactly as a real tightening controller does.
A back-out reverses (negative torque and angle): the loosening torque builds to 80–100 % of the
torque the screw was left at over 8°, then it unwinds at 2 % of that peak until the driven angle
is undone; with no driven screw in the hole it is NOK ``NO_SCREW``.
Commands are de-duplicated by id and kind in the controller's non-volatile memory (:mod:`tool_memory`):
a repeated id never runs twice; a finished one re-sends its result; an id reused for a different kind
of command is refused (413); one a restart interrupted is answered OUTCOME_UNKNOWN. A TOOL_QUERY is
answered the same way, or NOT_STARTED, and never runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from cellctl.hw.tools import GRIP_SETTLE, VACUUM_BUILD, GripperAction
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import BackOut, Gripper, Screw, ToolCurve, ToolProgress, ToolQuery, ToolResultMsg
from firmware_bridge.tool_memory import ToolMemory

__all__ = ["ToolModel", "ToolParams", "ToolOutput"]

SAMPLE_US = 1000
CURVE_CHUNK = 16
BACKOUT_DEG_PER_MS = 3.6
"""600 rpm reverse."""
BREAKAWAY_DEG = 8.0

ToolMessage = Gripper | Screw | BackOut


@dataclass(frozen=True)
class ToolParams:
    """Process-model parameters of the emulated tools."""

    part_width: float | None = None
    """Width of the part the gripper closes on, metres (None: where the close command expects it; 0: no part)."""
    holding: str = "gripper"
    """The arm's holding tool: ``gripper`` (fingers that travel) or ``vacuum`` (a suction cup)."""
    open_width: float = 0.02
    """The gripper's opening at power-on, metres (the simulated gripper starts fully open)."""
    seat_angle: float = 720.0
    """Rundown angle until the screw head seats, degrees."""
    stiffness: float = 1.0 / 30.0
    """Torque rise after seating, as a fraction of the target torque per degree."""
    noise: float = 0.01
    """Relative torque noise."""
    seed: int = 0
    history: int = 64
    """Finished command ids whose results are remembered (de-duplication)."""
    curve_history: int = 64
    """Of those, how many keep their curve to re-send it (older ones re-send the result alone)."""
    curve_samples: int = 10_000
    """Most samples recorded per command (the first ones; the result still judges the whole run)."""


@dataclass
class ToolOutput:
    """Messages the tool wants sent: progress (unreliable) and result chunks (reliable, in order)."""

    progress: list[ToolProgress] = field(default_factory=list)
    reliable: list[ToolCurve | ToolResultMsg] = field(default_factory=list)


@dataclass
class _Run:
    command: ToolMessage
    start_us: int
    samples: list[tuple[int, int]] = field(default_factory=list)
    elapsed_ms: int = 0
    start_width: float = 0.0
    angle: float = 0.0
    torque: float = 0.0
    width: float = 0.0
    seat: float = 0.0
    settled_ms: int = 0
    sent: list[ToolCurve] = field(default_factory=list)
    """The curve's chunks sent so far."""
    peak: float = 0.0
    free_at: float = 0.0


class ToolModel:
    """Runs one tool command at a time (see module docstring)."""

    def __init__(self, params: ToolParams, memory: ToolMemory | None = None) -> None:
        self.params = params
        self._rng = random.Random(params.seed)
        self._run: _Run | None = None
        self._width = params.open_width
        self.memory = memory or ToolMemory()
        self.memory.limit(params.history, params.curve_history)
        self._driven: tuple[float, float] | None = None
        """(angle, torque) the screw in the hole was left at, or None when there is none."""

    @property
    def busy(self) -> bool:
        """True while a command runs."""
        return self._run is not None

    def start(self, command: ToolMessage, now_us: int, out: ToolOutput) -> ErrorCode:
        """Start ``command`` unless its id ran before (then re-send the result) or the tool is busy."""
        cid = command.command_id
        known = self.memory.kinds.get(cid) or (
            int(self._run.command.TYPE) if self._run and self._run.command.command_id == cid else None)
        if known is not None and known != int(command.TYPE):
            return ErrorCode.COMMAND_ID_REUSED
        if self._answer_known(cid, out):
            return ErrorCode.OK
        if self._run is not None:
            return ErrorCode.OK if self._run.command.command_id == cid else ErrorCode.TOOL_BUSY
        self.memory.start(cid, drives=isinstance(command, (Screw, BackOut)))
        run = _Run(command, now_us, width=self._width, start_width=self._width)
        run.seat = self.params.seat_angle * (1.0 + 0.02 * (self._rng.random() - 0.5))
        self._run = run
        if isinstance(command, BackOut):
            if self._driven is None:
                self._finish(ErrorCode.NO_SCREW, out)
                return ErrorCode.OK
            run.free_at, left_torque = self._driven
            run.peak = max(abs(left_torque), 1e-3) * (0.8 + 0.2 * self._rng.random())
        return ErrorCode.OK

    def query(self, query: ToolQuery, out: ToolOutput) -> None:
        """Answer TOOL_QUERY: the result kept, OUTCOME_UNKNOWN, or NOT_STARTED (nothing if it runs now)."""
        cid = query.command_id
        if self._answer_known(cid, out) or (self._run is not None and self._run.command.command_id == cid):
            return
        out.reliable.append(ToolResultMsg(cid, 0, int(ErrorCode.NOT_STARTED), 0, 0, 0, 0))

    def _answer_known(self, cid: int, out: ToolOutput) -> bool:
        """Re-send a kept result, or OUTCOME_UNKNOWN for an id a restart interrupted; False otherwise."""
        if cid in self.memory.results:
            out.reliable.extend(self.memory.results[cid])  # type: ignore[arg-type]
            return True
        if cid in self.memory.interrupted:
            out.reliable.append(ToolResultMsg(cid, 0, int(ErrorCode.OUTCOME_UNKNOWN), 0, 0, 0, 0))
            return True
        return False

    def abort(self, out: ToolOutput) -> None:
        """Abort the running command (e-stop); its result is NOK, TOOL_ABORTED."""
        if self._run is not None:
            self._finish(ErrorCode.TOOL_ABORTED, out)

    def step(self, now_us: int, out: ToolOutput) -> None:
        """Advance the running command to ``now_us`` in 1 ms samples."""
        run = self._run
        if run is None:
            return
        due = (now_us - run.start_us) // SAMPLE_US
        while self._run is run and run.elapsed_ms < due:
            if isinstance(run.command, Screw):
                self._screw_sample(run, out)
            elif isinstance(run.command, BackOut):
                self._backout_sample(run, out)
            else:
                self._gripper_sample(run, out)
        if self._run is run and run.elapsed_ms % 20 == 0:
            out.progress.append(self._progress(run))

    # ------------------------------------------------------------------ screwdriver
    def _screw_sample(self, run: _Run, out: ToolOutput) -> None:
        cmd = run.command
        assert isinstance(cmd, Screw)
        target = cmd.target_unm * 1e-6
        full_speed = cmd.max_speed_mrpm * 1e-3 * 6.0 / 1000.0  # deg per ms
        speed = full_speed if run.angle < run.seat else 0.1 * full_speed
        run.angle += speed
        friction = 0.08 * target
        ramp = max(0.0, run.angle - run.seat) * self.params.stiffness * target
        run.torque = (friction + ramp) * (1.0 + self.params.noise * (self._rng.random() - 0.5))
        self._record(run, round(run.torque * 1e6), round(run.angle * 1000), out)
        elapsed_ms = run.elapsed_ms
        if run.angle > run.seat:
            self._driven = (run.angle, run.torque)
        if run.torque >= target:
            self._finish(self._judge(cmd, run), out)
        elif run.angle * 1000 > cmd.angle_max_mdeg:
            self._finish(ErrorCode.ANGLE_HIGH, out)
        elif elapsed_ms >= cmd.timeout_ms:
            self._finish(ErrorCode.TOOL_TIMEOUT, out)

    @staticmethod
    def _judge(cmd: Screw, run: _Run) -> ErrorCode:
        torque = run.torque * 1e6
        angle = run.angle * 1000
        if torque > cmd.torque_max_unm:
            return ErrorCode.TORQUE_HIGH
        if torque < cmd.torque_min_unm:
            return ErrorCode.TORQUE_LOW
        if angle < cmd.angle_min_mdeg:
            return ErrorCode.ANGLE_LOW
        if angle > cmd.angle_max_mdeg:
            return ErrorCode.ANGLE_HIGH
        return ErrorCode.OK

    # ------------------------------------------------------------------ back-out
    def _backout_sample(self, run: _Run, out: ToolOutput) -> None:
        cmd = run.command
        assert isinstance(cmd, BackOut)
        breaking = run.angle < BREAKAWAY_DEG
        run.angle += BACKOUT_DEG_PER_MS * (0.2 if breaking else 1.0)
        torque = run.peak * min(run.angle / BREAKAWAY_DEG, 1.0) if breaking else 0.02 * run.peak
        run.torque = torque * (1.0 + self.params.noise * (self._rng.random() - 0.5))
        self._record(run, -round(run.torque * 1e6), -round(run.angle * 1000), out)
        if run.angle >= max(run.free_at, BREAKAWAY_DEG):
            self._driven = None
            self._finish(ErrorCode.OK, out)
        elif run.angle * 1000 >= cmd.max_angle_mdeg:
            self._finish(ErrorCode.ANGLE_HIGH, out)
        elif run.elapsed_ms >= cmd.timeout_ms:
            self._finish(ErrorCode.TOOL_TIMEOUT, out)

    def _record(self, run: _Run, torque: int, angle: int, out: ToolOutput) -> None:
        """One 1 kHz sample; kept while the curve buffer has room. Every full chunk goes out at once
        (``total`` 0: the run goes on), so the result follows the end of the run by one chunk at most."""
        run.elapsed_ms += 1
        if len(run.samples) < self.params.curve_samples:
            run.samples.append((torque, angle))
            if len(run.samples) % CURVE_CHUNK == 0:
                self._send_chunk(run, len(run.samples) - CURVE_CHUNK, 0, out)

    @staticmethod
    def _send_chunk(run: _Run, offset: int, total: int, out: ToolOutput) -> None:
        chunk = np.array(run.samples[offset : offset + CURVE_CHUNK], dtype=np.int32).reshape(-1, 2)
        message = ToolCurve(run.command.command_id, offset, total, chunk)
        run.sent.append(message)
        out.reliable.append(message)

    # ------------------------------------------------------------------ gripper
    def _gripper_sample(self, run: _Run, out: ToolOutput) -> None:
        cmd = run.command
        assert isinstance(cmd, Gripper)
        closing = cmd.action == GripperAction.CLOSE
        no_part = closing and self.params.part_width == 0.0
        run.elapsed_ms += 1
        if self.params.holding == "vacuum":  # no fingers: the vacuum builds (or vents)
            run.width = self._width = 0.0
            if run.elapsed_ms >= round(VACUUM_BUILD * 1000):
                self._finish(ErrorCode.NO_PART if no_part else ErrorCode.OK, out)
            return
        goal = self._gripper_goal(cmd)
        step = max(cmd.speed_um_s, 1) * 1e-6 / 1000.0
        if run.width != goal:
            run.width = goal if abs(goal - run.width) <= step else run.width + step * np.sign(goal - run.width)
            self._width = run.width
            run.settled_ms = 0
            if run.width != goal:
                return
        run.settled_ms += 1
        if not closing or no_part or run.settled_ms >= round(GRIP_SETTLE * 1000):
            self._finish(ErrorCode.NO_PART if no_part else ErrorCode.OK, out)

    def _gripper_goal(self, cmd: ToolMessage) -> float:
        """Where the fingers stop: the part on a close (nothing there: fully closed), ``width`` on an open."""
        assert isinstance(cmd, Gripper)
        if cmd.action != GripperAction.CLOSE:
            return cmd.width_um * 1e-6
        return cmd.width_um * 1e-6 if self.params.part_width is None else self.params.part_width

    # ------------------------------------------------------------------ results
    def _progress(self, run: _Run) -> ToolProgress:
        cmd = run.command
        if isinstance(cmd, Screw):
            percent = min(99, int(100 * run.torque * 1e6 / max(cmd.target_unm, 1)))
        elif isinstance(cmd, BackOut):
            percent = min(99, int(100 * run.angle / max(run.free_at, BREAKAWAY_DEG)))
        elif self.params.holding == "vacuum":
            percent = min(99, int(100 * run.elapsed_ms / (VACUUM_BUILD * 1000)))
        else:
            travel = abs(self._gripper_goal(run.command) - run.start_width)
            percent = min(99, int(100 * abs(run.width - run.start_width) / travel)) if travel > 0 else 99
        sign = -1 if isinstance(cmd, BackOut) else 1
        return ToolProgress(cmd.command_id, percent, sign * round(run.torque * 1e6), sign * round(run.angle * 1000))

    def _finish(self, code: ErrorCode, out: ToolOutput) -> None:
        run = self._run
        assert run is not None
        self._run = None
        cmd = run.command
        sign = -1 if isinstance(cmd, BackOut) else 1
        samples = len(run.samples) if isinstance(cmd, (Screw, BackOut)) else 0
        streamed = CURVE_CHUNK * len(run.sent)
        if streamed < samples:  # the last, partial chunk
            self._send_chunk(run, streamed, samples, out)
        messages: list[ToolCurve | ToolResultMsg] = list(run.sent)
        torque = run.peak if isinstance(cmd, BackOut) else run.torque
        messages.append(ToolResultMsg(cmd.command_id, int(code == ErrorCode.OK), int(code),
                                      sign * round(torque * 1e6), sign * round(run.angle * 1000),
                                      round(run.width * 1e6), samples))
        self.memory.finish(cmd.command_id, messages, kind=int(cmd.TYPE))
        out.reliable.append(messages[-1])  # the curve's chunks went out as they were taken
