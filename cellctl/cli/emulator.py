"""``cellctl emulator``: a controller emulator on a pseudo-terminal (and TCP), for HIL tests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cellctl.config import CellDescription


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("emulator", help="start the controller emulator and print where to connect",
                            description=__doc__)
    p.add_argument("--cell", type=Path, default=None, help="cell description (sets the arm's joint count)")
    p.add_argument("--arm", default=None, help="which arm of the cell to emulate (default: the first)")
    p.add_argument("--link", default=None, help="symlink PATH to the pseudo-terminal")
    p.add_argument("--tcp", type=int, default=None, help="also listen on 127.0.0.1:PORT (0: pick one)")
    p.add_argument("--faults", default="", help='inject link faults, e.g. "corrupt=0.01,drop=0.005,seed=3"')
    p.add_argument("--profile", choices=("standard", "small"), default="standard",
                   help="the controller's buffers: standard, or small (within 64 KB of RAM)")
    p.add_argument("--lease-ms", type=int, default=None,
                   help="the watchdog lease in ms, 10 to 60000 (default 1000): with no valid frame for this "
                        "long the emulated controller stops the arm (fault 301)")
    p.add_argument("--journal", type=Path, default=None,
                   help="write every executed command and played setpoint to FILE as JSON lines")
    p.add_argument("--nvm", type=Path, default=None,
                   help="the controller's non-volatile memory of tool results, a file kept across restarts "
                        "(default: LINK.nvm.json beside --link)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from firmware_bridge import emulator

    argv = []
    if args.cell is not None or args.arm is not None:
        from cellctl.cli.loading import UsageError
        from cellctl.config import ConfigError, load_cell

        try:
            cell = load_cell(args.cell)
        except ConfigError as exc:
            raise UsageError([str(exc)]) from None
        arm = args.arm or next(iter(cell.arms))
        if arm not in cell.arms:
            raise UsageError([f"--arm {arm!r} is not in the cell; valid: {', '.join(cell.arms)}"])
        argv += emulator_argv(cell, arm)
    argv += ["--profile", args.profile]
    if args.link:
        argv += ["--link", args.link]
    if args.tcp is not None:
        argv += ["--tcp", str(args.tcp)]
    if args.lease_ms is not None:
        low, high = emulator.LEASE_MS_RANGE
        if not low <= args.lease_ms <= high:
            from cellctl.cli.loading import UsageError

            raise UsageError([f"--lease-ms {args.lease_ms}: valid from {low} to {high} ms"])
        argv += ["--lease-ms", str(args.lease_ms)]
    if args.journal is not None:
        argv += ["--journal", str(args.journal)]
    if args.nvm is not None:
        argv += ["--nvm", str(args.nvm)]
    if args.faults:
        from cellctl.cli.loading import UsageError
        from firmware_bridge.faults import FaultSpec

        try:
            FaultSpec.parse(args.faults)
        except ValueError as exc:
            raise UsageError([f"--faults {args.faults!r}: {exc}"]) from None
        argv += ["--faults", args.faults]
    return emulator.main(argv)


def emulator_argv(cell: "CellDescription", arm: str) -> list[str]:
    """The emulator options that make it the controller of ``arm`` in ``cell``: its joints and
    limits, at home with its holding tool as the simulated arm starts, and the cell's screw."""
    spec = cell.arms[arm]
    argv = ["--dof", str(spec.dof),
            "--acceleration", ",".join(f"{a:g}" for a in spec.limits.acceleration),
            "--jerk", ",".join(f"{j:g}" for j in spec.limits.jerk),
            "--start=" + ",".join(f"{q:.9g}" for q in spec.home)]  # one token: it may begin with a minus
    screws = {hole.screw for hole in cell.holes.values()}
    if spec.tool_of_type("screwdriver") is not None and len(screws) == 1:
        # The emulated screwdriver drives the cell's screw: it seats after length / pitch turns.
        argv += ["--seat-angle", f"{cell.screws[screws.pop()].seat_angle:.3f}"]
    gripper = spec.tool_of_type("parallel_gripper")
    if gripper is not None:  # it starts fully open, as the simulated one
        argv += ["--open-width", f"{gripper.max_width:.4f}"]
    elif spec.tool_of_type("vacuum") is not None:
        argv += ["--holding", "vacuum"]  # the arm holds with a suction cup: no fingers to travel
    return argv
