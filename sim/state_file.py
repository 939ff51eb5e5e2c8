"""Crash-safe files for the simulated world's state: one small JSON snapshot, one file per result.

The snapshot (numbers only: poses, joint positions, hole states …) is rewritten often, always
atomically: written to a temporary file in the same directory, then ``os.replace``-d over the
old one, so a reader (the next process) sees either the old or the new snapshot, never a torn
one. Tool results carry 1 kHz curves, too big to rewrite every quarter second; each is written
once, atomically too, as ``<state file>.results/<arm>-<id>.npz`` *before* the snapshot that
lists it, and deleted only after a snapshot no longer lists it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cellctl.config.pose import Pose
from cellctl.hw import HardwareError, ToolResult

__all__ = ["FORMAT", "StateFile", "pose_to_list", "pose_from_list"]

FORMAT = 1
"""Version of the snapshot layout; a file of another version is refused."""
_CURVES = ("curve_time", "curve_torque", "curve_angle")


def pose_to_list(pose: Pose) -> list[float]:
    """A pose as ``[x, y, z, qx, qy, qz, qw]``."""
    return [float(v) for v in pose.position] + [float(v) for v in pose.quaternion]


def pose_from_list(values: Sequence[float]) -> Pose:
    """The inverse of :func:`pose_to_list`."""
    return Pose(np.array(values[:3], dtype=float), np.array(values[3:7], dtype=float))


def _replace_atomically(path: Path, write: Any, suffix: str) -> None:
    """Write through ``write(file)`` into a temporary sibling of ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateFile:
    """The snapshot file and its results directory (see module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.results_dir = self.path.with_name(self.path.name + ".results")

    def exists(self) -> bool:
        """True when a snapshot was saved before."""
        return self.path.is_file()

    def load(self) -> dict[str, Any]:
        """Read the snapshot.

        Raises:
            HardwareError: unreadable, not JSON, or another format version.
        """
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise HardwareError(f"cannot read the sim state file {self.path}: {exc}; delete it to start "
                                "from a fresh kit") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise HardwareError(f"the sim state file {self.path} has format {found!r}, this sim reads format "
                                f"{FORMAT}; delete it to start from a fresh kit")
        return data

    def save(self, data: dict[str, Any]) -> None:
        """Replace the snapshot atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": FORMAT, **data}, separators=(",", ":")).encode()
        _replace_atomically(self.path, lambda f: f.write(text), ".tmp")

    # ------------------------------------------------------------------ results
    def _result_path(self, arm: str, command_id: int) -> Path:
        return self.results_dir / f"{arm}-{command_id}.npz"

    def save_result(self, arm: str, result: ToolResult) -> None:
        """Write one completed command's result (once, atomically)."""
        self.results_dir.mkdir(parents=True, exist_ok=True)
        meta = {"command_id": result.command_id, "ok": result.ok, "status": result.status,
                "torque": result.torque, "angle": result.angle, "width": result.width,
                "failure_class": result.failure_class, "message": result.message}
        arrays = {name: np.asarray(getattr(result, name), dtype=float) for name in _CURVES}
        _replace_atomically(self._result_path(arm, result.command_id),
                            lambda f: np.savez(f, meta=np.array(json.dumps(meta)), **arrays), ".npz")

    def load_result(self, arm: str, command_id: int) -> ToolResult:
        """Read a result written by :meth:`save_result`.

        Raises:
            HardwareError: the file is missing or unreadable.
        """
        path = self._result_path(arm, command_id)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                curves = {name: data[name].copy() for name in _CURVES}
        except (OSError, ValueError, KeyError) as exc:
            raise HardwareError(f"cannot read the stored result of {arm}'s command {command_id} ({path}): {exc}; "
                                "delete the state file and its .results directory to start afresh") from exc
        floats = {k: float(meta[k]) if meta[k] is not None else math.nan for k in ("torque", "angle", "width")}
        return ToolResult(command_id=int(meta["command_id"]), ok=bool(meta["ok"]), status=str(meta["status"]),
                          failure_class=meta["failure_class"], message=str(meta["message"]), **floats, **curves)

    def clear_results(self) -> None:
        """Delete every stored result (a fresh start: no snapshot lists them)."""
        if self.results_dir.is_dir():
            for path in self.results_dir.glob("*.npz"):
                path.unlink(missing_ok=True)

    def delete_results(self, arm: str, command_ids: Iterable[int]) -> None:
        """Delete results no snapshot lists any more."""
        for command_id in command_ids:
            self._result_path(arm, command_id).unlink(missing_ok=True)
