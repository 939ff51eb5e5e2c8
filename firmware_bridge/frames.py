"""Frames and messages of the serial protocol: layout, encoding, and a decoder that never raises.

Wire format of one frame (little-endian; see docs/protocol.md)::

    COBS( header(16) | payload(0..1024) | crc32c(header|payload) as u32 ) 0x00

    header = type:u8 flags:u8 epoch:u16 seq:u32 ack:u32 sack:u32

Messages are small dataclasses with ``encode() -> bytes`` and a ``decode`` classmethod;
:func:`parse_message` turns a checked :class:`Frame` into a message or an :class:`ErrorCode`.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from firmware_bridge import cobs
from firmware_bridge.crc import crc32c
from firmware_bridge.errors import ErrorCode

__all__ = [
    "PROTOCOL_VERSION", "MAX_PAYLOAD", "MIN_MAX_PAYLOAD", "MAX_ENCODED", "max_encoded", "POSITION_SCALE", "VELOCITY_SCALE",
    "FLAG_RELIABLE", "Frame", "FrameDecoder", "MsgType", "Message", "parse_message",
    "encode_frame", "Hello", "HelloAck", "TimeReq", "TimeResp", "Setpoints", "Enable",
    "Gripper", "Screw", "BackOut", "ToolQuery", "Marker", "Stop", "Reset", "OverrideMsg", "Ack", "Status", "ToolProgress",
    "ToolCurve", "ToolResultMsg", "Event", "SETPOINTS_END", "SETPOINTS_NEW_MOTION", "OVERRIDE_SCALE", "STATUS_ENABLED", "STATUS_TOOL_BUSY", "MESSAGES",
]

PROTOCOL_VERSION = 3
HEADER = struct.Struct("<BBHIII")
CRC = struct.Struct("<I")
MAX_PAYLOAD = 1024
MIN_MAX_PAYLOAD = 128
"""The smallest ``max_payload`` a controller may announce (every message but SETPOINTS, TOOL_CURVE and
EVENT fits in it; those are cut to fit)."""


def max_encoded(max_payload: int = MAX_PAYLOAD) -> int:
    """Longest encoded frame (delimiter included) for payloads of at most ``max_payload`` bytes."""
    return cobs.max_encoded_length(HEADER.size + max_payload + CRC.size) + 1


MAX_ENCODED = max_encoded()
POSITION_SCALE = 10_000_000
"""Wire positions are int32 in units of 1e-7 rad."""
VELOCITY_SCALE = 1_000_000
"""Wire velocities are int32 in units of 1e-6 rad/s."""
FLAG_RELIABLE = 0x01
SETPOINTS_END = 0x01
SETPOINTS_NEW_MOTION = 0x02
STATUS_ENABLED = 0x01
OVERRIDE_SCALE = 10_000
"""Wire overrides are uint16 in units of 1e-4 (10000 = 100 %)."""
STATUS_TOOL_BUSY = 0x02


class MsgType(enum.IntEnum):
    """Message type byte. 0x01-0x7F host → controller (0x7F both ways), 0x80-0xFF controller → host."""

    HELLO = 0x01
    TIME_REQ = 0x02
    SETPOINTS = 0x10
    ENABLE = 0x11
    GRIPPER = 0x12
    SCREW = 0x13
    MARKER = 0x14
    BACKOUT = 0x15
    TOOL_QUERY = 0x16
    STOP = 0x20
    RESET = 0x21
    OVERRIDE = 0x22
    ACK = 0x7F
    HELLO_ACK = 0x81
    TIME_RESP = 0x82
    STATUS = 0x83
    TOOL_PROGRESS = 0x90
    TOOL_CURVE = 0x91
    TOOL_RESULT = 0x92
    EVENT = 0x93


@dataclass(frozen=True)
class Frame:
    """One checked frame: header fields plus the raw payload."""

    type: int
    flags: int = 0
    epoch: int = 0
    seq: int = 0
    ack: int = 0
    sack: int = 0
    payload: bytes = b""

    @property
    def reliable(self) -> bool:
        """True when the frame carries a sequence number the receiver must acknowledge."""
        return bool(self.flags & FLAG_RELIABLE)


def encode_frame(frame: Frame) -> bytes:
    """Return the wire bytes of ``frame`` (COBS-encoded, CRC appended, 0x00 delimiter)."""
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(frame.payload)} bytes exceeds MAX_PAYLOAD={MAX_PAYLOAD}")
    body = HEADER.pack(frame.type, frame.flags, frame.epoch, frame.seq, frame.ack, frame.sack)
    body += frame.payload
    return cobs.encode(body + CRC.pack(crc32c(body))) + b"\x00"


class FrameDecoder:
    """Turns a byte stream into checked frames. Never raises on input; errors are counted.

    Attributes:
        counters: ``frames`` (good), ``crc_errors``, ``framing_errors``, ``oversize``.
    """

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        """``max_payload``: the largest payload accepted; a longer frame is discarded unread (oversize)."""
        self._limit = max_encoded(max_payload)
        self._buffer = bytearray()
        self._discarding = False
        self.counters: dict[str, int] = {"frames": 0, "crc_errors": 0, "framing_errors": 0, "oversize": 0}

    def reset(self) -> None:
        """Forget any partial frame (call after a reconnect)."""
        self._buffer.clear()
        self._discarding = False

    def feed(self, data: bytes | bytearray) -> list[Frame]:
        """Consume bytes; return the frames completed by them, in order."""
        frames: list[Frame] = []
        for piece in _split_keep(bytes(data)):
            if piece == b"\x00":
                block = bytes(self._buffer)
                discarding = self._discarding
                self.reset()
                if block and not discarding:
                    frame = self._check(block)
                    if frame is not None:
                        frames.append(frame)
                continue
            if self._discarding:
                continue
            self._buffer += piece
            if len(self._buffer) >= self._limit:
                self.counters["oversize"] += 1
                self._buffer.clear()
                self._discarding = True
        return frames

    def _check(self, block: bytes) -> Frame | None:
        try:
            body = cobs.decode(block)
        except cobs.CobsError:
            self.counters["framing_errors"] += 1
            return None
        if len(body) < HEADER.size + CRC.size:
            self.counters["framing_errors"] += 1
            return None
        (crc,) = CRC.unpack_from(body, len(body) - CRC.size)
        if crc32c(body[: -CRC.size]) != crc:
            self.counters["crc_errors"] += 1
            return None
        kind, flags, epoch, seq, ack, sack = HEADER.unpack_from(body)
        self.counters["frames"] += 1
        return Frame(kind, flags, epoch, seq, ack, sack, bytes(body[HEADER.size : -CRC.size]))


def _split_keep(data: bytes) -> list[bytes]:
    """Split on 0x00, keeping each delimiter as its own element."""
    parts: list[bytes] = []
    for i, chunk in enumerate(data.split(b"\x00")):
        if i:
            parts.append(b"\x00")
        if chunk:
            parts.append(chunk)
    return parts


# ----------------------------------------------------------------------------- messages


class Message:
    """Base of all messages: a fixed struct layout ``FMT`` over the dataclass fields, in order.

    Messages with a variable tail override :meth:`encode` and :meth:`decode`.
    """

    TYPE: ClassVar[MsgType]
    FMT: ClassVar[struct.Struct] = struct.Struct("<")
    RELIABLE: ClassVar[bool] = False

    def encode(self) -> bytes:
        """Payload bytes of this message."""
        return self.FMT.pack(*self._fixed())

    def _fixed(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)  # type: ignore[attr-defined]

    @classmethod
    def decode(cls, payload: bytes) -> "Message":
        """Parse a payload; raises struct.error/ValueError when malformed."""
        if len(payload) != cls.FMT.size:
            raise ValueError(f"{cls.__name__} payload must be {cls.FMT.size} bytes, got {len(payload)}")
        return cls(*cls.FMT.unpack(payload))  # type: ignore[call-arg]


@dataclass(frozen=True)
class Hello(Message):
    """Host → controller handshake; ``resume_epoch`` != 0 asks to resume that session."""

    TYPE = MsgType.HELLO
    FMT = struct.Struct("<HHIII")
    version: int
    resume_epoch: int
    host_rx_next: int
    nonce: int
    config_hash: int


@dataclass(frozen=True)
class HelloAck(Message):
    """Controller → host handshake answer (``result`` is an ErrorCode; 0 = accepted)."""

    TYPE = MsgType.HELLO_ACK
    FMT = struct.Struct("<HHHBBHHIIIqBH")
    result: int
    version: int
    epoch: int
    resumed: int
    dof: int
    queue_capacity: int
    lease_ms: int
    config_hash: int
    nonce: int
    rx_next: int
    time_us: int
    rx_window: int = 32
    """Reliable frames the controller buffers per direction (1..32): the host keeps at most this many unacknowledged."""
    max_payload: int = MAX_PAYLOAD
    """Largest payload the controller accepts (128..1024): the host never sends a longer frame."""
    name: str = ""

    def _fixed(self) -> tuple[int, ...]:
        return tuple(getattr(self, n) for n in self.__dataclass_fields__ if n != "name")

    def encode(self) -> bytes:
        return self.FMT.pack(*self._fixed()) + self.name.encode("utf-8")[:64]

    @classmethod
    def decode(cls, payload: bytes) -> "HelloAck":
        fixed = cls.FMT.unpack_from(payload)
        return cls(*fixed, name=payload[cls.FMT.size :].decode("utf-8", errors="replace"))


@dataclass(frozen=True)
class TimeReq(Message):
    """Host → controller clock-sync probe; ``t1`` is the host's send time in ns."""

    TYPE = MsgType.TIME_REQ
    FMT = struct.Struct("<q")
    t1: int


