"""ROS 2 interface definitions (``.msg`` text) parsed into schemas the CDR codec and the type hash use.

A definition is the text of a ``.msg`` file: one ``type name`` per line, ``#`` comments, constants
(``uint8 IDLE=0``, kept for documentation, not encoded). Types are primitives, ``string``,
nested messages (``pkg/Name``, or ``Name`` in the same package; ``Header`` is ``std_msgs/Header``),
and arrays: ``T[]`` (sequence), ``T[N]`` (fixed) and ``T[<=N]`` (bounded sequence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIMITIVES = ("bool", "byte", "char", "int8", "uint8", "int16", "uint16", "int32", "uint32",
              "int64", "uint64", "float32", "float64", "string")

_FIELD = re.compile(r"^(?P<type>[A-Za-z][\w/]*)(?P<array>\[(?P<bound><=)?(?P<size>\d*)\])?\s+(?P<name>[a-z]\w*)$")


class InterfaceError(ValueError):
    """A definition that cannot be parsed; the message names the type, line and what would be valid."""


@dataclass(frozen=True)
class Field:
    """One field: ``base`` is a primitive name or a full message name (``pkg/msg/Name``)."""

    name: str
    base: str
    array: str = ""        # "", "sequence", "fixed" or "bounded"
    size: int = 0          # the N of T[N] and T[<=N]

    @property
    def nested(self) -> bool:
        return self.base not in PRIMITIVES


@dataclass(frozen=True)
class MessageType:
    """A parsed message: its full name (``pkg/msg/Name``) and fields in order."""

    name: str
    fields: tuple[Field, ...]

    @property
    def dds_name(self) -> str:
        """The name rmw_zenoh puts in key expressions: ``pkg::msg::dds_::Name_``."""
        package, kind, short = self.name.split("/")
        return f"{package}::{kind}::dds_::{short}_"


def _full_name(type_name: str, package: str) -> str:
    if type_name == "Header":
        return "std_msgs/msg/Header"
    parts = type_name.split("/")
    if len(parts) == 1:
        return f"{package}/msg/{type_name}"
    if len(parts) == 2:
        return f"{parts[0]}/msg/{parts[1]}"
    return type_name


def parse(name: str, text: str) -> MessageType:
    """Parse the ``.msg`` text of message ``name`` (``pkg/msg/Name``).

    Raises:
        InterfaceError: naming the line and what is wrong.
    """
    package = name.split("/")[0]
    fields = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or "=" in line:  # blank, comment or constant
            continue
        match = _FIELD.match(" ".join(line.split()))
        if match is None:
            raise InterfaceError(f"{name} line {number}: {raw.strip()!r} is not 'type name' "
                                 "(type: a primitive, string, pkg/Message, with [] / [N] / [<=N])")
        base = match["type"]
        base = base if base in PRIMITIVES else _full_name(base, package)
        array, size = "", 0
        if match["array"]:
            size = int(match["size"]) if match["size"] else 0
            array = "bounded" if match["bound"] else ("fixed" if size else "sequence")
        fields.append(Field(match["name"], base, array, size))
    return MessageType(name, tuple(fields))
