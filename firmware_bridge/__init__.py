"""firmware_bridge: the serial link between cellctl and a robot controller.

One module per concept (see docs/protocol.md for the wire protocol):

* ``cobs``, ``crc``, ``frames`` — framing, integrity, message layouts; the decoder never raises;
* ``link`` — the reliable sequenced channel (selective repeat), pure logic;
* ``host`` — the host side: pyserial URL, I/O thread, handshake, resume, clock sync, statistics;
* ``backend`` — ``SerialSystem`` / ``SerialArm``, the ``cellctl.hw`` contract over the link;
* ``emulator`` — a controller emulator (its own process, on a pseudo-terminal and TCP);
* ``proxy`` — a seeded fault-injecting proxy for tests;
* ``errors`` — numbered protocol error codes with meanings and actions.
"""

from firmware_bridge.frames import PROTOCOL_VERSION

__all__ = ["PROTOCOL_VERSION"]
