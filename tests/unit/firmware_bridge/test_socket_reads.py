"""Over ``socket://`` the host reads whatever has arrived in one call, so a link thread that wins
the GIL only every few milliseconds (another thread computing) still keeps up with its controller.

pyserial's socket handler reports ``in_waiting`` as 0 or 1; reading ``in_waiting`` bytes took one
byte per call, and with a CPU-bound thread beside it the link received 4 of the emulator's 95
status messages a second: its queue and acknowledgements went stale and the link fell silent.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import serial

from firmware_bridge.host import HostLink, read_available
from firmware_bridge.frames import HelloAck, Message

pytestmark = pytest.mark.process


def test_a_socket_port_gives_everything_that_arrived_in_one_read():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = serial.serial_for_url(f"socket://127.0.0.1:{server.getsockname()[1]}", timeout=0.001)
        try:
            peer, _ = server.accept()
            with peer:
                sent = bytes(range(256)) * 40
                peer.sendall(sent)
                received = b""
                deadline = time.monotonic() + 2.0
                while len(received) < len(sent) and time.monotonic() < deadline:
                    received += read_available(port)
                    if received:
                        break  # the first read that returns anything must return it all
                assert received == sent
                assert read_available(port) == b""  # nothing more: returns after the timeout
        finally:
            port.close()


class _Counter:
    """A LinkListener that counts the controller's messages."""

    def __init__(self) -> None:
        self.messages = 0
        self.downs = 0

    def on_session(self, ack: HelloAck, resumed: bool, lost: list[tuple[int, int, bytes]]) -> None:
        pass

    def on_message(self, message: Message) -> None:
        self.messages += 1

    def on_tick(self, link: HostLink) -> None:
        pass

    def on_link_down(self) -> None:
        self.downs += 1

    def on_handshaking(self, link: HostLink) -> None:
        pass


def test_the_link_keeps_up_with_the_controller_while_another_thread_computes(emulator_factory):
    emulator = emulator_factory("--tcp", "0")
    counter = _Counter()
    link = HostLink(emulator.tcp_url, counter)
    stop = threading.Event()

    def compute() -> None:  # holds the GIL but for the interpreter's switch interval
        while not stop.is_set():
            sum(range(1000))

    busy = threading.Thread(target=compute, daemon=True)
    try:
        link.start()
        link.wait_established(5.0)
        busy.start()
        first, started = counter.messages, time.monotonic()
        time.sleep(2.0)
        rate = (counter.messages - first) / (time.monotonic() - started)
    finally:
        stop.set()
        busy.join(2.0)
        link.close()
    # the emulator sends a status every 10 ms (100 a second); one byte per read gave 4 a second
    assert rate > 50, f"{rate:.1f} messages a second reached the host"
    assert counter.downs == 0
