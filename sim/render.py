"""A PNG of the cell from PyBullet's software renderer (TinyRenderer: works headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pybullet as pb

__all__ = ["render_png"]


def render_png(client: int, path: str | Path, *, width: int = 960, height: int = 720,
               target: tuple[float, float, float] = (0.0, 0.2, 0.1), distance: float = 1.9,
               yaw: float = 50.0, pitch: float = -40.0) -> Path:
    """Render the world seen from an orbit camera around ``target`` and write it as PNG."""
    view = pb.computeViewMatrixFromYawPitchRoll(list(target), distance, yaw, pitch, 0.0, 2, physicsClientId=client)
    projection = pb.computeProjectionMatrixFOV(45.0, width / height, 0.05, 10.0, physicsClientId=client)
    _, _, rgba, _, _ = pb.getCameraImage(width, height, view, projection, renderer=pb.ER_TINY_RENDERER,
                                         physicsClientId=client)
    image = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)[:, :, :3]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    matplotlib.image.imsave(out, image)
    return out
