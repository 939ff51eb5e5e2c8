"""``cellctl demo``: the built-in demonstration.

Until the simulated demo cell exists this runs the motion core on a 7-axis arm: a
time-optimal move, a controlled stop half way (as a pause does), and the resumed move,
printing the figures and writing a PNG of the joint trajectories with their limits.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from cellctl.motion import JointLimits, Samples, plan_ptp, plan_stop

SERVO_RATE_HZ = 1000.0

# A 7-axis arm with limits in the range of a collaborative arm (rad/s, rad/s², rad/s³).
DEMO_LIMITS = JointLimits(
    velocity=[1.71, 1.71, 1.75, 2.27, 2.44, 3.14, 3.14],
    acceleration=[7.5, 3.75, 5.0, 6.25, 7.5, 10.0, 10.0],
    jerk=[3750.0, 1875.0, 2500.0, 3125.0, 3750.0, 5000.0, 5000.0],
    names=("a1", "a2", "a3", "a4", "a5", "a6", "a7"),
)
HOME = np.zeros(7)
PICK = np.array([1.2, 0.6, -0.4, -1.5, 0.3, 1.1, -0.8])


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("demo", help="run the built-in demonstration",
                            description=__doc__.splitlines()[0])
    p.add_argument("--plot", type=Path, default=Path("cellctl-demo.png"),
                   help="where to write the trajectory plot (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="end with one JSON summary line")
    p.set_defaults(run=run)


def _concatenate(parts: list[tuple[float, Samples]]) -> Samples:
    fields = {name: np.concatenate([getattr(s, name) for _, s in parts])
              for name in ("position", "velocity", "acceleration", "jerk")}
    time_axis = np.concatenate([offset + s.time for offset, s in parts])
    return Samples(time=time_axis, **fields)


def run(args: argparse.Namespace) -> int:
    from cellctl.plotting import plot_joint_trajectory

    t0 = time.perf_counter()
    move = plan_ptp(HOME, PICK, DEMO_LIMITS)
    pause_at = 0.5 * move.duration
    stop = plan_stop(move.state_at(pause_at), DEMO_LIMITS)
    rest = stop.state_at(stop.duration)
    resume = plan_ptp(rest.position, PICK, DEMO_LIMITS)
    planning_s = time.perf_counter() - t0

    first = move.sample(np.arange(0.0, pause_at, 1.0 / SERVO_RATE_HZ))
    parts = [(0.0, first), (pause_at, stop.sample(rate=SERVO_RATE_HZ)),
             (pause_at + stop.duration, resume.sample(rate=SERVO_RATE_HZ))]
    samples = _concatenate(parts)
    final_error = float(np.abs(samples.position[-1] - PICK).max())
    markers = [(pause_at, "pause"), (pause_at + stop.duration, "resume")]
    plot = plot_joint_trajectory(samples, DEMO_LIMITS, args.plot,
                                 title="home → pick, paused half way", markers=markers)

    print("cellctl demo: 7-axis move with a pause half way (motion core only)")
    print(f"  move home → pick     {move.duration:8.4f} s  ({move!r})")
    print(f"  controlled stop      {stop.duration:8.4f} s  (keeps the direction of motion: "
          f"{stop.phase_synchronized})")
    print(f"  resumed move         {resume.duration:8.4f} s")
    print(f"  planning, 3 moves    {planning_s * 1e6:8.1f} µs")
    print(f"  servo samples        {len(samples.time):8d} at {SERVO_RATE_HZ:.0f} Hz")
    print(f"  final position error {final_error:.2e} rad")
    print(f"  plot                 {plot}")
    if args.json:
        print(json.dumps({"move_s": move.duration, "stop_s": stop.duration,
                          "resume_s": resume.duration, "final_error_rad": final_error,
                          "plot": str(plot)}))
    return 0
