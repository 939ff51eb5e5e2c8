"""Placement inspection by camera: how well the measured pose matches the simulator's true pose.

The demo cell's world is built once; for each trial the mid-frame and the main board are put in
the nest at a random true pose (seeded: offsets up to ``--offset`` mm along x and y, turns up to
``--turn`` degrees), the nest camera's image is rendered (PyBullet's TinyRenderer, supersampled)
and measured against where the parts should be; the error is measured − true, in the part's
expected frame. Prints the median, 95th percentile and maximum of |error| in x, y (mm) and yaw
(degrees) over all trials, the share judged correctly against the demo recipe's tolerance
(0.4 mm: a true offset under 0.3 mm must pass, over 0.5 mm must fail), and the cost of rendering
next to the cost of measuring (same run).

``--pipeline N`` runs the demo's placement recipe (``cellctl/config/demo/placement.yaml``) N
times in the full simulation, seeds 0..N-1, with the board shifted by a random 0..1 mm in a
random direction as it is let go (``--inject shift:main_board=…``); the parts' true poses are read
from PyBullet at the moment the image is taken, and compared with what the inspection journaled.

``--figure PATH`` also runs the placement recipe once with ``--inject shift:main_board=0.8mm``
and copies the failed inspection's picture to PATH (docs/placement_inspection_failed.png).

Run:

    python benchmarks/bench_placement.py [--trials 200 --supersample 2 --pipeline 12 --figure docs/placement_inspection_failed.png]
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from cellctl.config import demo_cell_path, load_cell
from cellctl.config.pose import Pose
from cellctl.vision import PartTarget, PinholeCamera, Tolerance, judge, measure_part
from sim.camera import render_camera
from sim.world import World

PARTS = ("mid_frame", "main_board")


def trials(count: int, offset_mm: float, turn_deg: float, supersample: int) -> None:
    cell = load_cell()
    world = World(cell, 1000.0)
    spec = cell.cameras["nest_cam"]
    camera = PinholeCamera(*spec.resolution, spec.fov, spec.pose.matrix)
    nest = world.slot_pose("nest", "unit")
    frame_h = cell.parts["mid_frame"].height
    expected = {"mid_frame": nest * Pose.from_xyz_rpy([0, 0, frame_h / 2]),
                "main_board": nest * Pose.from_xyz_rpy([0, 0, frame_h + cell.parts["main_board"].height / 2])}
    rng = np.random.default_rng(2026)
    errors: dict[str, list[tuple[float, float, float]]] = {p: [] for p in PARTS}
    right = total = 0
    render_s = measure_s = 0.0
    tolerance = Tolerance(0.4, 1.0)
    for _ in range(count):
        true = {}
        for part in PARTS:
            dx, dy = rng.uniform(-offset_mm, offset_mm, 2) / 1000.0
            yaw = math.radians(rng.uniform(-turn_deg, turn_deg))
            true[part] = expected[part] * Pose.from_xyz_rpy([dx, dy, 0.0], [0.0, 0.0, yaw])
            world.place_part(part, true[part])
        t0 = time.perf_counter()
        image = render_camera(world.client, camera, supersample)
        t1 = time.perf_counter()
        for part in PARTS:
            target = PartTarget(part, expected[part].matrix, tuple(cell.parts[part].size))
            measured = measure_part(image, camera, target)
            rel = np.linalg.inv(expected[part].matrix) @ world.part_pose(part).matrix
            tx, ty, tyaw = rel[0, 3] * 1000, rel[1, 3] * 1000, math.degrees(math.atan2(rel[1, 0], rel[0, 0]))
            if measured.found:
                errors[part].append((measured.dx - tx, measured.dy - ty, measured.yaw - tyaw))
            worst = max(abs(tx), abs(ty))
            if worst < 0.3 or worst > 0.5:
                total += 1
                right += judge(measured, target, tolerance).ok == (worst < 0.3)
        render_s += t1 - t0
        measure_s += time.perf_counter() - t1
    world.close()
    print(f"{count} trials, true offsets up to ±{offset_mm} mm and ±{turn_deg}°, supersample {supersample}, "
          f"{camera.width} x {camera.height} px, {camera.mm_per_pixel(0.89):.3f} mm/px")
    print(f"{'part':<11} {'found':>6} {'|dx| median/p95/max mm':>24} {'|dy| median/p95/max mm':>24} "
          f"{'|yaw| median/p95/max °':>24}")
    for part in PARTS:
        e = np.abs(np.array(errors[part]))
        cols = [f"{np.median(e[:, i]):.3f}/{np.percentile(e[:, i], 95):.3f}/{e[:, i].max():.3f}" for i in range(3)]
        print(f"{part:<11} {len(e):>6} {cols[0]:>24} {cols[1]:>24} {cols[2]:>24}")
    print(f"judged right against 0.4 mm: {right}/{total} (true offset < 0.3 mm passes, > 0.5 mm fails)")
    print(f"render {1000 * render_s / count:.0f} ms per image; measure both parts {1000 * measure_s / count:.1f} ms "
          f"(ratio {render_s / measure_s:.0f}x)")


def pipeline(count: int) -> None:
    from cellctl.cli.backends import parse_injections
    from cellctl.cli.execute import RunOptions, cell_session
    from cellctl.recipe import load_recipe

    recipe = load_recipe(demo_cell_path().with_name("placement.yaml"))
    cell = load_cell()
    rng = np.random.default_rng(15)
    errors, verdicts = [], []
    for seed in range(count):
        shift, angle = rng.uniform(0.0, 1.0), rng.uniform(0.0, 360.0)
        with tempfile.TemporaryDirectory() as tmp:
            options = RunOptions(db=Path(tmp) / "j.db", seed=seed, quiet=True,
                                 inject=parse_injections(f"shift:main_board={shift:.3f}mm@{angle:.1f}"))
            with cell_session(recipe, cell, options) as (supervisor, system, journal):
                truth: dict[str, tuple[np.ndarray, np.ndarray]] = {}
                render = system.capture

                def capture(camera, serial):  # noqa: ANN001, ANN202 - records the truth as the picture is taken
                    for part in PARTS:
                        truth[part] = (system.world.part_pose(part).matrix, supervisor.ctx.parts.poses[part].copy())
                    return render(camera, serial)

                system.capture = capture  # type: ignore[method-assign]
                supervisor.run(1)
                rows = {r["part"]: r for r in journal.inspections()}
        for part in PARTS:
            true, expected = truth[part]
            rel = np.linalg.inv(expected) @ true
            tx, ty, tyaw = rel[0, 3] * 1000, rel[1, 3] * 1000, math.degrees(math.atan2(rel[1, 0], rel[0, 0]))
            row = rows[part]
            if row["dx"] is not None:
                errors.append((part, row["dx"] - tx, row["dy"] - ty, row["yaw"] - tyaw))
            worst = max(abs(tx), abs(ty))
            if worst < 0.3 or worst > 0.5:
                verdicts.append(bool(row["ok"]) == (worst < 0.3))
    print(f"full simulation, {count} units of placement.yaml, board shifted 0..1 mm in a random direction:")
    for part in PARTS:
        e = np.abs(np.array([err[1:] for err in errors if err[0] == part]))
        cols = [f"{np.median(e[:, i]):.3f}/{e[:, i].max():.3f}" for i in range(3)]
        print(f"  {part:<11} measured {len(e)}: |dx| median/max {cols[0]} mm, |dy| {cols[1]} mm, |yaw| {cols[2]}°")
    print(f"  judged right against 0.4 mm: {sum(verdicts)}/{len(verdicts)} (true offset < 0.3 passes, > 0.5 fails)")


def figure(path: Path) -> None:
    from cellctl.cli.backends import parse_injections
    from cellctl.cli.execute import RunOptions, cell_session
    from cellctl.recipe import load_recipe

    with tempfile.TemporaryDirectory() as tmp:
        options = RunOptions(db=Path(tmp) / "j.db", inject=parse_injections("shift:main_board=0.8mm"), quiet=True)
        recipe = load_recipe(demo_cell_path().with_name("placement.yaml"))
        with cell_session(recipe, load_cell(), options) as (supervisor, _, journal):
            supervisor.run(1)
            picture = next(r["image"] for r in journal.inspections() if r["image"])
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(picture, path)
    print(f"picture of a failed inspection: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="0: only the figure")
    parser.add_argument("--offset", type=float, default=1.0, help="largest true offset, mm")
    parser.add_argument("--turn", type=float, default=0.5, help="largest true turn, degrees")
    parser.add_argument("--supersample", type=int, default=2)
    parser.add_argument("--pipeline", type=int, default=0, help="units of the placement recipe in the full simulation")
    parser.add_argument("--figure", type=Path, default=None)
    args = parser.parse_args()
    if args.trials > 0:
        trials(args.trials, args.offset, args.turn, args.supersample)
    if args.pipeline > 0:
        pipeline(args.pipeline)
    if args.figure is not None:
        figure(args.figure)


if __name__ == "__main__":
    main()
