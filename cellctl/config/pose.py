"""Rigid poses (position + unit quaternion) and their YAML form.

A pose is written as ``{xyz: [x, y, z], rpy: [roll, pitch, yaw]}`` (metres, radians; fixed-axis
X-Y-Z as in URDF) or ``{xyz: [...], quat: [x, y, z, w]}``. Both parts are optional (identity).
Quaternions are stored ``(x, y, z, w)``, PyBullet's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellctl.config.errors import ConfigError
from cellctl.config.schema import MapReader, as_vector
from cellctl.config.yaml_nodes import YamlNode

__all__ = ["Pose", "read_pose", "quat_from_rpy", "quat_to_matrix"]

_EXTENT = 100.0
"""Largest coordinate accepted in a cell description, metres."""


def quat_from_rpy(rpy: np.ndarray) -> np.ndarray:
    """Unit quaternion (x, y, z, w) of fixed-axis roll, pitch, yaw (R = Rz·Ry·Rx)."""
    r, p, y = (0.5 * float(a) for a in rpy)
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    return np.array([
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
        cr * cp * cy + sr * sp * sy,
    ])


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """3×3 rotation matrix of a unit quaternion (x, y, z, w)."""
    x, y, z, w = (float(v) for v in q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def _quat_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array([
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
        aw * bw - ax * bx - ay * by - az * bz,
    ])


@dataclass(frozen=True)
class Pose:
    """A rigid transform: ``position`` (3,) metres and unit ``quaternion`` (x, y, z, w)."""

    position: np.ndarray
    quaternion: np.ndarray

    @classmethod
    def identity(cls) -> Pose:
        """The identity transform."""
        return cls(np.zeros(3), np.array([0.0, 0.0, 0.0, 1.0]))

    @classmethod
    def from_xyz_rpy(cls, xyz: np.ndarray | list[float], rpy: np.ndarray | list[float] = (0.0, 0.0, 0.0)) -> Pose:  # type: ignore[assignment]
        """A pose from a position and fixed-axis roll/pitch/yaw."""
        return cls(np.asarray(xyz, dtype=float), quat_from_rpy(np.asarray(rpy, dtype=float)))

    @property
    def rotation(self) -> np.ndarray:
        """The 3×3 rotation matrix."""
        return quat_to_matrix(self.quaternion)

    @property
    def matrix(self) -> np.ndarray:
        """The 4×4 homogeneous matrix."""
        m = np.eye(4)
        m[:3, :3] = self.rotation
        m[:3, 3] = self.position
        return m

    def __mul__(self, other: Pose) -> Pose:
        """Composition: ``(a * b)`` maps b's frame into a's parent frame."""
        q = _quat_multiply(self.quaternion, other.quaternion)
        return Pose(self.position + self.rotation @ other.position, q / np.linalg.norm(q))

    def inverse(self) -> Pose:
        """The inverse transform."""
        conj = self.quaternion * np.array([-1.0, -1.0, -1.0, 1.0])
        return Pose(-(quat_to_matrix(conj) @ self.position), conj)

    def transform(self, point: np.ndarray) -> np.ndarray:
        """Map a point (3,) from this pose's frame into its parent frame."""
        return self.position + self.rotation @ np.asarray(point, dtype=float)

    def as_tuple(self) -> tuple[list[float], list[float]]:
        """(position, quaternion) as plain lists, the form PyBullet takes."""
        return self.position.tolist(), self.quaternion.tolist()


def read_pose(node: YamlNode, path: str) -> Pose:
    """Read a pose mapping (see module docstring); errors point at the offending value."""
    reader = MapReader(node, path)
    xyz_node = reader.optional("xyz")
    position = np.zeros(3) if xyz_node is None else as_vector(xyz_node, reader.child_path("xyz"), 3, -_EXTENT, _EXTENT, "m")
    rpy_node, quat_node = reader.optional("rpy"), reader.optional("quat")
    if rpy_node is not None and quat_node is not None:
        raise ConfigError(quat_node.mark, f"{path} has both rpy and quat; give one orientation")
    if quat_node is not None:
        quat = as_vector(quat_node, reader.child_path("quat"), 4, -1.0, 1.0)
        norm = float(np.linalg.norm(quat))
        if abs(norm - 1.0) > 1e-3:
            raise ConfigError(quat_node.mark, f"{path}.quat has norm {norm:.6f}; a unit quaternion "
                              "[x, y, z, w] has norm 1 (within 0.001)")
        quaternion = quat / norm
    elif rpy_node is not None:
        quaternion = quat_from_rpy(as_vector(rpy_node, reader.child_path("rpy"), 3, -2 * math.pi, 2 * math.pi, "rad"))
    else:
        quaternion = np.array([0.0, 0.0, 0.0, 1.0])
    reader.finish()
    return Pose(position, quaternion)
