"""CRC-32C (Castagnoli), the frame integrity check of the serial protocol.

Parameters (CRC catalogue "CRC-32/ISCSI"): reflected polynomial 0x82F63B78, init 0xFFFFFFFF,
reflect in/out, xorout 0xFFFFFFFF; check value of b"123456789" is 0xE3069283. Many MCUs
compute it in hardware; the table-driven form below is what a firmware author would port.
"""

from __future__ import annotations

import crc32c as _accelerated

__all__ = ["crc32c", "crc32c_reference", "CHECK_VALUE"]

_POLY = 0x82F63B78
CHECK_VALUE = 0xE3069283
"""crc32c(b"123456789")."""


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc32c(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """Return the CRC-32C of ``data``; pass a previous result as ``crc`` to continue it.

    Computed by the ``crc32c`` package (SSE4.2/ARMv8 instructions or its C tables): the link
    checks every frame, and the Python loop below took a tenth of a loaded host's link thread."""
    return _accelerated.crc32c(data, value=crc)


def crc32c_reference(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """:func:`crc32c` in plain table-driven form: the reference a firmware author ports."""
    table = _TABLE
    value = crc ^ 0xFFFFFFFF
    for byte in bytes(data):
        value = table[(value ^ byte) & 0xFF] ^ (value >> 8)
    return value ^ 0xFFFFFFFF
