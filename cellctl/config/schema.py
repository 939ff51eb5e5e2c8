"""Schema checks on located YAML nodes: typed, range-checked reads and loud unknown keys.

A :class:`MapReader` wraps one mapping. Each read names the key's dotted path in its error
(``arms.loader.limits.velocity[2]``), checks the type and range as the value is read, and says
what would be valid. :meth:`MapReader.finish` then fails on any key nobody read, suggesting the
closest valid key. Shared by the cell-description loader and the supervisor's recipe loader.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence

import numpy as np

from cellctl.config.errors import ConfigError, Mark
from cellctl.config.yaml_nodes import MapNode, YamlNode, ScalarNode, SeqNode

__all__ = ["MapReader", "as_number", "as_string", "as_vector", "as_map", "as_seq", "kind_of"]

_FLOAT_TEXT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def kind_of(node: YamlNode) -> str:
    """A short human name of a node's type, for error messages."""
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"the number {value!r}"


def _range_text(low: float, high: float, unit: str) -> str:
    suffix = f" {unit}" if unit else ""
    return f"{low:g} .. {high:g}{suffix}"


def as_number(node: YamlNode, path: str, low: float, high: float, unit: str = "", *, integer: bool = False) -> float:
    """A finite number in [low, high] (an int when ``integer``); ``1e-3``-style strings count as numbers."""
    what = "an integer" if integer else "a number"
    valid = f"{what} in {_range_text(low, high, unit)}"
    if not isinstance(node, ScalarNode) or isinstance(node.value, bool):
        raise ConfigError(node.mark, f"{path} must be {valid}, got {kind_of(node)}")
    value = node.value
    if isinstance(value, str) and _FLOAT_TEXT.match(value.strip()):
        value = float(value)
    if not isinstance(value, (int, float)):
        raise ConfigError(node.mark, f"{path} must be {valid}, got {kind_of(node)}")
    if integer and (isinstance(value, float) and not value.is_integer()):
        raise ConfigError(node.mark, f"{path} must be {valid}, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(node.mark, f"{path}={value!r} is out of range; valid: {_range_text(low, high, unit)}")
    return int(value) if integer else float(value)


def as_string(node: YamlNode, path: str, choices: Sequence[str] | None = None) -> str:
    """A non-empty string, one of ``choices`` when given."""
    if not isinstance(node, ScalarNode) or not isinstance(node.value, str) or not node.value:
        valid = f"one of {', '.join(choices)}" if choices else "a non-empty string"
        raise ConfigError(node.mark, f"{path} must be {valid}, got {kind_of(node)}")
    if choices is not None and node.value not in choices:
        raise ConfigError(node.mark, f"{path}={node.value!r} is not valid; valid: {', '.join(choices)}"
                          + _did_you_mean(node.value, choices))
    return node.value


def as_seq(node: YamlNode, path: str, length: int | None = None) -> SeqNode:
    """A list, of exactly ``length`` items when given."""
    if not isinstance(node, SeqNode):
        want = f"a list of {length} items" if length is not None else "a list"
        raise ConfigError(node.mark, f"{path} must be {want}, got {kind_of(node)}")
    if length is not None and len(node.items) != length:
        raise ConfigError(node.mark, f"{path} must have {length} items, got {len(node.items)}")
    return node


def as_vector(node: YamlNode, path: str, length: int | None, low: float, high: float, unit: str = "") -> np.ndarray:
    """A list of numbers, each in [low, high], as a float64 array."""
    seq = as_seq(node, path, length)
    if not seq.items:
        raise ConfigError(seq.mark, f"{path} must not be empty")
    return np.array([as_number(item, f"{path}[{i}]", low, high, unit) for i, item in enumerate(seq.items)])


def as_map(node: YamlNode, path: str) -> "MapReader":
    """A :class:`MapReader` over a mapping node."""
    return MapReader(node, path)


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class MapReader:
    """Reads the keys of one mapping, tracking which were used (see module docstring).

    Args:
        node: the mapping node.
        path: its dotted path for messages (empty for the document root).
    """

    def __init__(self, node: YamlNode, path: str) -> None:
        if not isinstance(node, MapNode):
            where = path or "the document"
            raise ConfigError(node.mark, f"{where} must be a mapping (key: value lines), got {kind_of(node)}")
        self.node = node
        self.path = path
        self._used: set[str] = set()

    @property
    def mark(self) -> Mark:
        """Where the mapping starts."""
        return self.node.mark

    def child_path(self, key: str) -> str:
        """The dotted path of ``key`` inside this mapping."""
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        """True when ``key`` is present (does not mark it used)."""
        return key in self.node.values

    def key_mark(self, key: str) -> Mark:
        """Where ``key`` is written (the mapping's start when absent)."""
        return self.node.keys.get(key, self.node.mark)

    def get(self, key: str) -> YamlNode:
        """The node at a required key."""
        self._used.add(key)
        if key not in self.node.values:
            where = self.path or "the document"
            typo = difflib.get_close_matches(key, [k for k in self.node.keys if k not in self._used], n=1)
            if typo:
                raise ConfigError(self.node.keys[typo[0]], f"unknown key {typo[0]!r} in {where} (did you mean "
                                  f"{key!r}? it is required)")
            raise ConfigError(self.node.mark, f"{where} is missing the required key {key!r}")
        return self.node.values[key]

    def optional(self, key: str) -> YamlNode | None:
        """The node at an optional key, or None."""
        self._used.add(key)
        return self.node.values.get(key)

    def number(self, key: str, low: float, high: float, unit: str = "", *, default: float | None = None) -> float:
        """A range-checked number; ``default`` makes the key optional."""
        node = self.optional(key) if default is not None else self.get(key)
        if node is None:
            return float(default)  # type: ignore[arg-type]
        return as_number(node, self.child_path(key), low, high, unit)

    def integer(self, key: str, low: int, high: int, *, default: int | None = None) -> int:
        """A range-checked integer; ``default`` makes the key optional."""
        node = self.optional(key) if default is not None else self.get(key)
        if node is None:
            return int(default)  # type: ignore[arg-type]
        return int(as_number(node, self.child_path(key), low, high, integer=True))

    def string(self, key: str, choices: Sequence[str] | None = None, *, default: str | None = None) -> str:
        """A string (one of ``choices`` when given); ``default`` makes the key optional."""
        node = self.optional(key) if default is not None else self.get(key)
        if node is None:
            return str(default)
        return as_string(node, self.child_path(key), choices)

    def boolean(self, key: str, *, default: bool) -> bool:
        """true/false, optional."""
        node = self.optional(key)
        if node is None:
            return default
        if not isinstance(node, ScalarNode) or not isinstance(node.value, bool):
            raise ConfigError(node.mark, f"{self.child_path(key)} must be true or false, got {kind_of(node)}")
        return node.value

    def vector(self, key: str, length: int | None, low: float, high: float, unit: str = "") -> np.ndarray:
        """A required list of range-checked numbers."""
        return as_vector(self.get(key), self.child_path(key), length, low, high, unit)

    def mapping(self, key: str) -> MapReader:
        """A required nested mapping."""
        return MapReader(self.get(key), self.child_path(key))

    def optional_mapping(self, key: str) -> MapReader | None:
        """An optional nested mapping."""
        node = self.optional(key)
        return None if node is None else MapReader(node, self.child_path(key))

    def entries(self) -> Iterator[tuple[str, YamlNode]]:
        """Every (key, node) pair, marking all keys used (for name → item mappings)."""
        for key, node in self.node.values.items():
            self._used.add(key)
            yield key, node

    def finish(self) -> None:
        """Fail on the first key that no read asked for, listing the valid keys."""
        for key, mark in self.node.keys.items():
            if key not in self._used:
                valid = sorted(self._used)
                raise ConfigError(
                    mark,
                    f"unknown key {key!r} in {self.path or 'the document'}{_did_you_mean(key, valid)}; "
                    f"valid keys: {', '.join(valid)}",
                )
