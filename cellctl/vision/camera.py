"""The pinhole camera model: world points to pixels and pixels back onto a known plane.

Pixel coordinates are continuous: pixel column ``i`` covers ``[i, i + 1)``, so its centre is at
``i + 0.5``; ``u`` runs to the right, ``v`` down. The camera frame follows OpenCV: z along the
optical axis, x to the image's right, y down. Square pixels, principal point at the image centre,
no distortion (a rendered image has none; a real camera's image is undistorted before it is given
to the inspection).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PinholeCamera"]


@dataclass(frozen=True)
class PinholeCamera:
    """A camera of ``width`` × ``height`` pixels with vertical field of view ``fov`` (degrees), at
    ``pose`` (4×4, the camera frame in the world)."""

    width: int
    height: int
    fov: float
    pose: np.ndarray

    @property
    def focal(self) -> float:
        """Focal length in pixels (the same along u and v)."""
        return 0.5 * self.height / math.tan(math.radians(self.fov) / 2.0)

    @property
    def centre(self) -> np.ndarray:
        """The principal point (u, v)."""
        return np.array([self.width / 2.0, self.height / 2.0])

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixels (N, 2) of world points (N, 3); points behind the camera give NaN."""
        p = np.atleast_2d(np.asarray(points, dtype=float))
        rotation, origin = self.pose[:3, :3], self.pose[:3, 3]
        cam = (p - origin) @ rotation  # rows: R^T (p - o)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(cam[:, 2] > 1e-9, cam[:, 2], np.nan)
            return self.focal * cam[:, :2] / z[:, None] + self.centre

    def rays(self, pixels: np.ndarray) -> np.ndarray:
        """Unit world directions (N, 3) of the rays through pixels (N, 2)."""
        px = np.atleast_2d(np.asarray(pixels, dtype=float))
        cam = np.column_stack([(px - self.centre) / self.focal, np.ones(len(px))])
        world = cam @ self.pose[:3, :3].T
        return world / np.linalg.norm(world, axis=1, keepdims=True)

    def to_plane(self, pixels: np.ndarray, point: np.ndarray, normal: np.ndarray) -> np.ndarray:
        """World points (N, 3) where the rays through ``pixels`` meet the plane through ``point``
        with ``normal`` (NaN for a ray parallel to it or meeting it behind the camera)."""
        rays = self.rays(pixels)
        origin = self.pose[:3, 3]
        normal = np.asarray(normal, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = ((np.asarray(point, dtype=float) - origin) @ normal) / (rays @ normal)
        t = np.where(t > 0, t, np.nan)
        return origin + t[:, None] * rays

    def mm_per_pixel(self, distance: float) -> float:
        """The size of one pixel, in mm, on a plane facing the camera ``distance`` metres away."""
        return 1000.0 * distance / self.focal

    def resized(self, factor: int) -> PinholeCamera:
        """The same camera with ``factor`` times the pixels along each side (for supersampling)."""
        return PinholeCamera(self.width * factor, self.height * factor, self.fov, self.pose)