@dataclass(frozen=True)
class TimeResp(Message):
    """Controller's answer: t1 echoed, t2 receive and t3 send time in controller µs."""

    TYPE = MsgType.TIME_RESP
    FMT = struct.Struct("<qqq")
    t1: int
    t2: int
    t3: int


@dataclass(frozen=True)
class Ack(Message):
    """An empty frame that only carries the header's ack/sack (also a keep-alive)."""

    TYPE = MsgType.ACK


@dataclass(frozen=True)
class Setpoints(Message):
    """Reliable: time-stamped joint setpoints in controller µs and 1e-7 rad.

    ``times`` is int64 (N,), ``positions`` int32 (N, dof); ``gen`` is the stream generation
    (setpoints of an older generation than the controller's are discarded after a stop).
    """

    TYPE = MsgType.SETPOINTS
    FMT = struct.Struct("<HBBB")
    RELIABLE = True
    gen: int
    flags: int
    times: np.ndarray = field(compare=False)
    positions: np.ndarray = field(compare=False)

    def encode(self) -> bytes:
        count, dof = self.positions.shape
        knot = _knot_dtype(dof)
        rows = np.empty(count, dtype=knot)
        rows["t"] = self.times
        rows["q"] = self.positions
        return self.FMT.pack(self.gen, self.flags, dof, count) + rows.tobytes()

    @classmethod
    def decode(cls, payload: bytes) -> "Setpoints":
        gen, flags, dof, count = cls.FMT.unpack_from(payload)
        knot = _knot_dtype(dof)
        if dof == 0 or count == 0 or len(payload) != cls.FMT.size + count * knot.itemsize:
            raise ValueError(f"SETPOINTS with dof={dof} count={count} has wrong length {len(payload)}")
        rows = np.frombuffer(payload, dtype=knot, offset=cls.FMT.size, count=count)
        return cls(gen, flags, rows["t"].astype(np.int64), rows["q"].astype(np.int32))

    @staticmethod
    def max_count(dof: int, max_payload: int = MAX_PAYLOAD) -> int:
        """Most setpoints of ``dof`` joints that fit a payload of ``max_payload`` bytes."""
        return max(1, min(255, (max_payload - Setpoints.FMT.size) // _knot_dtype(dof).itemsize))


def _knot_dtype(dof: int) -> np.dtype:
    return np.dtype([("t", "<i8"), ("q", "<i4", (dof,))])


@dataclass(frozen=True)
class Enable(Message):
    """Reliable: enable (1) or disable (0) the drives; disabling stops first."""

    TYPE = MsgType.ENABLE
    FMT = struct.Struct("<B")
    RELIABLE = True
    on: int


@dataclass(frozen=True)
class Gripper(Message):
    """Reliable: a gripper command, de-duplicated by ``command_id``."""

    TYPE = MsgType.GRIPPER
    FMT = struct.Struct("<IBiII")
    RELIABLE = True
    command_id: int
    action: int
    width_um: int
    force_mn: int
    speed_um_s: int


@dataclass(frozen=True)
class Screw(Message):
    """Reliable: run a tightening program, de-duplicated by ``command_id``."""

    TYPE = MsgType.SCREW
    FMT = struct.Struct("<IHiiiiiII")
    RELIABLE = True
    command_id: int
    program_id: int
    target_unm: int
    torque_min_unm: int
    torque_max_unm: int
    angle_min_mdeg: int
    angle_max_mdeg: int
    max_speed_mrpm: int
    timeout_ms: int


@dataclass(frozen=True)
class BackOut(Message):
    """Reliable: reverse the screwdriver to remove the screw, de-duplicated by ``command_id``."""

    TYPE = MsgType.BACKOUT
    FMT = struct.Struct("<IHiI")
    RELIABLE = True
    command_id: int
    program_id: int
    max_angle_mdeg: int
    timeout_ms: int


@dataclass(frozen=True)
class ToolQuery(Message):
    """Reliable: "what became of tool command ``command_id``?" (protocol 3). The controller answers
    with a TOOL_RESULT for that id and never starts the command (docs/protocol.md, "Exactly once")."""

    TYPE = MsgType.TOOL_QUERY
    FMT = struct.Struct("<I")
    RELIABLE = True
    command_id: int


@dataclass(frozen=True)
class Marker(Message):
    """Reliable barrier: once executed, the controller reports ``marker`` in STATUS."""

    TYPE = MsgType.MARKER
    FMT = struct.Struct("<I")
    RELIABLE = True
    marker: int


@dataclass(frozen=True)
class Stop(Message):
    """Out-of-band stop (kind 0 controlled, 1 emergency); executes once per ``oob_id``."""

    TYPE = MsgType.STOP
    FMT = struct.Struct("<IBH")
    oob_id: int
    kind: int
    gen: int


@dataclass(frozen=True)
class Reset(Message):
    """Out-of-band fault reset; executes once per ``oob_id``."""

    TYPE = MsgType.RESET
    FMT = struct.Struct("<IH")
    oob_id: int
    gen: int


@dataclass(frozen=True)
class OverrideMsg(Message):
    """Out-of-band speed override: ramp o to ``target`` / 10000; executes once per ``oob_id``."""

    TYPE = MsgType.OVERRIDE
    FMT = struct.Struct("<IH")
    oob_id: int
    target: int


@dataclass(frozen=True)
class Status(Message):
    """Controller state, sent every 10 ms (unreliable; newer supersedes older)."""

    TYPE = MsgType.STATUS
    FMT = struct.Struct("<qqHBBHIIHIBB")
    time_us: int
    tau_us: int
    override: int
    mode: int
    flags: int
    gen: int
    last_oob: int
    last_marker: int
    queue_depth: int
    processed: int
    positions: np.ndarray = field(compare=False)
    velocities: np.ndarray = field(compare=False)
    faults: tuple[int, ...] = ()

    def encode(self) -> bytes:
        dof = len(self.positions)
        head = self.FMT.pack(self.time_us, self.tau_us, self.override, self.mode, self.flags, self.gen, self.last_oob,
                             self.last_marker, self.queue_depth, self.processed, dof, len(self.faults))
        return (head + np.asarray(self.positions, "<i4").tobytes()
                + np.asarray(self.velocities, "<i4").tobytes()
                + struct.pack(f"<{len(self.faults)}H", *self.faults))

    @classmethod
    def decode(cls, payload: bytes) -> "Status":
        fixed = cls.FMT.unpack_from(payload)
        dof, nfaults = fixed[-2:]
        if len(payload) != cls.FMT.size + 8 * dof + 2 * nfaults:
            raise ValueError(f"STATUS with dof={dof} nfaults={nfaults} has wrong length {len(payload)}")
        pos = np.frombuffer(payload, "<i4", dof, cls.FMT.size).astype(np.int32)
        vel = np.frombuffer(payload, "<i4", dof, cls.FMT.size + 4 * dof).astype(np.int32)
        faults = struct.unpack_from(f"<{nfaults}H", payload, cls.FMT.size + 8 * dof)
        return cls(*fixed[:-2], positions=pos, velocities=vel, faults=tuple(faults))


@dataclass(frozen=True)
class ToolProgress(Message):
    """Unreliable progress of a running tool command (percent, live torque and angle)."""

    TYPE = MsgType.TOOL_PROGRESS
    FMT = struct.Struct("<IBii")
    command_id: int
    percent: int
    torque_unm: int
    angle_mdeg: int


@dataclass(frozen=True)
class ToolCurve(Message):
    """Reliable: a chunk of a torque-angle curve sampled at 1 kHz (sample ``offset`` of ``total``)."""

    TYPE = MsgType.TOOL_CURVE
    FMT = struct.Struct("<IHH")
    RELIABLE = True
    command_id: int
    offset: int
    total: int
    samples: np.ndarray = field(compare=False)
    """int32 (n, 2): torque µN·m, angle mdeg."""

    def encode(self) -> bytes:
        return self.FMT.pack(self.command_id, self.offset, self.total) + np.asarray(self.samples, "<i4").tobytes()

    @classmethod
    def decode(cls, payload: bytes) -> "ToolCurve":
        fixed = cls.FMT.unpack_from(payload)
        rest = len(payload) - cls.FMT.size
        if rest % 8:
            raise ValueError(f"TOOL_CURVE sample bytes {rest} not a multiple of 8")
        samples = np.frombuffer(payload, "<i4", rest // 4, cls.FMT.size).reshape(-1, 2).astype(np.int32)
        return cls(*fixed, samples=samples)


@dataclass(frozen=True)
class ToolResultMsg(Message):
    """Reliable final result of a tool command; sent after all its TOOL_CURVE chunks."""

    TYPE = MsgType.TOOL_RESULT
    FMT = struct.Struct("<IBHiiiH")
    RELIABLE = True
    command_id: int
    ok: int
    code: int
    torque_unm: int
    angle_mdeg: int
    width_um: int
    samples: int


@dataclass(frozen=True)
class Event(Message):
    """Reliable: the controller refused something or latched a fault (``code``), with context."""

    TYPE = MsgType.EVENT
    FMT = struct.Struct("<HI")
    RELIABLE = True
    code: int
    ref: int
    text: str = ""

    def encode(self) -> bytes:
        return self.FMT.pack(self.code, self.ref) + self.text.encode("utf-8")[:200]

    @classmethod
    def decode(cls, payload: bytes) -> "Event":
        code, ref = cls.FMT.unpack_from(payload)
        return cls(code, ref, payload[cls.FMT.size :].decode("utf-8", errors="replace"))


MESSAGES: dict[int, type[Message]] = {
    cls.TYPE: cls
    for cls in (Hello, HelloAck, TimeReq, TimeResp, Ack, Setpoints, Enable, Gripper, Screw, BackOut, ToolQuery,
                Marker, Stop, Reset, OverrideMsg, Status, ToolProgress, ToolCurve, ToolResultMsg, Event)
}


def parse_message(frame: Frame) -> Message | ErrorCode:
    """Decode a frame's payload; return the message or the ErrorCode that says why not."""
    cls = MESSAGES.get(frame.type)
    if cls is None:
        return ErrorCode.UNKNOWN_MESSAGE
    try:
        return cls.decode(frame.payload)
    except (struct.error, ValueError):
        return ErrorCode.MALFORMED_PAYLOAD
