"""``--foxglove [PORT]``: the cell live in Foxglove, and a recording played into Foxglove.

A client written from the Foxglove WebSocket protocol (``_foxglove.py``, on the ``websockets``
package) subscribes like the Foxglove app does, and every payload is decoded by ``rosbags``' CDR
deserializer with its own ROS 2 (Humble) message types, not by our codec."""

from __future__ import annotations

import math
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from rosbags.typesys import Stores, get_typestore

from cellctl.config import demo_cell_path, load_cell

from _cli import CELLCTL, cli_env, frame_and_screws_recipe
from _foxglove import FoxgloveClient, port_from
from _serve import Served, start_serve, wait_for

pytestmark = [pytest.mark.process, pytest.mark.xdist_group("foxglove")]

TYPES = get_typestore(Stores.ROS2_HUMBLE)
CELL = load_cell(demo_cell_path())
LOADER = CELL.arms["loader"]
JOINTS, DESCRIPTION = "/cell/loader/joint_states", "/cell/loader/robot_description"
TOPICS = {JOINTS, DESCRIPTION, "/cell/loader/commanded_joint_states", "/cell/screwer/joint_states",
          "/cell/screwer/robot_description", "/tf", "/tf_static", "/cell/supervisor/step_events",
          "/cell/supervisor/tightening_results", "/cell/supervisor/tightening_curves", "/cell/supervisor/faults",
          "/cell/supervisor/unit_results"}
TIMEOUT = 30.0  # s for any one thing to arrive (a busy shared machine)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    """The demo cell served idle (paced 3x), recorded and shown on a Foxglove server on a free port."""
    folder = tmp_path_factory.mktemp("foxglove")
    served = start_serve(folder, "--pace", "3", "--record", str(folder / "live.mcap"), "--foxglove", "0")
    try:
        yield served, folder / "live.mcap"
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(10)


def _check_loader(got: dict[str, tuple[int, bytes]]) -> np.ndarray:
    """The loader's joint state and robot description decoded and checked; the joint positions."""
    description = TYPES.deserialize_cdr(got[DESCRIPTION][1], "std_msgs/msg/String")
    limits = {j.get("name"): j.find("limit") for j in ET.fromstring(description.data).iter("joint")}
    assert set(LOADER.joints) <= set(limits)
    state = TYPES.deserialize_cdr(got[JOINTS][1], "sensor_msgs/msg/JointState")
    assert list(state.name) == list(LOADER.joints)
    assert len(state.position) == len(state.velocity) == len(LOADER.joints)
    for name, q in zip(state.name, state.position):
        limit = limits[name]
        assert math.isfinite(q) and float(limit.get("lower")) - 1e-6 <= q <= float(limit.get("upper")) + 1e-6, name
    stamp = state.header.stamp.sec * 1_000_000_000 + state.header.stamp.nanosec
    assert stamp == got[JOINTS][0]  # the frame's log time is the message's stamp: the cell's clock
    return np.array(state.position)


def test_serve_shows_the_cell_live_in_foxglove(live) -> None:
    served, _ = live
    port = wait_for(lambda: port_from(served.log), TIMEOUT, "the Foxglove port in serve's log")
    with FoxgloveClient(port, TIMEOUT) as client:  # type: ignore[arg-type]
        client.handshake(TOPICS)
        assert client.ws.subprotocol in ("foxglove.sdk.v1", "foxglove.websocket.v1")
        assert client.server_info["name"] == "cellctl" and "time" in client.server_info["capabilities"]
        assert {c["encoding"] for c in client.channels.values()} == {"cdr"}
        assert {c["schemaEncoding"] for c in client.channels.values()} == {"ros2msg"}
        assert client.channels[JOINTS]["schemaName"] == "sensor_msgs/msg/JointState"
        # the description was written when serve came up: a late subscriber gets it again (latched)
        client.subscribe(JOINTS, DESCRIPTION)
        got = client.first_messages({JOINTS, DESCRIPTION}, TIMEOUT)
    positions = _check_loader(got)
    assert np.allclose(positions, LOADER.home, atol=1e-2)  # an idle cell: the loader rests at home


