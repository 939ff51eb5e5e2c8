"""The emulated controller's protocol logic on a fake clock: handshake, resume, OOB, watchdog."""

from __future__ import annotations

import numpy as np
import pytest

from cellctl.hw.types import ArmMode
from firmware_bridge.controller import Controller, ControllerConfig
from firmware_bridge.errors import ErrorCode
from firmware_bridge.frames import (
    PROTOCOL_VERSION, Enable, Event, Frame, Hello, HelloAck, Marker, MsgType, Reset, Setpoints, Status, Stop,
    parse_message,
)
from firmware_bridge.link import ReliableEndpoint

pytestmark = pytest.mark.unit


class Host:
    """A minimal host: handshake + reliable endpoint, talking to a Controller on a fake clock."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.link = ReliableEndpoint()
        self.now_us = 0
        self.received: list = []
        self.nonce = 77

    def hello(self, resume_epoch: int = 0, config_hash: int = 0, version: int = PROTOCOL_VERSION,
              repeat: bool = False) -> HelloAck:
        """A handshake (a new nonce each time, as the host draws one per port opening), or with
        ``repeat`` a copy of the last HELLO (the host resends it every 100 ms until answered)."""
        self.nonce += 0 if repeat else 1
        hello = Hello(version, resume_epoch, self.link.rx_next, self.nonce, config_hash)
        self.controller.on_frame(Frame(int(MsgType.HELLO), payload=hello.encode()), self.now_us)
        acks = [m for m in self.exchange() if isinstance(m, HelloAck)]
        ack = acks[-1]
        if repeat:
            return ack
        if ack.result == 0 and not (ack.resumed and resume_epoch == ack.epoch):
            self.link.reset(ack.epoch)
        elif ack.resumed:
            self.link.resume(ack.rx_next)
        return ack

    def exchange(self, ms: int = 2) -> list:
        messages = []
        for _ in range(ms):
            self.now_us += 1000
            for frame in self.link.poll(self.now_us * 1e-6):
                self.controller.on_frame(frame, self.now_us)
            for frame in self.controller.tick(self.now_us):
                if frame.type == MsgType.HELLO_ACK:
                    messages.append(parse_message(frame))
                    continue
                messages += [parse_message(f) for f in self.link.on_frame(frame, self.now_us * 1e-6)]
        self.received += messages
        return messages

    def status(self) -> Status:
        return [m for m in self.received if isinstance(m, Status)][-1]


@pytest.fixture
def host() -> Host:
    return Host(Controller(ControllerConfig(lease_ms=50)))


def test_handshake_reports_the_controller_configuration(host):
    ack = host.hello()
    cfg = host.controller.config
    assert ack.result == 0 and ack.dof == 7 and ack.config_hash == cfg.config_hash and ack.lease_ms == 50


@pytest.mark.parametrize(("kwargs", "code"), [({"version": 99}, ErrorCode.VERSION_MISMATCH),
                                              ({"config_hash": 1}, ErrorCode.CONFIG_MISMATCH)])
def test_handshake_refuses_mismatches(host, kwargs, code):
    assert host.hello(**kwargs).result == code


def test_resume_keeps_the_epoch_and_a_new_hello_starts_a_new_one(host):
    first = host.hello()
    host.link.send(Marker(5))
    host.exchange()
    resumed = host.hello(resume_epoch=first.epoch)
    assert resumed.resumed == 1 and resumed.epoch == first.epoch and resumed.rx_next == 2
    fresh = host.hello()
    assert fresh.resumed == 0 and fresh.epoch != first.epoch


def test_out_of_band_commands_execute_once_per_id(host):
    host.hello()
    host.link.send(Enable(1))
    host.exchange()
    stop = host.link.make(Stop(1, 1, 1))
    for _ in range(3):
        host.controller.on_frame(stop, host.now_us)
    host.exchange()
    assert host.status().mode == ArmMode.ESTOPPED and host.status().last_oob == 1
    host.controller.on_frame(host.link.make(Reset(2, 2)), host.now_us)
    host.exchange()
    assert host.status().mode == ArmMode.IDLE and host.status().faults == ()
    host.controller.on_frame(stop, host.now_us)  # a late duplicate of the old e-stop
    host.exchange()
    assert host.status().mode == ArmMode.IDLE


def test_watchdog_stops_and_latches_when_the_host_goes_silent(host):
    host.hello()
    host.link.send(Enable(1))
    host.exchange()
    start = host.now_us
    times = start + np.arange(1, 31, dtype=np.int64) * 10_000
    positions = np.outer(np.arange(30), np.full(7, 10_000)).astype(np.int32)
    host.link.send(Setpoints(0, 1, times, positions))
    host.exchange(10)
    assert host.status().mode == ArmMode.FOLLOWING
    silent_from = host.now_us
    controller = host.controller
    for _ in range(200):
        host.now_us += 1000
        controller.tick(host.now_us)
        if controller.mode is ArmMode.FAULTED:
            break
    assert controller.arm.faults == [ErrorCode.WATCHDOG_LEASE_EXPIRED]
    stopped_at = host.now_us
    assert stopped_at - silent_from <= (50 + 100 + 2) * 1000  # lease + stop ramp
    host.link.send(Setpoints(0, 1, times + 1_000_000, positions))
    host.exchange(3)
    assert any(getattr(m, "code", None) == ErrorCode.FAULT_LATCHED for m in host.received)


def test_a_late_copy_of_the_hello_gets_the_same_answer_and_no_second_session(host):
    first = host.hello()
    host.link.send(Marker(9))
    host.exchange()
    late = host.hello(repeat=True)
    assert (late.epoch, late.resumed, late.result) == (first.epoch, first.resumed, 0)
    assert host.controller.counters["handshakes"] == 1 and host.controller.counters["duplicate_hellos"] == 1
    host.link.send(Marker(10))  # the session the host took goes on
    host.exchange()
    assert host.status().last_marker == 10


def test_a_zero_count_batch_is_malformed_and_refused_with_an_event(host):
    host.hello()
    empty = Setpoints(0, 0, np.zeros(0, np.int64), np.zeros((0, 7), np.int32))
    seq = host.link.send(empty)
    events = [m for m in host.exchange(4) if isinstance(m, Event)]
    assert [(e.code, e.ref) for e in events] == [(ErrorCode.MALFORMED_PAYLOAD, seq)]
    assert host.controller.counters["malformed"] == 1


def test_the_same_nonce_long_after_is_a_new_handshake_not_a_copy(host):
    first = host.hello()
    host.exchange(2100)  # > 2 s: no copy of a HELLO is that late
    again = host.hello(repeat=True)
    assert again.epoch != first.epoch and host.controller.counters["handshakes"] == 2
