"""``cellctl replay FILE.mcap``: what a recording holds, and its arms played back in the simulator.

Prints the recording's span of cell time, its channels, units, tightenings and faults. With
``--play`` it puts the simulated cell's arms (headless, or in a window with ``--gui``) at every
recorded measured joint state, ``--speed`` times real time, and prints how far the simulator's
tool centre points are from the tool poses the recording holds (a check that the recording and
the cell description agree). Nothing is driven: the arms are set, parts are not moved, no tool runs.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from cellctl.cli.loading import UsageError
from cellctl.config import ConfigError, demo_cell_path, load_cell
from cellctl.service.interfaces import CODEC
from cellctl.service.recording import NAMESPACE, SUPERVISOR, TF_TOPIC


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("replay", help="summarise an MCAP recording and play its arms back in the simulator",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recording", type=Path, help="an MCAP file written with --record")
    p.add_argument("--play", action="store_true", help="play the recorded joint states into the simulated cell")
    p.add_argument("--cell", type=Path, default=None, help="cell description YAML (default: the demo cell)")
    p.add_argument("--speed", type=_speed, default=1.0,
                   help="with --play: cell seconds per wall second (default 1; 0 = as fast as it goes)")
    p.add_argument("--gui", action="store_true", help="with --play: show the simulation in a window")
    p.set_defaults(run=run)


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number 0 .. 1000, got {text!r}") from None
    if not 0.0 <= value <= 1000.0:
        raise argparse.ArgumentTypeError(f"must be in 0 .. 1000 (0 = as fast as it goes), got {value:g}")
    return value


def _open(path: Path) -> tuple[BinaryIO, Any]:
    """The file and its MCAP summary; UsageError (one line) when it is not a complete recording."""
    from mcap.exceptions import McapError
    from mcap.reader import make_reader
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UsageError([f"{path}: cannot open ({exc.strerror}); name an .mcap file written with --record"]) from None
    try:
        reader = make_reader(stream)
        summary = reader.get_summary()
    except (McapError, ValueError, EOFError) as exc:
        stream.close()
        raise UsageError([f"{path}: not a readable MCAP file ({exc}); was it written with --record and the "
                          "command ended (a killed process leaves no summary: 'mcap recover' rebuilds one)?"]) from None
    if summary is None or summary.statistics is None:
        stream.close()
        raise UsageError([f"{path}: the MCAP file has no summary (the recording did not end cleanly); "
                          "'mcap recover' rebuilds one"])
    return stream, reader


def _decoded(reader: Any, topics: list[str]):
    """(topic, log time s, message dict) in log-time order, decoded by the service's codec."""
    for schema, channel, message in reader.iter_messages(topics=topics, log_time_order=True):
        yield channel.topic, message.log_time * 1e-9, CODEC.decode(schema.name, message.data)


def summarise(path: Path) -> list[str]:
    """The summary lines: span, channels, units, tightenings, faults."""
    stream, reader = _open(path)
    with stream:
        summary = reader.get_summary()
        stats = summary.statistics
        start, end = stats.message_start_time * 1e-9, stats.message_end_time * 1e-9
        lines = [f"{path}: {stats.message_count} messages, cell time {start:.2f} .. {end:.2f} s ({end - start:.2f} s)",
                 "channels:"]
        for channel_id, channel in sorted(summary.channels.items(), key=lambda item: item[1].topic):
            count = stats.channel_message_counts.get(channel_id, 0)
            lines.append(f"  {channel.topic:<44} {summary.schemas[channel.schema_id].name:<36} {count:>7}")
        events = [f"{SUPERVISOR}/{name}" for name in ("unit_results", "tightening_results", "faults")]
        units, tightenings, faults = [], [], []
        for topic, _, m in _decoded(reader, events):
            if topic.endswith("unit_results"):
                reason = f" ({m['reason']})" if m["reason"] else ""
                units.append(f"  {m['unit']:<12} {m['result']:<8} cycle {m['cycle_time']:.2f} s{reason}")
            elif topic.endswith("tightening_results"):
                tightenings.append(f"  {m['unit']:<12} {m['hole']:<6} attempt {m['attempt']}  {m['status']:<4} "
                                   f"{_number(m['torque'], 'N·m', 3)} {_number(m['angle'], 'deg', 0)}"
                                   + (f"  {m['failure_class']}" if m["failure_class"] else ""))
            else:
                faults.append(f"  {m['cell_time']:9.2f} s  {m['source']}: {m['name']}: {m['message']} "
                              f"-> {m['action'] or '-'}")
    return [*lines, f"units: {len(units) or 'none'}", *units, f"tightenings: {len(tightenings) or 'none'}",
            *tightenings, f"faults: {len(faults) or 'none'}", *faults]


