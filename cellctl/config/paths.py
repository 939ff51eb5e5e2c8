"""Resolving file references in a cell description.

A reference is ``pybullet_data:<path>`` (PyBullet's bundled models), ``sim-assets:<path>``
(models shipped in ``sim/assets``), an absolute path, or a path relative to the YAML file.
Neither scheme imports pybullet or the simulator: the directories are located, not loaded.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["resolve_reference", "SCHEMES"]

SCHEMES = ("pybullet_data:", "sim-assets:")


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_reference(reference: str, base_dir: Path) -> Path:
    """The absolute path a reference names (see module docstring).

    Raises:
        FileNotFoundError: with a message naming the reference and where it was looked for.
    """
    if reference.startswith("pybullet_data:"):
        root, rest = _package_dir("pybullet_data"), reference[len("pybullet_data:"):]
    elif reference.startswith("sim-assets:"):
        sim = _package_dir("sim")
        root, rest = (None if sim is None else sim / "assets"), reference[len("sim-assets:"):]
    else:
        root, rest = base_dir, reference
    if root is None:
        raise FileNotFoundError(f"{reference!r}: the package it names is not installed")
    path = (root / rest).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{reference!r}: no file at {path}")
    return path
