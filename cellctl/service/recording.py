"""Recordings: what the cell did, in an MCAP file that Foxglove and ``ros2 bag`` open.

Every message is a ROS 2 message (schema encoding ``ros2msg``, message encoding ``cdr``, the
profile ``ros2``), encoded by the same codec the service puts on the wire. The channels and their
messages are those of :mod:`cellctl.service.channels` (the Foxglove live view shows the same);
this module is the MCAP sink of them. The file is valid after :meth:`McapSink.close` (written at
the end of a run).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mcap.writer import Writer

from cellctl._version import __version__
from cellctl.hw import HardwareSystem
from cellctl.service.channel_process import ChannelsProcess, RecordingError
from cellctl.service.channels import RATE, CellChannels, Channel, Sink
from cellctl.supervisor.geometry import CellGeometry

if TYPE_CHECKING:
    from cellctl.service.feed import ObservedJournal
    from cellctl.supervisor import Supervisor


class McapSink:
    """Writes channels to an MCAP file at ``path`` (profile ``ros2``; overwritten if it exists)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: BinaryIO = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._writer = Writer(self._file)
        self._writer.start(profile="ros2", library=f"cellctl {__version__}")
        self._schemas: dict[str, int] = {}
        self._channels: dict[str, int] = {}

    def add_channel(self, channel: Channel, schema: str) -> None:
        if channel.type_name not in self._schemas:
            self._schemas[channel.type_name] = self._writer.register_schema(
                name=channel.type_name, encoding="ros2msg", data=schema.encode("utf-8"))
        self._channels[channel.topic] = self._writer.register_channel(
            topic=channel.topic, message_encoding="cdr", schema_id=self._schemas[channel.type_name])

    def write(self, topic: str, data: bytes, log_time: int, sequence: int) -> None:
        self._writer.add_message(channel_id=self._channels[topic], log_time=log_time, publish_time=log_time,
                                 sequence=sequence, data=data)

    def close(self) -> None:
        try:
            self._writer.finish()
        finally:
            self._file.close()


class Recorder(CellChannels):
    """The cell's channels written to an MCAP file at ``path`` (and to ``extra`` sinks, e.g. a live view)."""

    def __init__(self, path: str | Path, system: HardwareSystem, geometry: CellGeometry, rate: float = RATE,
                 extra: tuple[Sink, ...] = ()) -> None:
        self.path = Path(path)
        super().__init__(system, geometry, [McapSink(path), *extra], rate)


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
def recording(path: Path | None, supervisor: Supervisor, journal: ObservedJournal, rate: float = RATE,
              foxglove: int | None = None) -> Iterator[Callable[[], None] | None]:
    """Record an active supervisor's cell to ``path`` and/or show it live on a Foxglove WebSocket
    server on loopback port ``foxglove`` (0: a free one) while the block runs; yields the function
    the control loop calls every cycle (``None`` when neither is asked for).

    The messages are encoded and written by a helper process
    (:class:`~cellctl.service.channel_process.ChannelsProcess`): the loop only reads the arms.

    An incomplete recording at the end (the writer died) is logged as a warning: the run's own
    report and exit code stand.

    Raises:
        RecordingError: the file cannot be written, or the Foxglove server cannot start (port
            taken, foxglove-sdk not installed).
    """
    if path is None and foxglove is None:
        yield None
        return
    assert supervisor.ctx is not None, "record an active supervisor"
    if path is not None:
        try:  # here, before the run starts: the writer opens it again
            path.open("wb").close()
        except OSError as exc:
            raise RecordingError(f"cannot write the recording {str(path)!r}: {exc.strerror}") from None
    channels = ChannelsProcess(supervisor.system, supervisor.cell, path, foxglove, rate)
    journal.add_listener(channels.on_record)
    try:
        channels.sample()
        yield channels.sample
    finally:
        journal.listeners.remove(channels.on_record)
        try:
            channels.close()
        except RecordingError as exc:
            logging.getLogger("cellctl.recording").warning("%s", exc)
