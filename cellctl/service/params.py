"""Parameter values in the shape of ``rcl_interfaces/ParameterValue`` (scalars: bool, integer, double, string)."""

from __future__ import annotations

from typing import Any

_PARAMETER_FIELDS = {bool: (1, "bool_value"), int: (2, "integer_value"), float: (3, "double_value"),
                     str: (4, "string_value")}


def parameter_value(value: object) -> dict[str, Any]:
    """An ``rcl_interfaces/ParameterValue`` holding ``value`` (scalars)."""
    message: dict[str, Any] = {"type": 0, "bool_value": False, "integer_value": 0, "double_value": 0.0,
                               "string_value": "", "byte_array_value": b"", "bool_array_value": [],
                               "integer_array_value": [], "double_array_value": [], "string_array_value": []}
    kind = _PARAMETER_FIELDS.get(type(value))
    if kind is not None:
        message["type"], message[kind[1]] = kind[0], value
    return message


def python_value(message: dict[str, Any]) -> object:
    """The scalar in an ``rcl_interfaces/ParameterValue``."""
    for kind, name in _PARAMETER_FIELDS.values():
        if message["type"] == kind:
            return message[name]
    raise ValueError(f"parameter values of type {message['type']} are not supported (bool, integer, double, string)")
