"""Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999).

COBS removes every 0x00 from a block at a cost of at most one byte per 254, so 0x00 can
delimit frames on the wire: a receiver that loses sync simply waits for the next 0x00.
"""

from __future__ import annotations

__all__ = ["encode", "decode", "CobsError", "max_encoded_length"]


class CobsError(ValueError):
    """A block is not valid COBS (a zero byte inside, or a code byte pointing past the end)."""


def max_encoded_length(length: int) -> int:
    """Worst-case encoded size of a ``length``-byte block (without the 0x00 delimiter)."""
    return length + length // 254 + 1


def encode(data: bytes | bytearray) -> bytes:
    """Encode ``data`` so that the result contains no 0x00 byte (delimiter not appended)."""
    out = bytearray()
    for chunk in bytes(data).split(b"\x00"):
        while len(chunk) >= 254:
            out.append(0xFF)
            out += chunk[:254]
            chunk = chunk[254:]
        out.append(len(chunk) + 1)
        out += chunk
    return bytes(out)


def decode(block: bytes | bytearray) -> bytes:
    """Decode one COBS block (without its 0x00 delimiter).

    Raises:
        CobsError: the block contains 0x00 or a code byte runs past its end.
    """
    data = bytes(block)
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise CobsError(f"zero byte at offset {i} inside a COBS block")
        end = i + code
        if end > n:
            raise CobsError(f"code byte {code} at offset {i} runs past the block end ({n} bytes)")
        segment = data[i + 1 : end]
        if 0 in segment:
            raise CobsError(f"zero byte inside the segment starting at offset {i}")
        out += segment
        if code != 0xFF and end < n:
            out.append(0)
        i = end
    return bytes(out)
