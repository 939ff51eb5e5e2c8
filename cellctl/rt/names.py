"""ROS naming rules: validation and resolution of relative (``a/b``), absolute (``/a/b``) and
private (``~/a``) names against a node's namespace."""

from __future__ import annotations

import re

from cellctl.rt.errors import InvalidNameError

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RULE = "tokens of letters, digits and '_' not starting with a digit, separated by single '/'"


def validate_node_name(name: str) -> str:
    """Return ``name`` if it is a valid node name (one token), else raise InvalidNameError."""
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise InvalidNameError(
            f"invalid node name {name!r}: use letters, digits and '_', not starting with a digit"
        )
    return name


def validate_namespace(namespace: str) -> str:
    """Return ``namespace`` normalised (leading '/', no trailing '/'), or raise InvalidNameError."""
    if not isinstance(namespace, str):
        raise InvalidNameError(f"namespace must be a string, got {namespace!r}")
    text = namespace if namespace.startswith("/") else "/" + namespace
    if text == "/":
        return text
    if not all(_TOKEN.match(token) for token in text[1:].split("/")):
        raise InvalidNameError(f"invalid namespace {namespace!r}: use {_RULE}")
    return text


def resolve_name(name: str, namespace: str, node_name: str) -> str:
    """The fully qualified form of ``name`` for a node ``node_name`` in ``namespace``."""
    if not isinstance(name, str) or not name:
        raise InvalidNameError(f"a topic/service/action name must be a non-empty string, got {name!r}")
    if name.startswith("~") and name != "~" and not name.startswith("~/"):
        raise InvalidNameError(f"invalid name {name!r}: a private name is '~' or starts with '~/'")
    if name.startswith("~"):
        base = namespace.rstrip("/") + "/" + node_name
        rest = name[1:].lstrip("/")
        full = base + ("/" + rest if rest else "")
    elif name.startswith("/"):
        full = name
    else:
        full = namespace.rstrip("/") + "/" + name
    if not all(_TOKEN.match(token) for token in full[1:].split("/")):
        raise InvalidNameError(f"invalid name {name!r} (resolved to {full!r}): use {_RULE}")
    return full