def test_a_recording_plays_into_foxglove_and_the_server_stops(live, tmp_path: Path) -> None:
    served, recording = live
    assert served.stop() == 0, served.log.read_text()
    with pytest.raises(OSError):  # the live server went with the process
        FoxgloveClient(wait_for(lambda: port_from(served.log), 1, "the port"), timeout=2)  # type: ignore[arg-type]
    log = tmp_path / "replay.log"
    with log.open("w") as out:
        replay = subprocess.Popen([*CELLCTL, "replay", str(recording), "--foxglove", "0", "--speed", "50"],
                                  stdout=out, stderr=subprocess.STDOUT, env=cli_env(), stdin=subprocess.DEVNULL)
    try:
        port = wait_for(lambda: port_from(log) or replay.poll() is not None, TIMEOUT, "replay's Foxglove port")
        assert replay.poll() is None, log.read_text()
        with FoxgloveClient(port, TIMEOUT) as client:  # type: ignore[arg-type]
            client.handshake(TOPICS)
            client.subscribe(JOINTS, DESCRIPTION, "/tf_static")
            got = client.first_messages({JOINTS, DESCRIPTION, "/tf_static"}, TIMEOUT)
            assert replay.wait(TIMEOUT) == 0, log.read_text()
    finally:
        if replay.poll() is None:
            replay.kill()
            replay.wait(10)
    _check_loader(got)
    static = TYPES.deserialize_cdr(got["/tf_static"][1], "tf2_msgs/msg/TFMessage")
    (base,) = [t for t in static.transforms if t.child_frame_id == "loader/panda_link0"]
    p = base.transform.translation
    assert base.header.frame_id == "world" and np.allclose([p.x, p.y, p.z], LOADER.base.position)
    text = log.read_text()
    assert "waiting for a Foxglove client" in text and "served " in text and "Traceback" not in text, text


def test_a_taken_port_is_one_line_and_no_unit_starts(tmp_path: Path) -> None:
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*CELLCTL, "demo", f"--foxglove={port}", "--db", "j.db", "--quiet", "--json"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120, env=cli_env(),
                              stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"--foxglove {port}" in line and "free port" in line and done.stdout == "", done.stderr


ONE_SCREW = frame_and_screws_recipe("one_screw", "OS", ("h1",))


def test_run_shows_the_unit_live_and_its_last_messages_reach_the_viewer_before_the_server_stops(
        tmp_path: Path) -> None:
    """``run --foxglove``: a viewer subscribed to the results gets the tightening and the unit result,
    equal to the journal's, though the run ends (and stops the server) right after the unit."""
    from websockets.exceptions import ConnectionClosed

    from cellctl.journal import Journal

    (tmp_path / "one.yaml").write_text(ONE_SCREW)
    log = tmp_path / "run.log"
    results, units = "/cell/supervisor/tightening_results", "/cell/supervisor/unit_results"
    with log.open("w") as out:
        run = subprocess.Popen([*CELLCTL, "run", "one.yaml", "--cell", str(demo_cell_path()), "--foxglove=0",
                                "--db", "j.db", "--quiet"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                               env=cli_env(), stdin=subprocess.DEVNULL)
    got: dict[str, list[bytes]] = {results: [], units: []}
    try:
        port = wait_for(lambda: port_from(log) or run.poll() is not None, TIMEOUT, "run's Foxglove port")
        assert run.poll() is None, log.read_text()
        with FoxgloveClient(port, TIMEOUT) as client:  # type: ignore[arg-type]
            client.handshake(TOPICS)
            store = get_typestore(Stores.ROS2_HUMBLE)  # plus cellctl_msgs, from the advertised schemas
            client.register_types(store, results)
            client.register_types(store, units)
            client.subscribe(results, units)
            topic_of = {1: results, 2: units}
            try:
                while True:  # until the run ends and its server closes the connection
                    frame = client._next(time.monotonic() + 150)
                    if isinstance(frame, bytes) and frame[0] == 1:
                        got[topic_of[int.from_bytes(frame[1:5], "little")]].append(frame[13:])
            except ConnectionClosed:
                pass
        assert run.wait(TIMEOUT) == 0, log.read_text()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(10)
    journal = Journal.read_only(tmp_path / "j.db")
    try:
        (unit,), (tightening,) = journal.units(), journal.tightenings()
    finally:
        journal.close()
    (result,) = [store.deserialize_cdr(raw, "cellctl_msgs/msg/TighteningResult") for raw in got[results]]
    assert (result.unit, result.hole, result.status) == (unit.serial, "h1", tightening.status)
    assert result.torque == pytest.approx(tightening.torque) and result.angle == pytest.approx(tightening.angle)
    (unit_result,) = [store.deserialize_cdr(raw, "cellctl_msgs/msg/UnitResult") for raw in got[units]]
    assert (unit_result.unit, unit_result.recipe, unit_result.result) == (unit.serial, "one_screw", unit.result)
