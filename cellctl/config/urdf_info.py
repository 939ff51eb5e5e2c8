"""What a cell description needs to know about a URDF: its link and joint names and joint limits.

Parsed with the standard library (expat), so validating a cell never imports pybullet. The
values a cell relies on are checked where they are written: a joint type that is not URDF's,
a joint whose parent or child link does not exist, a limit that is not a finite number or whose
lower bound exceeds its upper one fail with a :class:`~cellctl.config.errors.ConfigError` at the
URDF's own ``FILE:LINE:COL``.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cellctl.config.errors import ConfigError
from cellctl.config.xml_nodes import XmlElement, parse_xml

__all__ = ["UrdfInfo", "read_urdf_info", "JOINT_TYPES"]

JOINT_TYPES = ("revolute", "continuous", "prismatic", "fixed", "floating", "planar")
"""The joint types the URDF specification defines."""
_LIMITED = ("revolute", "prismatic")
_LIMIT_KEYS = ("lower", "upper", "velocity", "effort")


@dataclass(frozen=True)
class UrdfInfo:
    """Link names, and joint name → (type, lower, upper) of one URDF."""

    links: tuple[str, ...]
    joints: dict[str, tuple[str, float, float]]


def _parse(path: Path) -> XmlElement:
    """The ``<robot>`` element, every element keeping its line and column."""
    top = parse_xml(path)
    if not top.children or top.children[0].tag != "robot":
        tag = top.children[0].tag if top.children else "nothing"
        raise ConfigError(top.mark, f"not a URDF: its root element is <{tag}>, not <robot>")
    return top.children[0]


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _limit_value(joint: str, limit: XmlElement, key: str, default: float) -> float:
    text = limit.attrib.get(key)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        unit = "rad/s or m/s" if key == "velocity" else "N·m or N" if key == "effort" else "rad or m"
        raise ConfigError(limit.mark, f"joint {joint!r}: <limit {key}=\"{text}\"> is not a finite number; "
                          f"write {key} as a number in {unit}")
    return value


def _joint(element: XmlElement, links: tuple[str, ...]) -> tuple[str, tuple[str, float, float]]:
    """One joint's (type, lower, upper), after checking its type, links and limits."""
    name = element.attrib.get("name", "")
    kind = element.attrib.get("type", "")
    if kind not in JOINT_TYPES:
        raise ConfigError(element.mark, f"joint {name!r} has type {kind!r}; valid: {', '.join(JOINT_TYPES)}"
                          + _did_you_mean(kind, JOINT_TYPES))
    for tag in ("parent", "child"):
        ref = element.find(tag)
        if ref is None or not ref.attrib.get("link"):
            raise ConfigError(element.mark, f"joint {name!r} needs <{tag} link=\"...\"/> naming one of its links")
        if ref.attrib["link"] not in links:
            raise ConfigError(ref.mark, f"joint {name!r}: its {tag} link {ref.attrib['link']!r} is not a link of "
                              f"this URDF{_did_you_mean(ref.attrib['link'], links)}; links: {', '.join(links)}")
    limit = element.find("limit")
    if limit is None:
        if kind in _LIMITED:
            raise ConfigError(element.mark, f"{kind} joint {name!r} needs <limit lower=\"...\" upper=\"...\" "
                              "velocity=\"...\" effort=\"...\"/>")
        return name, (kind, -math.inf, math.inf)
    values = {key: _limit_value(name, limit, key, default)
              for key, default in zip(_LIMIT_KEYS, (-math.inf, math.inf, math.inf, math.inf))}
    if kind not in _LIMITED:  # continuous joints' position limits are ignored, as URDF says
        values["lower"], values["upper"] = -math.inf, math.inf
    if values["lower"] > values["upper"]:
        raise ConfigError(limit.mark, f"joint {name!r}: lower limit {values['lower']:g} is above upper limit "
                          f"{values['upper']:g}; write lower <= upper")
    return name, (kind, values["lower"], values["upper"])


@lru_cache(maxsize=32)
def read_urdf_info(path: Path) -> UrdfInfo:
    """Parse and check ``path``.

    Raises:
        ConfigError: at the URDF's ``FILE:LINE:COL`` (see module docstring).
        OSError: the file cannot be read.
    """
    robot = _parse(path)
    links = tuple(link.attrib.get("name", "") for link in robot.children if link.tag == "link")
    joints = dict(_joint(element, links) for element in robot.children if element.tag == "joint")
    return UrdfInfo(links, joints)
