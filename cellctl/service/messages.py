"""Building the standard messages the cell publishes and records, in one place: joint states,
tool poses as transforms, and ``builtin_interfaces/Time`` stamps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

WORLD_FRAME = "world"


def time_of(seconds: float) -> dict[str, int]:
    """A ``builtin_interfaces/Time`` of ``seconds`` (the cell's clock, or wall time since the epoch)."""
    ns = max(0, round(seconds * 1e9))
    return {"sec": ns // 1_000_000_000, "nanosec": ns % 1_000_000_000}


def joint_state(stamp: dict[str, int], names: Sequence[str], positions: np.ndarray, velocities: np.ndarray,
                efforts: np.ndarray | None = None) -> dict[str, Any]:
    """A ``sensor_msgs/JointState`` (efforts empty when not measured)."""
    return {"header": {"stamp": stamp, "frame_id": ""}, "name": list(names), "position": positions.tolist(),
            "velocity": velocities.tolist(), "effort": [] if efforts is None else efforts.tolist()}


def transform(stamp: dict[str, int], child: str, pose: np.ndarray, parent: str = WORLD_FRAME) -> dict[str, Any]:
    """A ``geometry_msgs/TransformStamped`` placing frame ``child`` at the 4x4 ``pose`` in ``parent``."""
    x, y, z, w = Rotation.from_matrix(pose[:3, :3]).as_quat()
    tx, ty, tz = (float(v) for v in pose[:3, 3])
    return {"header": {"stamp": stamp, "frame_id": parent}, "child_frame_id": child,
            "transform": {"translation": {"x": tx, "y": ty, "z": tz},
                          "rotation": {"x": float(x), "y": float(y), "z": float(z), "w": float(w)}}}
