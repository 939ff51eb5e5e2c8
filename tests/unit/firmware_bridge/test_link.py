"""The reliable channel: exactly once, in order, through loss, duplication, reordering and wrap."""

from __future__ import annotations

import random

import pytest

from firmware_bridge.frames import Frame, Marker, parse_message
from firmware_bridge.link import SEQ_MOD, ReliableEndpoint, seq_diff

pytestmark = pytest.mark.unit


def _run(loss: float, dup: float, reorder: float, count: int, seed: int, start_seq: int = 1) -> tuple[list[int], ReliableEndpoint]:
    sender, receiver = ReliableEndpoint(), ReliableEndpoint()
    sender._tx_next = start_seq
    receiver._rx_next = start_seq
    rng = random.Random(seed)
    got: list[int] = []
    queued, now = 0, 0.0
    delayed: list[tuple[float, object, object]] = []

    def deliver(frame, dest, at):
        if rng.random() < loss:
            return
        copies = 2 if rng.random() < dup else 1
        for _ in range(copies):
            delay = rng.random() * 0.01 if rng.random() < reorder else 0.0
            delayed.append((at + delay, frame, dest))

    while len(got) < count and now < 120.0:
        now += 0.001
        while queued < count and sender.window_free:
            sender.send(Marker(queued))
            queued += 1
        for frame in sender.poll(now):
            deliver(frame, receiver, now)
        for frame in receiver.poll(now):
            deliver(frame, sender, now)
        due = [d for d in delayed if d[0] <= now]
        delayed[:] = [d for d in delayed if d[0] > now]
        for _, frame, dest in due:
            for out in dest.on_frame(frame, now):
                got.append(parse_message(out).marker)
    return got, sender


@pytest.mark.parametrize(("loss", "dup", "reorder"), [(0.0, 0.0, 0.0), (0.3, 0.0, 0.0), (0.1, 0.2, 0.3)])
def test_messages_are_delivered_exactly_once_in_order(loss, dup, reorder):
    got, sender = _run(loss, dup, reorder, count=1500, seed=11)
    assert got == list(range(1500))
    if loss:
        assert sender.stats.retransmits > 0


def test_sequence_numbers_wrap_around_2_32():
    got, _ = _run(0.1, 0.05, 0.1, count=300, seed=2, start_seq=SEQ_MOD - 100)
    assert got == list(range(300))


def test_serial_number_arithmetic():
    assert seq_diff(5, 3) == 2
    assert seq_diff(3, 5) == -2
    assert seq_diff(2, SEQ_MOD - 2) == 4


def test_reset_returns_the_unacknowledged_commands():
    endpoint = ReliableEndpoint()
    endpoint.send(Marker(1))
    endpoint.send(Marker(2))
    endpoint.poll(0.0)
    lost = endpoint.reset(epoch=9)
    assert [seq for seq, _, _ in lost] == [1, 2]
    assert endpoint.epoch == 9 and endpoint.unacknowledged == 0


def test_frames_of_another_epoch_are_refused():
    sender, receiver = ReliableEndpoint(), ReliableEndpoint()
    sender.reset(epoch=1)
    receiver.reset(epoch=2)
    sender.send(Marker(1))
    (frame,) = sender.poll(0.0)
    assert receiver.on_frame(frame, 0.0) == []
    assert receiver.stats.stale_epoch == 1


def test_resume_retransmits_only_what_the_peer_lacks():
    endpoint = ReliableEndpoint()
    for i in range(4):
        endpoint.send(Marker(i))
    endpoint.poll(0.0)
    endpoint.resume(peer_rx_next=3)
    frames = endpoint.poll(0.001)
    assert [f.seq for f in frames] == [3, 4]


def test_window_is_limited_by_the_sack_bitmap():
    with pytest.raises(ValueError, match="window=33"):
        ReliableEndpoint(window=33)


def test_a_receiver_drops_frames_beyond_its_window_and_a_sender_keeps_to_the_peers_window():
    sender, receiver = ReliableEndpoint(), ReliableEndpoint(rx_window=4)
    sender.limit_window(receiver.rx_window)
    for i in range(10):
        sender.send(Marker(i))
    frames = sender.poll(0.0)
    assert [f.seq for f in frames] == [1, 2, 3, 4]  # the peer's window, not 32
    assert receiver.on_frame(frames[2], 0.0) == [] and receiver.on_frame(frames[3], 0.0) == []  # buffered
    beyond = Frame(frames[0].type, frames[0].flags, frames[0].epoch, 5, 0, 0, Marker(99).encode())
    assert receiver.on_frame(beyond, 0.0) == [] and receiver.stats.beyond_window == 1
    delivered = receiver.on_frame(frames[0], 0.0) + receiver.on_frame(frames[1], 0.0)
    assert [parse_message(f).marker for f in delivered] == [0, 1, 2, 3]  # seq 5 was not kept
    assert receiver.rx_next == 5
