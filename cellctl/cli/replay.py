"""``cellctl replay FILE.mcap``: what a recording holds, and its arms played back in the simulator
or in Foxglove.

Prints the recording's span of cell time, its channels, units, tightenings and faults. With
``--play`` it puts the simulated cell's arms (headless, or in a window with ``--gui``) at every
recorded measured joint state, ``--speed`` times real time, and prints how far the simulator's
tool centre points are from the tool poses the recording holds (a check that the recording and
the cell description agree). Nothing is driven: the arms are set, parts are not moved, no tool runs.
With ``--foxglove [PORT]`` it serves the recording on a Foxglove WebSocket server instead: it waits
for a Foxglove client to subscribe, then plays every message, ``--speed`` times real time.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from cellctl.cli.argtypes import number_in
from cellctl.cli.loading import UsageError
from cellctl.config import ConfigError, demo_cell_path, load_cell
from cellctl.service.channels import NAMESPACE, SUPERVISOR, TF_TOPIC, Channel
from cellctl.service.foxglove import INSTALL, add_foxglove_option
from cellctl.service.interfaces import CODEC

GRACE = 0.5
"""Seconds between a Foxglove client's first subscription and the start of the play (its other
panels subscribe in the meantime)."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("replay", help="summarise an MCAP recording and play its arms back in the simulator",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recording", type=Path, help="an MCAP file written with --record")
    p.add_argument("--play", action="store_true", help="play the recorded joint states into the simulated cell")
    p.add_argument("--cell", type=Path, default=None, help="cell description YAML (default: the demo cell)")
    p.add_argument("--speed", type=number_in(0.0, 1000.0, note="0 = as fast as it goes"), default=1.0,
                   help="with --play or --foxglove: cell seconds per wall second (default 1; 0 = as fast as it goes)")
    p.add_argument("--gui", action="store_true", help="with --play: show the simulation in a window")
    add_foxglove_option(p, "the recording (played once a client subscribes)")
    p.add_argument("--layout", type=_json_path, default=None, metavar="FILE.json",
                   help="write a Foxglove layout for the recording's arms (3D with the URDFs, plots, steps)")
    p.set_defaults(run=run)


def _json_path(text: str) -> Path:
    path = Path(text)
    if path.suffix != ".json" or not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: name a .json file in a folder that exists, e.g. layout.json")
    return path


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


def recorded_arms(path: Path) -> list[str]:
    """The arms whose measured joint states the recording holds."""
    stream, reader = _open(path)
    with stream:
        topics = {channel.topic for channel in reader.get_summary().channels.values()}
    return sorted(t.split("/")[2] for t in topics if t.startswith(NAMESPACE + "/") and t.endswith("/joint_states")
                  and not t.endswith("commanded_joint_states"))


def write_layout(recording: Path, out: Path) -> str:
    """Write the Foxglove layout for the recording's arms to ``out``; the line that says so."""
    try:
        from cellctl.service.layout import foxglove_layout
        text = foxglove_layout(recorded_arms(recording))
    except ImportError:
        raise UsageError([f"--layout needs the foxglove-sdk package, which is not installed: {INSTALL}"]) from None
    out.write_text(text + "\n")
    return f"Foxglove layout for {recording}: {out} (Foxglove: Layouts -> Import from file)"


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
    arms = set(recorded_arms(path))
    stream, reader = _open(path)
    with stream:
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


class Pace:
    """Waits until each recorded instant is due: ``speed`` cell seconds per wall second (0: no wait)."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.wall0: float | None = None
        self.cell0 = self.cell = 0.0

    def until(self, cell_time: float) -> None:
        """Return when ``cell_time`` (s) is due (the first call starts the clock)."""
        if self.wall0 is None:
            self.wall0, self.cell0 = time.perf_counter(), cell_time
        self.cell = cell_time
        if self.speed > 0:
            delay = self.wall0 + (cell_time - self.cell0) / self.speed - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    def played(self) -> str:
        """How much cell time was played in how much wall time."""
        wall = time.perf_counter() - self.wall0 if self.wall0 is not None else 0.0
        return f"{self.cell - self.cell0:.2f} s of cell time in {wall:.2f} s"


def _play(reader: Any, system: Any, arms: list[str], speed: float) -> list[str]:
    topics = [f"{NAMESPACE}/{arm}/joint_states" for arm in arms] + [TF_TOPIC]
    counts: Counter[str] = Counter()
    worst = 0.0
    pace = Pace(speed)
    for topic, cell_time, message in _decoded(reader, topics):
        pace.until(cell_time)
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
    return [f"played {', '.join(f'{arm} {counts[arm]}' for arm in arms)} joint states: {pace.played()}",
            f"tool centre points in the simulator vs the recorded /tf: at most {worst * 1000:.3f} mm apart"]


def serve_foxglove(path: Path, port: int, speed: float) -> list[str]:
    """Serve every message of the recording on a Foxglove WebSocket server on ``port``, paced at
    ``speed``, once a client has subscribed; the result lines."""
    from cellctl.service.foxglove import FoxgloveSink
    stream, reader = _open(path)
    with stream:
        summary = reader.get_summary()
        sink = FoxgloveSink(port)
        try:
            for channel in sorted(summary.channels.values(), key=lambda c: c.topic):
                schema = summary.schemas[channel.schema_id]
                sink.add_channel(Channel(channel.topic, schema.name), schema.data.decode("utf-8"))
            print(f"cellctl replay: waiting for a Foxglove client on {sink.url} (Ctrl-C to stop)", file=sys.stderr,
                  flush=True)
            while not sink.subscribed.wait(0.2):
                pass
            time.sleep(GRACE)
            pace, count = Pace(speed), 0
            for _, channel, message in reader.iter_messages(log_time_order=True):
                pace.until(message.log_time * 1e-9)
                sink.write(channel.topic, message.data, message.log_time, message.sequence)
                count += 1
        finally:
            sink.close()
    return [f"served {count} messages to Foxglove: {pace.played()}"]


def run(args: argparse.Namespace) -> int:
    if not args.play and (args.gui or args.cell):
        raise UsageError(["--cell and --gui go with --play (play the recording in the simulator)"])
    if not args.play and args.foxglove is None and args.speed != 1.0:
        raise UsageError(["--speed goes with --play (the simulator) or --foxglove (a Foxglove live server)"])
    if args.play and args.foxglove is not None:
        raise UsageError(["--play and --foxglove: one at a time (the simulator, or a Foxglove live server)"])
    for line in summarise(args.recording):
        print(line)
    if args.play:
        for line in play(args.recording, args.cell or demo_cell_path(), args.speed, args.gui):
            print(line)
    if args.layout is not None:
        print(write_layout(args.recording, args.layout))
    if args.foxglove is not None:
        for line in serve_foxglove(args.recording, args.foxglove, args.speed):
            print(line, flush=True)
    return 0
