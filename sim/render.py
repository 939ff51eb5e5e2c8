"""A PNG of the cell from PyBullet's software renderer (TinyRenderer: works headless)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.image
import numpy as np
import pybullet as pb

__all__ = ["project", "render_png"]

Label = tuple[str, Sequence[float]]
"""Text and the world point (x, y, z) it names."""


def project(points: np.ndarray, view: Sequence[float], projection: Sequence[float], width: int,
            height: int) -> np.ndarray:
    """Pixel coordinates (column, row from the top) of world ``points`` (N, 3) seen by a camera
    with PyBullet's column-major ``view`` and ``projection`` matrices."""
    homogeneous = np.hstack([np.asarray(points, dtype=float), np.ones((len(points), 1))])
    clip = homogeneous @ np.asarray(view).reshape(4, 4) @ np.asarray(projection).reshape(4, 4)
    ndc = clip[:, :3] / clip[:, 3:4]
    return np.column_stack([(ndc[:, 0] + 1.0) * 0.5 * width, (1.0 - ndc[:, 1]) * 0.5 * height])


def render_png(client: int, path: str | Path, *, width: int = 960, height: int = 720,
               target: tuple[float, float, float] = (0.0, 0.2, 0.1), distance: float = 1.9,
               yaw: float = 50.0, pitch: float = -40.0, labels: Sequence[Label] = ()) -> Path:
    """Render the world seen from an orbit camera around ``target`` and write it as PNG, with
    each of ``labels`` written at its point (those in view)."""
    view = pb.computeViewMatrixFromYawPitchRoll(list(target), distance, yaw, pitch, 0.0, 2, physicsClientId=client)
    projection = pb.computeProjectionMatrixFOV(45.0, width / height, 0.05, 10.0, physicsClientId=client)
    _, _, rgba, _, _ = pb.getCameraImage(width, height, view, projection, renderer=pb.ER_TINY_RENDERER,
                                         physicsClientId=client)
    image = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)[:, :, :3]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not labels:
        matplotlib.image.imsave(out, image)
        return out
    _save_labelled(image, project(np.array([p for _, p in labels]), view, projection, width, height),
                   [text for text, _ in labels], out)
    return out


def _save_labelled(image: np.ndarray, pixels: np.ndarray, texts: list[str], out: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    height, width = image.shape[:2]
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(image)
    ax.set_axis_off()
    for (x, y), text in zip(pixels, texts):
        if 0 <= x < width and 0 <= y < height:
            ax.annotate(text, (x, y), xytext=(0, 18), textcoords="offset points", ha="center", fontsize=10,
                        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.4", "alpha": 0.85},
                        arrowprops={"arrowstyle": "-", "color": "0.3", "lw": 0.8})
    fig.savefig(out, dpi=100)
