"""Frame encoding/decoding and message layouts; the decoder never raises on garbage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import (
    MESSAGES, BackOut, Event, Frame, FrameDecoder, Gripper, Hello, HelloAck, Marker, OverrideMsg, Screw, Setpoints, Status,
    ToolCurve, encode_frame, parse_message,
)

pytestmark = pytest.mark.unit

EXAMPLES = [
    Hello(1, 7, 9, 1234, 0xDEADBEEF),
    HelloAck(0, 3, 7, 1, 7, 2000, 250, 0x1234, 99, 5, 123456789, 8, 512, "emu"),
    Setpoints(3, 1, np.array([10, 20], np.int64), np.arange(14, dtype=np.int32).reshape(2, 7) - 7),
    Gripper(5, 1, 20000, 10000, 50000),
    Screw(6, 2, 100000, 90000, 120000, 600000, 900000, 600000, 5000),
    BackOut(8, 2, 3_600_000, 5000),
    Marker(42),
    OverrideMsg(9, 5000),
    Status(1, 900_000, 7500, 1, 1, 2, 3, 4, 5, 6, np.arange(7, dtype=np.int32), -np.arange(7, dtype=np.int32), (301, 303)),
    ToolCurve(6, 16, 300, np.arange(10, dtype=np.int32).reshape(5, 2)),
    Event(203, 17, "late"),
]


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_a_frame(message):
    frame = Frame(int(message.TYPE), 1, 3, 4, 5, 6, message.encode())
    (decoded,) = FrameDecoder().feed(encode_frame(frame))
    assert decoded == frame
    assert _same(parse_message(decoded), message)


def test_decoder_resynchronises_after_garbage_and_counts_it():
    good = encode_frame(Frame(int(Marker.TYPE), payload=Marker(1).encode()))
    corrupted = bytearray(good)
    corrupted[3] ^= 0x10
    decoder = FrameDecoder()
    frames = decoder.feed(b"\x05\x07garbage\x00" + bytes(corrupted) + good[:5])
    frames += decoder.feed(good[5:] + b"\xff" * 5000 + b"\x00" + good)
    assert [parse_message(f) for f in frames] == [Marker(1), Marker(1)]
    assert decoder.counters["crc_errors"] + decoder.counters["framing_errors"] >= 2
    assert decoder.counters["oversize"] == 1


def test_unknown_type_and_short_payload_are_reported_not_raised():
    assert parse_message(Frame(0x55, payload=b"")) is ErrorCode.UNKNOWN_MESSAGE
    assert parse_message(Frame(int(Status.TYPE), payload=b"\x01\x02")) is ErrorCode.MALFORMED_PAYLOAD


def test_setpoint_positions_carry_1e_7_rad_resolution():
    message = Setpoints(0, 0, np.array([1], np.int64), np.array([[2**31 - 1, -(2**31), 1, 0, 0, 0, 0]], np.int32))
    decoded = parse_message(Frame(int(message.TYPE), payload=message.encode()))
    assert decoded.positions.tolist() == message.positions.tolist()
    assert Setpoints.max_count(7) == 28


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_decoder_never_raises_on_random_bytes(chunks):
    decoder = FrameDecoder()
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            parse_message(frame)


@settings(max_examples=300)
@given(st.sampled_from(EXAMPLES), st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6),
       st.integers(0, 40), st.booleans())
def test_decoder_never_raises_on_mutated_frames(message, flips, cut, duplicate):
    wire = bytearray(encode_frame(Frame(int(message.TYPE), 1, 2, 3, 4, 5, message.encode())))
    for position, value in flips:
        wire[position % len(wire)] = value
    data = bytes(wire[: len(wire) - cut]) * (2 if duplicate else 1)
    decoder = FrameDecoder()
    for frame in decoder.feed(data):
        assert isinstance(parse_message(frame), (ErrorCode, *MESSAGES.values()))


@given(st.sampled_from(sorted(MESSAGES)), st.binary(max_size=200))
def test_parse_message_never_raises_on_any_payload_with_a_valid_crc(kind, payload):
    result = parse_message(Frame(kind, payload=payload))
    assert isinstance(result, (ErrorCode, *MESSAGES.values()))


def test_a_decoder_with_a_smaller_max_payload_discards_longer_frames_and_keeps_the_next():
    decoder = FrameDecoder(max_payload=512)
    long = encode_frame(Frame(0x10, payload=bytes(range(1, 256)) * 3))  # 765 bytes
    short = encode_frame(Frame(0x14, payload=b"\x01\x02\x03\x04"))
    frames = decoder.feed(long + short)
    assert [f.type for f in frames] == [0x14] and decoder.counters["oversize"] == 1
    assert Setpoints.max_count(7, 512) == 14 and Setpoints.max_count(7) == 28
