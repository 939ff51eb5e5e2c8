"""CDR (XCDR1, little endian) encoding of ROS 2 messages: the bytes rmw_zenoh and DDS carry.

A serialized message starts with the 4-byte encapsulation header ``00 01 00 00`` (CDR_LE);
every primitive is aligned to its own size counted from the end of that header; a string is a
``uint32`` length (with the terminating NUL), its UTF-8 bytes and the NUL; a sequence is a
``uint32`` count and its elements; a fixed array only its elements. Messages are plain dicts
(nested messages are dicts, arrays any sequence; ``uint8[]`` may be ``bytes``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from typing import Any

from cellctl.service.idl import Field, MessageType

HEADER = b"\x00\x01\x00\x00"

_PRIMITIVE: dict[str, tuple[str, int]] = {
    "bool": ("?", 1), "byte": ("B", 1), "char": ("B", 1), "int8": ("b", 1), "uint8": ("B", 1),
    "int16": ("h", 2), "uint16": ("H", 2), "int32": ("i", 4), "uint32": ("I", 4),
    "int64": ("q", 8), "uint64": ("Q", 8), "float32": ("f", 4), "float64": ("d", 8),
}


_UINT32 = struct.Struct("<I")
_BLOCKS: dict[tuple[str, int], struct.Struct] = {}


def _block(code: str, count: int) -> struct.Struct:
    """The compiled layout of ``count`` primitives of struct code ``code`` (kept: arrays repeat their length)."""
    layout = _BLOCKS.get((code, count))
    if layout is None:
        layout = _BLOCKS[(code, count)] = struct.Struct(f"<{count}{code}")
    return layout
_Write = Callable[[bytearray, Any], None]


class CdrError(ValueError):
    """Bytes that are not a CDR message of the expected type, or a value that does not fit its field."""


class Codec:
    """Encodes and decodes the messages of a set of types (looked up by full name)."""

    def __init__(self, types: Mapping[str, MessageType]) -> None:
        self.types = types
        self._writers: dict[str, _Write] = {}

    # ------------------------------------------------------------------ encoding
    def encode(self, type_name: str, value: Mapping[str, Any]) -> bytes:
        """The CDR bytes (with encapsulation header) of ``value`` as a ``type_name``."""
        out = bytearray(HEADER)
        try:
            self._writer(type_name)(out, value)
        except (struct.error, TypeError, KeyError) as exc:
            raise CdrError(f"{type_name}: cannot encode {value!r}: {exc}") from None
        return bytes(out)

    def _writer(self, type_name: str) -> _Write:
        """The function writing a ``type_name`` (built once per type: the per-field decisions are
        taken here, not for every message)."""
        writer = self._writers.get(type_name)
        if writer is None:
            writer = self._writers[type_name] = self._build_writer(self.types[type_name])
        return writer

    def _build_writer(self, msg: MessageType) -> _Write:
        packed = _packed(msg)
        if packed is not None:  # e.g. Time, Vector3, Quaternion: one pack, no padding inside
            layout, size = packed
            names = tuple(field.name for field in msg.fields)

            def write_packed(out: bytearray, value: Mapping[str, Any]) -> None:
                _align(out, size)
                out += layout.pack(*[value[name] for name in names])
            return write_packed
        if not msg.fields:
            def write_empty(out: bytearray, value: Mapping[str, Any]) -> None:
                out += b"\x00"  # an empty struct carries one padding byte, as rosidl generates
            return write_empty
        fields = tuple((field.name, self._field_writer(field)) for field in msg.fields)

        def write_struct(out: bytearray, value: Mapping[str, Any]) -> None:
            for name, write in fields:
                write(out, value[name])
        return write_struct

    def _field_writer(self, field: Field) -> _Write:
        one = self._one_writer(field.base)
        if field.array == "":
            return one
        if field.base == "string":
            return _strings_writer(field)
        name, kind, bound = field.name, field.array, field.size
        code, size = _PRIMITIVE.get(field.base, ("", 0))
        block = bool(code) and field.base != "bool"  # primitives packed in one go

        def write_array(out: bytearray, value: Any) -> None:
            items = value if isinstance(value, (bytes, bytearray)) else list(value)
            if kind == "fixed" and len(items) != bound:
                raise TypeError(f"field {name} needs exactly {bound} items, got {len(items)}")
            if kind == "bounded" and len(items) > bound:
                raise TypeError(f"field {name} holds at most {bound} items, got {len(items)}")
            if kind != "fixed":
                _align(out, 4)
                out += _UINT32.pack(len(items))
            if block:
                if items:
                    _align(out, size)
                    out += items if isinstance(items, (bytes, bytearray)) else _block(code, len(items)).pack(*items)
                return
            for item in items:
                one(out, item)
        return write_array

    def _one_writer(self, base: str) -> _Write:
        if base == "string":
            def write_string(out: bytearray, value: Any) -> None:
                data = value.encode("utf-8") + b"\x00"
                _align(out, 4)
                out += _UINT32.pack(len(data)) + data
            return write_string
        if base in _PRIMITIVE:
            code, size = _PRIMITIVE[base]
            layout = struct.Struct("<" + code)

            def write_primitive(out: bytearray, value: Any) -> None:
                _align(out, size)
                out += layout.pack(value)
            return write_primitive
        return self._writer(base)  # ROS 2 messages do not nest themselves: built first

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


_STRINGS_CACHED = 256
"""Distinct string arrays whose bytes a writer keeps (joint names, frame lists: a few per cell)."""


def _strings_writer(field: Field) -> _Write:
    """The writer of a string array. The bytes of its elements do not depend on where the array
    starts (each length is 4-aligned from a 4-aligned start), so the arrays a cell sends again
    and again (the joint names of every JointState) are encoded once and copied after that."""
    name, kind, bound = field.name, field.array, field.size
    cache: dict[tuple[str, ...], bytes] = {}

    def write_strings(out: bytearray, value: Any) -> None:
        items = tuple(value)
        if kind == "fixed" and len(items) != bound:
            raise TypeError(f"field {name} needs exactly {bound} items, got {len(items)}")
        if kind == "bounded" and len(items) > bound:
            raise TypeError(f"field {name} holds at most {bound} items, got {len(items)}")
        _align(out, 4)
        if kind != "fixed":
            out += _UINT32.pack(len(items))
        block = cache.get(items)
        if block is None:
            encoded = bytearray(HEADER)  # a 4-aligned start, as in every message
            for item in items:
                data = item.encode("utf-8") + b"\x00"
                _align(encoded, 4)
                encoded += _UINT32.pack(len(data)) + data
            block = bytes(encoded[len(HEADER):])
            if len(cache) < _STRINGS_CACHED:
                cache[items] = block
        out += block
    return write_strings


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