def _number(value: float, unit: str, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f} {unit}"


def play(path: Path, cell_path: Path, speed: float, gui: bool) -> list[str]:
    """Set the simulated arms to every recorded joint state, paced at ``speed``; the result lines."""
    from sim.system import SimSystem
    try:
        cell = load_cell(cell_path)
    except ConfigError as exc:
        raise UsageError([str(exc)]) from None
    stream, reader = _open(path)
    with stream:
        topics = {channel.topic for channel in reader.get_summary().channels.values()}
        arms = {t.split("/")[2] for t in topics if t.startswith(NAMESPACE + "/") and t.endswith("/joint_states")
                and not t.endswith("commanded_joint_states")}
        if not arms:
            raise UsageError([f"{path}: no joint states to play (no {NAMESPACE}/ARM/joint_states channel)"])
        if not arms <= set(cell.arms):
            raise UsageError([f"{path}: arms {', '.join(sorted(arms - set(cell.arms)))} are not in {cell_path} "
                              f"(its arms: {', '.join(cell.arms)}); name the recorded cell with --cell"])
        system = SimSystem(cell, gui=gui)
        system.configure()
        try:
            return _play(reader, system, sorted(arms), speed)
        finally:
            system.shutdown()


def _play(reader: Any, system: Any, arms: list[str], speed: float) -> list[str]:
    topics = [f"{NAMESPACE}/{arm}/joint_states" for arm in arms] + [TF_TOPIC]
    counts: Counter[str] = Counter()
    worst = 0.0
    wall0 = cell0 = None
    for topic, cell_time, message in _decoded(reader, topics):
        if wall0 is None:
            wall0, cell0 = time.perf_counter(), cell_time
        if speed > 0:
            delay = wall0 + (cell_time - cell0) / speed - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        if topic == TF_TOPIC:  # after the joint states of the same instant: compare the tool poses
            for t in message["transforms"]:
                arm, tool = t["child_frame_id"].split("/", 1)
                if arm in arms:
                    p = t["transform"]["translation"]
                    shown = system.tcp_pose(arm, tool).position
                    worst = max(worst, float(np.linalg.norm(np.array([p["x"], p["y"], p["z"]]) - shown)))
            continue
        arm = topic.split("/")[2]
        system.arms[arm].show(np.array(message["position"]))
        counts[arm] += 1
    played = (cell_time - cell0) if cell0 is not None else 0.0
    wall = time.perf_counter() - wall0 if wall0 is not None else 0.0
    return [f"played {', '.join(f'{arm} {counts[arm]}' for arm in arms)} joint states: {played:.2f} s of cell time "
            f"in {wall:.2f} s",
            f"tool centre points in the simulator vs the recorded /tf: at most {worst * 1000:.3f} mm apart"]


def run(args: argparse.Namespace) -> int:
    if not args.play and (args.gui or args.cell or args.speed != 1.0):
        raise UsageError(["--cell, --speed and --gui go with --play (play the recording in the simulator)"])
    for line in summarise(args.recording):
        print(line)
    if args.play:
        for line in play(args.recording, args.cell or demo_cell_path(), args.speed, args.gui):
            print(line)
    return 0
