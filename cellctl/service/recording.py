"""Recordings: what the cell did, in an MCAP file that Foxglove and ``ros2 bag`` open.

Every message is a ROS 2 message (schema encoding ``ros2msg``, message encoding ``cdr``, the
profile ``ros2``), encoded by the same codec the service puts on the wire. Channels:

* ``/cell/ARM/joint_states`` and ``/cell/ARM/commanded_joint_states`` (``sensor_msgs/JointState``):
  the measured and (when the backend knows it) commanded joint state of each arm, sampled every
  ``1/rate`` s of cell time;
* ``/tf`` (``tf2_msgs/TFMessage``): each tool's centre point ``ARM/TOOL`` in ``world``, with the joints;
* ``/cell/supervisor/step_events``, ``tightening_results``, ``tightening_curves``, ``faults`` and
  ``unit_results``: the journal's records as the service publishes them (:mod:`cellctl.service.feed`).

Time: log time, publish time and every stamp are the cell's clock (the backend's: simulation
time in simulation, the controller's clock on hardware), in nanoseconds, like a ROS 2 node with
``use_sim_time``. The file is valid after :meth:`Recorder.close` (written at the end of a run).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mcap.writer import Writer

from cellctl._version import __version__
from cellctl.hw import HardwareSystem
from cellctl.service import interfaces as ifc
from cellctl.service.messages import joint_state, time_of, transform
from cellctl.supervisor.geometry import CellGeometry

if TYPE_CHECKING:
    from cellctl.service.feed import ObservedJournal
    from cellctl.supervisor import Supervisor

NAMESPACE = "/cell"
SUPERVISOR = f"{NAMESPACE}/supervisor"
TF_TOPIC = "/tf"
RATE = 50.0
"""Joint states and tool poses per second of cell time: every other 10 ms control cycle (at the
control rate a recording took about 9 % of the demo's CPU time; see docs/benchmarks.md)."""


class Recorder:
    """Writes an MCAP recording of one cell to ``path`` (see module docstring).

    ``sample()`` is called by the control loop (at least once per control cycle); it writes the
    arms' state when ``1/rate`` s of cell time have passed. ``on_record`` is a journal listener.
    """

    def __init__(self, path: str | Path, system: HardwareSystem, geometry: CellGeometry, rate: float = RATE) -> None:
        self.path, self.system, self.geometry = Path(path), system, geometry
        self.period = 1.0 / rate
        self._file: BinaryIO = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._writer = Writer(self._file)
        self._writer.start(profile="ros2", library=f"cellctl {__version__}")
        self._schemas: dict[str, int] = {}
        self._channels: dict[str, tuple[int, str]] = {}
        self._sequence: dict[str, int] = {}
        self._due: float | None = None
        self._last = -1.0
        self.closed = False
        for name, arm in system.arms.items():  # every channel from the start, even one that stays empty
            self._channel(f"{NAMESPACE}/{name}/joint_states", "sensor_msgs/msg/JointState")
            if arm.commanded() is not None:
                self._channel(f"{NAMESPACE}/{name}/commanded_joint_states", "sensor_msgs/msg/JointState")
        self._channel(TF_TOPIC, "tf2_msgs/msg/TFMessage")
        for topic, type_name in ifc.EVENTS.values():
            self._channel(f"{SUPERVISOR}/{topic}", type_name)

    # ------------------------------------------------------------------ channels
    def _channel(self, topic: str, type_name: str) -> int:
        if topic not in self._channels:
            if type_name not in self._schemas:
                self._schemas[type_name] = self._writer.register_schema(
                    name=type_name, encoding="ros2msg", data=ifc.ros2msg_schema(type_name).encode("utf-8"))
            channel = self._writer.register_channel(topic=topic, message_encoding="cdr",
                                                    schema_id=self._schemas[type_name])
            self._channels[topic] = (channel, type_name)
        return self._channels[topic][0]

    def write(self, topic: str, type_name: str, message: dict[str, Any], cell_time: float) -> None:
        """Encode ``message`` as ``type_name`` and write it on ``topic`` at ``cell_time`` (s)."""
        channel = self._channel(topic, type_name)
        ns = max(0, round(cell_time * 1e9))
        sequence = self._sequence[topic] = self._sequence.get(topic, -1) + 1
        self._writer.add_message(channel_id=channel, log_time=ns, publish_time=ns, sequence=sequence,
                                 data=ifc.CODEC.encode(type_name, message))

    # ------------------------------------------------------------------ sources
    def on_record(self, kind: str, fields: dict[str, Any]) -> None:
        """A journal listener: each record on its event channel, at its cell time."""
        topic, type_name = ifc.EVENTS[kind]
        self.write(f"{SUPERVISOR}/{topic}", type_name, {"stamp": time_of(fields["cell_time"]), **fields},
                   fields["cell_time"])

    def sample(self, force: bool = False) -> None:
        """Write the arms' joint states and tool poses if ``1/rate`` s of cell time have passed."""
        now = self.system.now()
        if now <= self._last or (not force and self._due is not None and now < self._due - 1e-6):
            return
        self._last = now
        self._due = now + self.period if self._due is None or now > self._due + self.period else self._due + self.period
        stamp = time_of(now)
        transforms = []
        for name, arm in self.system.arms.items():
            state = arm.read()
            geo = self.geometry.arms[name]
            joints = geo.spec.joints
            self.write(f"{NAMESPACE}/{name}/joint_states", "sensor_msgs/msg/JointState",
                       joint_state(stamp, joints, state.positions, state.velocities, state.efforts), now)
            commanded = arm.commanded()
            if commanded is not None:
                self.write(f"{NAMESPACE}/{name}/commanded_joint_states", "sensor_msgs/msg/JointState",
                           joint_state(stamp, joints, *commanded), now)
            transforms += [transform(stamp, f"{name}/{tool}", geo.fk(tool, state.positions)) for tool in geo.chains]
        self.write(TF_TOPIC, "tf2_msgs/msg/TFMessage", {"transforms": transforms}, now)

    def close(self) -> None:
        """Write the last state and the file's summary; the file is complete after this."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sample(force=True)
        finally:
            self._writer.finish()
            self._file.close()


def mcap_path(text: str) -> Path:
    """``--record FILE.mcap``: a path ending in ``.mcap`` in a folder that exists."""
    path = Path(text)
    if path.suffix != ".mcap":
        raise argparse.ArgumentTypeError(f"{text!r} must end in .mcap (an MCAP recording), e.g. unit.mcap")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"folder {str(path.parent)!r} of {text!r} does not exist; create it first")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; name a file, e.g. {text.rstrip('/')}/unit.mcap")
    return path


@contextmanager
def recording(path: Path | None, supervisor: Supervisor, journal: ObservedJournal,
              rate: float = RATE) -> Iterator[Callable[[], None] | None]:
    """Record an active supervisor's cell to ``path`` while the block runs; yields the function the
    control loop calls every cycle (``None`` when ``path`` is None: nothing recorded)."""
    if path is None:
        yield None
        return
    assert supervisor.ctx is not None, "record an active supervisor"
    recorder = Recorder(path, supervisor.system, supervisor.ctx.geometry, rate)
    journal.add_listener(recorder.on_record)
    try:
        recorder.sample()
        yield recorder.sample
    finally:
        journal.listeners.remove(recorder.on_record)
        recorder.close()
