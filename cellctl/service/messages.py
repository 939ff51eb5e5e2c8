"""Building the standard messages the cell publishes and records, in one place: joint states,
tool poses as transforms, and ``builtin_interfaces/Time`` stamps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

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
    x, y, z, w = quaternion(pose)
    tx, ty, tz = (float(v) for v in pose[:3, 3])
    return {"header": {"stamp": stamp, "frame_id": parent}, "child_frame_id": child,
            "transform": {"translation": {"x": tx, "y": ty, "z": tz},
                          "rotation": {"x": float(x), "y": float(y), "z": float(z), "w": float(w)}}}


def quaternion(pose: np.ndarray) -> tuple[float, float, float, float]:
    """The unit quaternion (x, y, z, w), w ≥ 0, of the rotation part of a 4x4 (or 3x3) matrix.

    Shepperd's method (the largest of w, x, y, z is found first, so no division by a small
    number); written out because scipy's ``Rotation.from_matrix`` cost more than everything else
    a recording does per sample.
    """
    (m00, m01, m02), (m10, m11, m12), (m20, m21, m22) = pose[:3, :3].tolist()
    trace = m00 + m11 + m22
    if trace >= max(m00, m11, m22):
        r = math.sqrt(1.0 + trace) * 2.0
        q = ((m21 - m12) / r, (m02 - m20) / r, (m10 - m01) / r, 0.25 * r)
    elif m00 >= m11 and m00 >= m22:
        r = math.sqrt(1.0 + m00 - m11 - m22) * 2.0
        q = (0.25 * r, (m01 + m10) / r, (m02 + m20) / r, (m21 - m12) / r)
    elif m11 >= m22:
        r = math.sqrt(1.0 + m11 - m00 - m22) * 2.0
        q = ((m01 + m10) / r, 0.25 * r, (m12 + m21) / r, (m02 - m20) / r)
    else:
        r = math.sqrt(1.0 + m22 - m00 - m11) * 2.0
        q = ((m02 + m20) / r, (m12 + m21) / r, 0.25 * r, (m10 - m01) / r)
    norm = math.sqrt(sum(v * v for v in q)) * (1.0 if q[3] >= 0.0 else -1.0)
    return (q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm)
