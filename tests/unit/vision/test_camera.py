"""The pinhole model: pixels of world points, and back onto a plane."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cellctl.config.pose import Pose
from cellctl.vision.camera import PinholeCamera


@given(x=st.floats(-0.05, 0.05), y=st.floats(-0.05, 0.05), z=st.floats(0.0, 0.2), roll=st.floats(-0.2, 0.2),
       pitch=st.floats(-0.2, 0.2), yaw=st.floats(-3.1, 3.1))
@settings(max_examples=100, deadline=None, derandomize=True)
def test_a_point_projected_and_taken_back_onto_its_plane_is_the_same_point(
        x: float, y: float, z: float, roll: float, pitch: float, yaw: float) -> None:
    pose = Pose.from_xyz_rpy([0.01, -0.02, 0.8], [np.pi + roll, pitch, yaw]).matrix
    camera = PinholeCamera(640, 400, 10.0, pose)
    point = np.array([[x, y, z]])
    pixel = camera.project(point)
    back = camera.to_plane(pixel, np.array([0.0, 0.0, z]), np.array([0.0, 0.0, 1.0]))
    assert np.allclose(back, point, atol=1e-9)


def test_the_optical_axis_meets_the_image_centre_and_a_point_behind_is_nan() -> None:
    camera = PinholeCamera(640, 400, 10.0, Pose.from_xyz_rpy([0, 0, 1.0], [np.pi, 0, 0]).matrix)
    assert np.allclose(camera.project(np.array([[0.0, 0.0, 0.0]])), [[320.0, 200.0]])
    assert np.all(np.isnan(camera.project(np.array([[0.0, 0.0, 2.0]]))))
    # x of the world goes right in this image, y of the world up (the camera looks down, y down the image)
    right, up = camera.project(np.array([[0.01, 0.0, 0.0], [0.0, 0.01, 0.0]]))
    assert right[0] > 320 and abs(right[1] - 200) < 1e-9 and up[1] < 200
