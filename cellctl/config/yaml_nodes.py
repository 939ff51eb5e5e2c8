"""YAML parsing that keeps the ``file:line:col`` of every node.

PyYAML's composer already knows where each node starts; this module turns its node graph into
small immutable trees (:class:`MapNode`, :class:`SeqNode`, :class:`ScalarNode`) that carry a
:class:`~cellctl.config.errors.Mark`, so schema checks can point at the offending value.
Duplicate keys, non-string keys and merge keys (``<<``) fail loudly instead of being silently
resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

from cellctl.config.errors import ConfigError, Mark

__all__ = ["MapNode", "SeqNode", "ScalarNode", "YamlNode", "parse_yaml", "load_yaml_file"]

Scalar = Union[None, bool, int, float, str]


@dataclass(frozen=True)
class ScalarNode:
    """A plain value (null, bool, int, float or str) and where it starts."""

    mark: Mark
    value: Scalar


@dataclass(frozen=True)
class SeqNode:
    """A YAML sequence and where it starts."""

    mark: Mark
    items: tuple["YamlNode", ...]


@dataclass(frozen=True)
class MapNode:
    """A YAML mapping with string keys; ``keys`` holds where each key starts (for unknown-key errors)."""

    mark: Mark
    values: dict[str, "YamlNode"]
    keys: dict[str, Mark]


YamlNode = Union[MapNode, SeqNode, ScalarNode]


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    """Turns a composed PyYAML node graph into located nodes."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self._file = file
        self._loader = loader

    def convert(self, node: yaml.Node) -> YamlNode:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return SeqNode(_mark(self._file, node), tuple(self.convert(item) for item in node.value))
        value = self._loader.construct_object(node, deep=True)
        if not isinstance(value, (type(None), bool, int, float, str)):
            raise ConfigError(
                _mark(self._file, node),
                f"unsupported YAML value of type {type(value).__name__}; use a number, a string, "
                "true/false, a list or a mapping",
            )
        return ScalarNode(_mark(self._file, node), value)

    def _mapping(self, node: yaml.MappingNode) -> MapNode:
        values: dict[str, YamlNode] = {}
        keys: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            mark = _mark(self._file, key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConfigError(mark, "merge keys (<<) are not supported; write the keys out")
            key = self._loader.construct_object(key_node, deep=True)
            if isinstance(key, bool):
                raise ConfigError(mark, f"the key {key_node.value!r} reads as the boolean {key}: YAML treats "
                                        "yes/no/on/off/true/false as booleans; quote it or use another name")
            if not isinstance(key, str):
                raise ConfigError(mark, f"mapping keys must be strings, got {key!r}")
            if key in values:
                raise ConfigError(mark, f"duplicate key {key!r} (first defined at line {keys[key].line})")
            keys[key] = mark
            values[key] = self.convert(value_node)
        return MapNode(_mark(self._file, node), values, keys)


def parse_yaml(text: str, file: str = "<string>") -> YamlNode:
    """Parse one YAML document into located nodes.

    Raises:
        ConfigError: a syntax error (at the place PyYAML reports) or an unsupported construct.
    """
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        raise ConfigError(_text_mark(file, text, exc.position), _unprintable(exc.character)) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            where = exc.problem_mark or exc.context_mark
            mark = Mark(file, where.line + 1, where.column + 1) if where else Mark(file, 1, 1)
            raise ConfigError(mark, f"YAML syntax error: {exc.problem or exc.context}") from None
        if root is None:
            raise ConfigError(Mark(file, 1, 1), "the file is empty; expected a mapping")
        return _Converter(file, loader).convert(root)
    finally:
        loader.dispose()


def _text_mark(file: str, text: str, position: int) -> Mark:
    """The line and column of character ``position`` of ``text``."""
    before = text[:position]
    return Mark(file, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)


def _unprintable(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character)
    return (f"character U+{code:04X} is not allowed in YAML (only printable text is); remove it, or check "
            "that this is the right file")


def load_yaml_file(path: str | Path) -> YamlNode:
    """Read and parse a YAML file; the marks name the file as given."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(Mark(str(path), 1, 1), f"cannot read the file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[:exc.start].decode("utf-8", errors="replace")
        raise ConfigError(_text_mark(str(path), head, len(head)),
                          f"not UTF-8 text (byte 0x{data[exc.start]:02x}); a cell or recipe must be a UTF-8 "
                          "YAML text file: is this the right file?") from None
    return parse_yaml(text, str(path))
