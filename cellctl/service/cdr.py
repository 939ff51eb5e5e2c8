"""CDR (XCDR1, little endian) encoding of ROS 2 messages: the bytes rmw_zenoh and DDS carry.

A serialized message starts with the 4-byte encapsulation header ``00 01 00 00`` (CDR_LE);
every primitive is aligned to its own size counted from the end of that header; a string is a
``uint32`` length (with the terminating NUL), its UTF-8 bytes and the NUL; a sequence is a
``uint32`` count and its elements; a fixed array only its elements. Messages are plain dicts
(nested messages are dicts, arrays any sequence; ``uint8[]`` may be ``bytes``).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from cellctl.service.idl import Field, MessageType

HEADER = b"\x00\x01\x00\x00"

_PRIMITIVE: dict[str, tuple[str, int]] = {
    "bool": ("?", 1), "byte": ("B", 1), "char": ("B", 1), "int8": ("b", 1), "uint8": ("B", 1),
    "int16": ("h", 2), "uint16": ("H", 2), "int32": ("i", 4), "uint32": ("I", 4),
    "int64": ("q", 8), "uint64": ("Q", 8), "float32": ("f", 4), "float64": ("d", 8),
}


class CdrError(ValueError):
    """Bytes that are not a CDR message of the expected type, or a value that does not fit its field."""


class Codec:
    """Encodes and decodes the messages of a set of types (looked up by full name)."""

    def __init__(self, types: Mapping[str, MessageType]) -> None:
        self.types = types
        self._packed = {name: packed for name, msg in types.items() if (packed := _packed(msg)) is not None}

    # ------------------------------------------------------------------ encoding
    def encode(self, type_name: str, value: Mapping[str, Any]) -> bytes:
        """The CDR bytes (with encapsulation header) of ``value`` as a ``type_name``."""
        out = bytearray(HEADER)
        try:
            self._write_struct(out, self.types[type_name], value)
        except (struct.error, TypeError, KeyError) as exc:
            raise CdrError(f"{type_name}: cannot encode {value!r}: {exc}") from None
        return bytes(out)

    def _write_struct(self, out: bytearray, msg: MessageType, value: Mapping[str, Any]) -> None:
        packed = self._packed.get(msg.name)
        if packed is not None:  # e.g. Time, Vector3, Quaternion: one pack, no padding inside
            layout, size = packed
            _align(out, size)
            out += layout.pack(*(value[field.name] for field in msg.fields))
            return
        if not msg.fields:
            out += b"\x00"  # an empty struct carries one padding byte, as rosidl generates
        for field in msg.fields:
            self._write_field(out, field, value[field.name])

    def _write_field(self, out: bytearray, field: Field, value: Any) -> None:
        if field.array == "":
            self._write_one(out, field.base, value)
            return
        items = value if isinstance(value, (bytes, bytearray)) else list(value)
        if field.array == "fixed" and len(items) != field.size:
            raise TypeError(f"field {field.name} needs exactly {field.size} items, got {len(items)}")
        if field.array == "bounded" and len(items) > field.size:
            raise TypeError(f"field {field.name} holds at most {field.size} items, got {len(items)}")
        if field.array != "fixed":
            _align(out, 4)
            out += struct.pack("<I", len(items))
        if field.base in _PRIMITIVE and field.base != "bool":
            code, size = _PRIMITIVE[field.base]
            if items:
                _align(out, size)
                out += items if isinstance(items, (bytes, bytearray)) else struct.pack(f"<{len(items)}{code}", *items)
            return
        for item in items:
            self._write_one(out, field.base, item)

    def _write_one(self, out: bytearray, base: str, value: Any) -> None:
        if base == "string":
            data = value.encode("utf-8") + b"\x00"
            _align(out, 4)
            out += struct.pack("<I", len(data)) + data
        elif base in _PRIMITIVE:
            code, size = _PRIMITIVE[base]
            _align(out, size)
            out += struct.pack("<" + code, value)
        else:
            self._write_struct(out, self.types[base], value)

    # ------------------------------------------------------------------ decoding
    def decode(self, type_name: str, data: bytes) -> dict[str, Any]:
        """The message (a dict) in ``data``; CdrError names what is wrong."""
        if bytes(data[:2]) != HEADER[:2]:
            raise CdrError(f"{type_name}: not little-endian CDR (encapsulation header {bytes(data[:4]).hex()}, "
                           f"expected {HEADER.hex()})")
        reader = _Reader(memoryview(data))
        try:
            return self._read_struct(reader, self.types[type_name])
        except (struct.error, UnicodeDecodeError, IndexError) as exc:
            raise CdrError(f"{type_name}: {len(data)} bytes are not a valid message ({exc})") from None

    def _read_struct(self, reader: _Reader, msg: MessageType) -> dict[str, Any]:
        if not msg.fields:
            reader.take(1)
            return {}
        return {field.name: self._read_field(reader, field) for field in msg.fields}

    def _read_field(self, reader: _Reader, field: Field) -> Any:
        if field.array == "":
            return self._read_one(reader, field.base)
        count = field.size if field.array == "fixed" else reader.unpack("I", 4)
        if field.base in _PRIMITIVE and field.base != "bool":
            code, size = _PRIMITIVE[field.base]
            if count == 0:
                return []
            reader.align(size)
            if field.base in ("uint8", "byte", "char"):
                return bytes(reader.take(count))
            return list(struct.unpack(f"<{count}{code}", reader.take(count * size)))
        return [self._read_one(reader, field.base) for _ in range(count)]

    def _read_one(self, reader: _Reader, base: str) -> Any:
        if base == "string":
            length = reader.unpack("I", 4)
            return bytes(reader.take(length))[:-1].decode("utf-8")
        if base in _PRIMITIVE:
            code, size = _PRIMITIVE[base]
            return reader.unpack(code, size)
        return self._read_struct(reader, self.types[base])


def _packed(msg: MessageType) -> tuple[struct.Struct, int] | None:
    """For a struct of single primitives all of one size (so no padding between them): one
    ``struct`` layout packing it whole, and that size; else None."""
    if not msg.fields or any(f.array or f.base not in _PRIMITIVE for f in msg.fields):
        return None
    sizes = {_PRIMITIVE[f.base][1] for f in msg.fields}
    if len(sizes) != 1:
        return None
    return struct.Struct("<" + "".join(_PRIMITIVE[f.base][0] for f in msg.fields)), sizes.pop()


def _align(out: bytearray, size: int) -> None:
    out += b"\x00" * (-(len(out) - len(HEADER)) % size)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, len(HEADER)

    def align(self, size: int) -> None:
        self.pos += -(self.pos - len(HEADER)) % size

    def take(self, count: int) -> memoryview:
        if self.pos + count > len(self.data):
            raise IndexError(f"message ends at byte {len(self.data)}, field needs {self.pos + count}")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def unpack(self, code: str, size: int) -> Any:
        self.align(size)
        return struct.unpack("<" + code, self.take(size))[0]

