"""The cell picture: world points land on the pixels the camera shows them at."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest

from sim.render import project

pytestmark = pytest.mark.sim

WIDTH, HEIGHT = 960, 720
TARGET = (0.0, 0.2, 0.1)


def _camera(yaw: float = 50.0, pitch: float = -40.0) -> tuple:
    view = pb.computeViewMatrixFromYawPitchRoll(list(TARGET), 1.9, yaw, pitch, 0.0, 2)
    return view, pb.computeProjectionMatrixFOV(45.0, WIDTH / HEIGHT, 0.05, 10.0)


def test_the_camera_target_is_the_image_centre() -> None:
    view, projection = _camera()
    (pixel,) = project(np.array([TARGET]), view, projection, WIDTH, HEIGHT)
    assert pixel == pytest.approx((WIDTH / 2, HEIGHT / 2), abs=1e-3)  # PyBullet's matrices are 32-bit


def test_up_is_up_and_the_camera_s_right_is_right() -> None:
    view, projection = _camera(yaw=0.0, pitch=-10.0)  # looking along +y: world +x is to the right
    centre, above, right = project(np.array([TARGET, np.add(TARGET, (0, 0, 0.1)), np.add(TARGET, (0.1, 0, 0))]),
                                   view, projection, WIDTH, HEIGHT)
    assert above[1] < centre[1] and abs(above[0] - centre[0]) < 1.0
    assert right[0] > centre[0]
