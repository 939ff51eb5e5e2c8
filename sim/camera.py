"""A fixed camera's image of the simulated cell, from PyBullet's software renderer (headless).

TinyRenderer samples each pixel at one point (a corner, corrected below), so its edges are hard steps; a real sensor
integrates light over each pixel. The image is therefore rendered ``SUPERSAMPLE`` times larger
along each side and averaged over blocks, which gives edges the area-sampled ramps a camera
sees (and the sub-pixel edge fitter of :mod:`cellctl.vision.edges` is built for).
"""

from __future__ import annotations

import numpy as np
import pybullet as pb

from cellctl.vision.camera import PinholeCamera

__all__ = ["render_camera", "SUPERSAMPLE"]

SUPERSAMPLE = 2
NEAR, FAR = 0.02, 5.0


def render_camera(client: int, camera: PinholeCamera, supersample: int = SUPERSAMPLE) -> np.ndarray:
    """The camera's RGB image (H, W, 3) as uint8."""
    big = camera.resized(supersample)
    rotation, eye = camera.pose[:3, :3], camera.pose[:3, 3]
    view = pb.computeViewMatrix(eye.tolist(), (eye + rotation[:, 2]).tolist(), (-rotation[:, 1]).tolist(),
                                physicsClientId=client)
    projection = list(pb.computeProjectionMatrixFOV(camera.fov, big.width / big.height, NEAR, FAR,
                                                    physicsClientId=client))
    # TinyRenderer samples each pixel at its corner, not its centre: shift the image half a pixel
    # (the measured offset without this: +0.5 px in u, -0.5 px in v) so pixel i covers [i, i + 1).
    projection[8] += 1.0 / big.width
    projection[9] += 1.0 / big.height
    _, _, rgba, _, _ = pb.getCameraImage(big.width, big.height, view, projection, renderer=pb.ER_TINY_RENDERER,
                                         shadow=0, flags=pb.ER_NO_SEGMENTATION_MASK, physicsClientId=client)
    pixels = np.asarray(rgba, dtype=np.float64).reshape(big.height, big.width, 4)[:, :, :3]
    blocks = pixels.reshape(camera.height, supersample, camera.width, supersample, 3).mean(axis=(1, 3))
    return np.round(blocks).astype(np.uint8)
