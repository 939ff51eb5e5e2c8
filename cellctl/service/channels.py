"""The channels a cell shows to a recording and a live viewer, encoded once, written to sinks.

One place knows the channels, their ROS 2 types and how each message is built and encoded
(CDR, the service's codec): :class:`CellChannels`. Where the bytes go is a :class:`Sink`: an
MCAP file (:class:`cellctl.service.recording.McapSink`), a Foxglove WebSocket server
(:class:`cellctl.service.foxglove.FoxgloveSink`), or both, fed the same messages. Channels:

* ``/cell/ARM/robot_description`` (``std_msgs/String``, latched): the arm's URDF in primitive
  geometry (:mod:`cellctl.service.description`), written once;
* ``/tf_static`` (``tf2_msgs/TFMessage``, latched): each arm's URDF root link ``ARM/ROOT`` placed in
  ``world`` (the arm's base), written once; a viewer draws each URDF with frame prefix ``ARM/``;
* ``/cell/ARM/joint_states`` and ``/cell/ARM/commanded_joint_states`` (``sensor_msgs/JointState``):
  the measured and (when the backend knows it) commanded joint state of each arm, sampled every
  ``1/rate`` s of cell time;
* ``/tf`` (``tf2_msgs/TFMessage``): each tool's centre point ``ARM/TOOL`` in ``world``, with the joints;
* ``/cell/supervisor/step_events``, ``tightening_results``, ``tightening_curves``, ``faults`` and
  ``unit_results``: the journal's records as the service publishes them (:mod:`cellctl.service.feed`).

Time: every log time and stamp is the cell's clock (the backend's: simulation time in
simulation, the controller's clock on hardware), in nanoseconds, like a ROS 2 node with
``use_sim_time``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cellctl.hw import HardwareSystem
from cellctl.service import interfaces as ifc
from cellctl.service.messages import joint_state, time_of, transform
from cellctl.supervisor.geometry import CellGeometry

NAMESPACE = "/cell"
SUPERVISOR = f"{NAMESPACE}/supervisor"
TF_TOPIC = "/tf"
TF_STATIC_TOPIC = "/tf_static"
JOINT_STATE = "sensor_msgs/msg/JointState"
TF_MESSAGE = "tf2_msgs/msg/TFMessage"
STRING = "std_msgs/msg/String"
RATE = 50.0
"""Joint states and tool poses per second of cell time: every other 10 ms control cycle (at the
control rate a recording took about 9 % of the demo's CPU time; see docs/benchmarks.md)."""


@dataclass(frozen=True)
class Channel:
    """A topic and its ROS 2 message type."""

    topic: str
    type_name: str

    @property
    def latched(self) -> bool:
        """Whether a late subscriber needs the last message (what ROS 2 calls transient-local durability)."""
        return latched(self.topic)

    @property
    def schema(self) -> str:
        """The ``ros2msg`` schema text (the type with every type it uses)."""
        return ifc.ros2msg_schema(self.type_name)


class Sink(Protocol):
    """Where encoded messages go."""

    def add_channel(self, channel: Channel, schema: str) -> None:
        """Announce ``channel`` (its ``ros2msg`` schema text): called for every channel before any message."""

    def write(self, topic: str, data: bytes, log_time: int, sequence: int) -> None:
        """One CDR-encoded message on ``topic`` at ``log_time`` (ns of cell time)."""

    def close(self) -> None:
        """Finish (a file is complete, a server stopped) after the last message."""


def latched(topic: str) -> bool:
    """Whether a late subscriber to ``topic`` needs its last message: the robot descriptions and ``/tf_static``."""
    return topic == TF_STATIC_TOPIC or topic.endswith("/robot_description")


def cell_channels(arms: dict[str, bool]) -> list[Channel]:
    """Every channel of a cell whose arms are ``arms`` (name → whether its commanded joint state is known)."""
    channels = [Channel(TF_STATIC_TOPIC, TF_MESSAGE)]
    for name, commanded in arms.items():
        channels.append(Channel(f"{NAMESPACE}/{name}/robot_description", STRING))
        channels.append(Channel(f"{NAMESPACE}/{name}/joint_states", JOINT_STATE))
        if commanded:
            channels.append(Channel(f"{NAMESPACE}/{name}/commanded_joint_states", JOINT_STATE))
    channels.append(Channel(TF_TOPIC, TF_MESSAGE))
    channels += [Channel(f"{SUPERVISOR}/{topic}", type_name) for topic, type_name in ifc.EVENTS.values()]
    return channels


class SampleClock:
    """When a sample of the arms is due: every ``1/rate`` s of cell time, on a fixed grid (a late
    sample does not shift the next one, unless a whole period was missed)."""

    def __init__(self, rate: float) -> None:
        self.period = 1.0 / rate
        self._due: float | None = None
        self._last = -1.0

    def due(self, now: float, force: bool = False) -> bool:
        """Whether to sample at ``now`` (``force``: yes, unless already sampled at this instant);
        True also advances the clock."""
        if now <= self._last or (not force and self._due is not None and now < self._due - 1e-6):
            return False
        self._last = now
        self._due = now + self.period if self._due is None or now > self._due + self.period else self._due + self.period
        return True


class CellChannels:
    """The cell's channels (see module docstring), each message encoded once and written to every sink.

    ``sample()`` is called by the control loop (at least once per control cycle); it writes the
    arms' state when ``1/rate`` s of cell time have passed (the latched channels first, once).
    ``on_record`` is a journal listener.
    """

    def __init__(self, system: HardwareSystem, geometry: CellGeometry, sinks: Sequence[Sink],
                 rate: float = RATE) -> None:
        self.system, self.geometry, self.sinks = system, geometry, list(sinks)
        self.clock = SampleClock(rate)
        self.channels = {c.topic: c for c in cell_channels({name: arm.commanded() is not None
                                                             for name, arm in system.arms.items()})}
        self._sequence: dict[str, int] = {}
        self._latched_written = False
        self.closed = False
        for channel in self.channels.values():  # every channel from the start, even one that stays empty
            schema = channel.schema
            for sink in self.sinks:
                sink.add_channel(channel, schema)

    def write(self, topic: str, message: dict[str, Any], cell_time: float) -> None:
        """Encode ``message`` as the type of ``topic`` and write it to every sink at ``cell_time`` (s)."""
        data = ifc.CODEC.encode(self.channels[topic].type_name, message)
        ns = max(0, round(cell_time * 1e9))
        sequence = self._sequence[topic] = self._sequence.get(topic, -1) + 1
        for sink in self.sinks:
            sink.write(topic, data, ns, sequence)

    # ------------------------------------------------------------------ sources
    def on_record(self, kind: str, fields: dict[str, Any]) -> None:
        """A journal listener: each record on its event channel, at its cell time."""
        topic, _ = ifc.EVENTS[kind]
        self.write(f"{SUPERVISOR}/{topic}", {"stamp": time_of(fields["cell_time"]), **fields}, fields["cell_time"])

    def sample(self, force: bool = False) -> None:
        """Write the arms' joint states and tool poses if ``1/rate`` s of cell time have passed."""
        now = self.system.now()
        if not self.clock.due(now, force):
            return
        if not self._latched_written:
            self._latched_written = True
            self._write_latched(now)
        stamp = time_of(now)
        transforms = []
        for name, arm in self.system.arms.items():
            state = arm.read()
            geo = self.geometry.arms[name]
            joints = geo.spec.joints
            self.write(f"{NAMESPACE}/{name}/joint_states",
                       joint_state(stamp, joints, state.positions, state.velocities, state.efforts), now)
            commanded = arm.commanded()
            if commanded is not None:
                self.write(f"{NAMESPACE}/{name}/commanded_joint_states", joint_state(stamp, joints, *commanded), now)
            transforms += [transform(stamp, f"{name}/{tool}", geo.fk(tool, state.positions)) for tool in geo.chains]
        self.write(TF_TOPIC, {"transforms": transforms}, now)

    def _write_latched(self, now: float) -> None:
        """The robot descriptions and the arms' bases (``/tf_static``), once."""
        from cellctl.motion.urdf import root_link
        from cellctl.service.description import robot_description

        stamp = time_of(now)
        bases = []
        for name in self.system.arms:
            spec = self.geometry.arms[name].spec
            self.write(f"{NAMESPACE}/{name}/robot_description", {"data": robot_description(spec)}, now)
            bases.append(transform(stamp, f"{name}/{root_link(spec.urdf)}", self.geometry.arms[name].base))
        self.write(TF_STATIC_TOPIC, {"transforms": bases}, now)

    def close(self) -> None:
        """Write the last state, then close every sink (each is closed even if another fails)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sample(force=True)
        finally:
            close_all(self.sinks)


def close_all(sinks: Iterable[Sink]) -> None:
    """Close every sink, even when one fails; then raise the first failure."""
    errors = []
    for sink in sinks:
        try:
            sink.close()
        except Exception as exc:  # noqa: BLE001 - close the others, then raise the first
            errors.append(exc)
    if errors:
        raise errors[0]
