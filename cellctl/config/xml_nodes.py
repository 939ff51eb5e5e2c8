"""XML parsing that keeps the ``file:line:col`` of every element (ElementTree drops them).

The XML counterpart of :mod:`cellctl.config.yaml_nodes`, for URDF files: the cell loader and the
motion core's URDF reader both point their errors at the element they concern.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from cellctl.config.errors import ConfigError, Mark

__all__ = ["XmlElement", "parse_xml"]


@dataclass
class XmlElement:
    """An element: tag, attributes, children, and where its start tag begins."""

    tag: str
    attrib: dict[str, str]
    mark: Mark
    children: list[XmlElement] = field(default_factory=list)

    @property
    def line(self) -> int:
        """The start tag's line (from 1)."""
        return self.mark.line

    def find(self, tag: str) -> XmlElement | None:
        """The first child with this tag, or None."""
        return next((c for c in self.children if c.tag == tag), None)


def parse_xml(path: Path) -> XmlElement:
    """A document node (tag ``""``) whose children are the file's root element(s).

    Raises:
        ConfigError: not well-formed XML, at the place expat reports.
        OSError: the file cannot be read.
    """
    top = XmlElement("", {}, Mark(str(path), 1, 1))
    stack = [top]
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrib: dict[str, str]) -> None:
        element = XmlElement(tag, attrib, Mark(str(path), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))
        stack[-1].children.append(element)
        stack.append(element)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    try:
        parser.Parse(path.read_bytes(), True)
    except xml.parsers.expat.ExpatError as exc:
        raise ConfigError(Mark(str(path), exc.lineno, exc.offset + 1),
                          f"not well-formed XML: {xml.parsers.expat.errors.messages[exc.code]}") from None
    return top
