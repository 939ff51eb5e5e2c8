"""Parts measured in a rendered image of the demo cell (static poses, no arms moving): a swapped
part is told from a missing one, and the measured pose matches the true one."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cellctl.config import load_cell
from cellctl.config.pose import Pose
from cellctl.vision import PartTarget, PinholeCamera, Tolerance, judge, measure_part

pytestmark = pytest.mark.sim


@pytest.fixture(scope="module")
def scene():  # noqa: ANN201
    from sim.camera import render_camera
    from sim.world import World

    cell = load_cell()
    world = World(cell, 1000.0)
    spec = cell.cameras["nest_cam"]
    camera = PinholeCamera(*spec.resolution, spec.fov, spec.pose.matrix)
    nest = world.slot_pose("nest", "unit")
    frame_h = cell.parts["mid_frame"].height
    board = nest * Pose.from_xyz_rpy([0, 0, frame_h + cell.parts["main_board"].height / 2])
    frame = nest * Pose.from_xyz_rpy([0, 0, frame_h / 2])
    targets = {p: PartTarget(p, pose.matrix, tuple(cell.parts[p].size))
               for p, pose in (("mid_frame", frame), ("main_board", board))}

    def shot(poses: dict[str, Pose]) -> np.ndarray:
        for part in cell.parts:  # everything else back in its tray
            world.place_part(part, poses.get(part, world.start_pose(part)))
        return render_camera(world.client, camera)

    yield cell, camera, targets, shot, frame, board
    world.close()


def test_a_true_offset_and_turn_are_measured_to_a_twentieth_of_a_millimetre(scene) -> None:  # noqa: ANN001
    cell, camera, targets, shot, frame, board = scene
    true = board * Pose.from_xyz_rpy([0.0006, -0.0003, 0.0], [0.0, 0.0, math.radians(0.4)])
    m = measure_part(shot({"mid_frame": frame, "main_board": true}), camera, targets["main_board"])
    assert (m.dx, m.dy, m.yaw) == pytest.approx((0.6, -0.3, 0.4), abs=0.05)
    assert (m.length, m.width) == pytest.approx((120.0, 50.0), abs=0.1)


def test_a_missing_board_shows_the_frame_beneath_and_a_swapped_part_is_named(scene) -> None:  # noqa: ANN001
    cell, camera, targets, shot, frame, board = scene
    tol = Tolerance()
    missing = measure_part(shot({"mid_frame": frame}), camera, targets["main_board"])
    verdict = judge(missing, targets["main_board"], tol, [(150.0, 70.0)])  # the frame is inspected with it
    assert not verdict.ok and verdict.problem == "missing" and "no edge found on side" in verdict.text
    # the frame's outline, measured on the board's plane 6 mm above it: 0.7 % small (perspective)
    assert missing.seen is not None and (missing.seen.length, missing.seen.width) == pytest.approx((150, 70), rel=0.01)
    # the kit's cover (150 x 70 mm) put on the frame where the board belongs; the board check alone
    cover = Pose(board.position + np.array([0.0, 0.0, -0.0005]), board.quaternion)
    swapped = measure_part(shot({"mid_frame": frame, "cover": cover}), camera, targets["main_board"])
    verdict = judge(swapped, targets["main_board"], tol)
    assert not verdict.ok and verdict.problem == "wrong_part"
    assert re.search(r"a 15\d\.\d x (69|70)\.\d mm part lies where it should be \(main_board is 120\.0 x 50\.0 mm\)",
                     verdict.text), verdict.text
