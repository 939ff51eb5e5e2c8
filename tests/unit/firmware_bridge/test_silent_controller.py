"""A controller whose answers stop arriving for longer than the host's silence timeout, while it
still hears the host: the host handshakes again on the open port (no reopen), the session
resumes, and the motion plays on without a fault; a stop asked meanwhile reaches the controller
at once (docs/protocol.md section 2, item 5)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from cellctl.hw.errors import LinkLost
from cellctl.hw.types import ArmMode, StopKind
from firmware_bridge.backend import SerialSystem
from firmware_bridge.host import LinkOptions, LinkStats
from firmware_bridge.proxy import FaultProxy
from firmware_bridge.testing import read_journal

pytestmark = pytest.mark.process

DEAF = 0.7
"""Seconds the controller's answers are lost: beyond the host's 0.5 s silence timeout."""
OPTIONS = LinkOptions(handshake_retry=5.0)
"""The handshake after the silence may wait 5 s before the port is reopened (1 s by default): the
proxy's forwarding thread shares this process with the host's link thread, and beside busy
processes it once delivered the answer more than 1 s late. This test is about where the host
handshakes, not how long it waits; the controller's lease is 5 s for the same reason (its
watchdog is test_watchdog.py's subject)."""


@dataclass
class Moving:
    """An arm in the middle of a 3.6 s motion behind a fault proxy, and its emulator's journal."""

    system: SerialSystem
    proxy: FaultProxy
    times: np.ndarray
    positions: np.ndarray
    journal: Path

    def go_deaf(self, seconds: float) -> LinkStats:
        """Lose the controller's answers for ``seconds``; returns the link's statistics from before,
        once the host has noticed the silence."""
        before = self.system.link_stats()
        self.proxy.mute_to_host(seconds)
        deadline = time.monotonic() + 5.0
        while self.system.link_stats().disconnects == before.disconnects and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.system.link_stats().disconnects == before.disconnects + 1, "the host did not notice the silence"
        return before


@pytest.fixture
def moving(emulator_factory, system_factory, tmp_path: Path) -> Iterator[Moving]:
    emulator = emulator_factory("--lease-ms", "5000")
    proxy = FaultProxy(emulator.url, link=str(tmp_path / "host"))
    proxy.start()
    try:
        system = system_factory(proxy.link, options=OPTIONS)
        system.configure()
        system.activate()
        start = system.now() + 0.3
        times = start + np.arange(1800) * 0.002  # 3.6 s; fits the controller's queue: all queued early
        positions = np.outer(np.linspace(0.0, 1.0, times.size), np.full(7, 0.4))
        system.arm.submit(times, positions)
        system.arm.wait_status(lambda s: s.mode is ArmMode.FOLLOWING and s.time > start + 0.2, timeout=5.0)
        yield Moving(system, proxy, times, positions, tmp_path / "emu.jsonl")
    finally:
        proxy.stop()


def test_answers_lost_for_longer_than_the_silence_timeout_resume_on_the_open_port(moving: Moving) -> None:
    system, arm = moving.system, moving.system.arm
    before = moving.go_deaf(DEAF)
    final = arm.wait_status(lambda s: s.mode is ArmMode.IDLE and s.queue_depth == 0 and s.time > moving.times[-1],
                            timeout=10.0)
    stats = system.link_stats()
    system.shutdown()
    assert final.faults == (), f"the arm faulted: {final.faults}"
    assert np.allclose(final.positions, moving.positions[-1], atol=1e-6)
    # every silence (one here; a busy machine may add one) ended in a resume on the same port
    assert stats.resumes - before.resumes == stats.disconnects - before.disconnects >= 1, stats
    assert stats.reopens == 0, stats
    assert stats.connected
    journal = read_journal(str(moving.journal))
    assert not [r for r in journal if r["k"] == "watchdog"], "the controller's lease ran out"
    hellos = [r for r in journal if r["k"] == "hello"]
    assert hellos[-1]["resumed"] == 1 and len({r["epoch"] for r in hellos}) == 1  # one session throughout


def test_a_stop_reaches_a_controller_that_still_hears_the_host_while_its_answers_are_lost(moving: Moving) -> None:
    """The host cannot confirm the stop (no answers), says so at once, and keeps sending it with
    its handshakes: the controller hears it and stops, long before its queue would have run out."""
    system, arm = moving.system, moving.system.arm
    moving.go_deaf(3.0)
    with pytest.raises(LinkLost, match="keeps sending it"):
        arm.stop(StopKind.EMERGENCY)
    stopped_at = system.now()
    final = arm.wait_status(lambda s: s.mode is ArmMode.ESTOPPED and not s.is_moving, timeout=10.0)
    system.shutdown()
    stops = [r for r in read_journal(str(moving.journal)) if r["k"] == "stop"]
    assert stops and stops[0]["kind"] == int(StopKind.EMERGENCY), stops
    assert stops[0]["t"] * 1e-6 < stopped_at + 1.0, "the stop reached the controller only after the answers came back"
    assert final.positions.max() < 0.3, "the arm played on towards the end of its queue"
