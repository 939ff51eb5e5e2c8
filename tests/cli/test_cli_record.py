"""``--record FILE.mcap``: a recorded unit read back with independent readers (``mcap``'s own
summary reader, ``rosbags``' MCAP reader and CDR deserializer, which parse the schemas the file
carries) and compared with the journal the same run wrote."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from mcap.reader import make_reader
from rosbags.highlevel import AnyReader

from _cli import frame_and_screws_recipe

from cellctl.config import load_cell
from cellctl.journal import Journal
from cellctl.service.recording import RATE  # joint states per second of cell time
from cellctl.supervisor.geometry import CellGeometry

pytestmark = pytest.mark.sim

TWO_SCREWS = frame_and_screws_recipe("two_screws", "TS", ("h1", "h2"))

ARMS = ("loader", "screwer")
EXPECTED = {**{f"/cell/{arm}/{kind}": "sensor_msgs/msg/JointState"
               for arm in ARMS for kind in ("joint_states", "commanded_joint_states")},
            **{f"/cell/{arm}/robot_description": "std_msgs/msg/String" for arm in ARMS},
            "/tf": "tf2_msgs/msg/TFMessage",
            "/tf_static": "tf2_msgs/msg/TFMessage",
            "/cell/supervisor/step_events": "cellctl_msgs/msg/StepEvent",
            "/cell/supervisor/tightening_results": "cellctl_msgs/msg/TighteningResult",
            "/cell/supervisor/tightening_curves": "cellctl_msgs/msg/TighteningCurve",
            "/cell/supervisor/faults": "cellctl_msgs/msg/Fault",
            "/cell/supervisor/unit_results": "cellctl_msgs/msg/UnitResult"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, demo_files) -> tuple[Path, Path, Path]:
    """One unit of a two-screw recipe on the demo cell, recorded: (mcap, journal, cell file)."""
    from _cli import CELLCTL, cli_env
    import subprocess

    folder = tmp_path_factory.mktemp("record")
    recipe = folder / "two_screws.yaml"
    recipe.write_text(TWO_SCREWS)
    done = subprocess.run([*CELLCTL, "run", str(recipe), "--cell", str(demo_files[1]), "--db", "r.db", "--record",
                           "r.mcap", "--quiet"], cwd=folder, env=cli_env(), capture_output=True, text=True,
                          timeout=150, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return folder / "r.mcap", folder / "r.db", demo_files[1]


@pytest.fixture(scope="module")
def messages(recorded) -> dict[str, list[tuple[int, object]]]:
    """Every message of the recording, decoded by rosbags, by topic: (log time ns, message)."""
    by_topic: dict[str, list[tuple[int, object]]] = defaultdict(list)
    with AnyReader([recorded[0]]) as reader:
        for connection, log_time, raw in reader.messages():
            by_topic[connection.topic].append((log_time, reader.deserialize(raw, connection.msgtype)))
    return by_topic


@pytest.fixture(scope="module")
def journal(recorded):
    journal = Journal.read_only(recorded[1])
    yield journal
    journal.close()


def _seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def test_every_channel_is_there_with_its_ros2_schema(recorded) -> None:
    with open(recorded[0], "rb") as stream:
        summary = make_reader(stream).get_summary()
    assert summary is not None
    found = {c.topic: summary.schemas[c.schema_id] for c in summary.channels.values()}
    assert {topic: schema.name for topic, schema in found.items()} == EXPECTED
    assert {schema.encoding for schema in found.values()} == {"ros2msg"}
    assert {c.message_encoding for c in summary.channels.values()} == {"cdr"}
    assert summary.statistics is not None and summary.statistics.message_count > 0


def test_timestamps_are_cell_time_and_monotonic_per_channel(messages, journal) -> None:
    unit = journal.units()[0]
    for topic, items in messages.items():
        times = [t for t, _ in items]
        assert times == sorted(times), f"{topic}: log times go back"
        for log_time, message in items:
            if topic.endswith("/robot_description"):  # std_msgs/String: no stamp
                continue
            stamp = message.header.stamp if hasattr(message, "header") else getattr(message, "stamp", None)
            if stamp is None:  # TFMessage: each transform carries the stamp
                stamp = message.transforms[0].header.stamp
            assert stamp.sec * 1_000_000_000 + stamp.nanosec == log_time, topic
    start, end = messages["/cell/loader/joint_states"][0][0] * 1e-9, messages["/cell/loader/joint_states"][-1][0] * 1e-9
    assert start <= unit.sim_started + 1e-9 and end >= unit.sim_ended - 1e-9  # the whole unit, in cell seconds


@pytest.mark.parametrize("arm", ARMS)
def test_joint_states_come_at_the_rate_in_cell_time(messages, recorded, arm: str) -> None:
    cell = load_cell(recorded[2])
    for kind in ("joint_states", "commanded_joint_states"):
        items = messages[f"/cell/{arm}/{kind}"]
        gaps = np.diff([t for t, _ in items]) * 1e-9
        assert np.allclose(gaps[:-1], 1.0 / RATE, atol=1e-6), (kind, gaps.min(), gaps.max())
        assert 0 < gaps[-1] <= 1.0 / RATE + 1e-6  # the last state, written when the run ends
        for _, message in items:
            assert list(message.name) == list(cell.arms[arm].joints)
            assert len(message.position) == len(message.velocity) == len(message.name)
    measured = np.array([m.position for _, m in messages[f"/cell/{arm}/joint_states"]])
    commanded = np.array([m.position for _, m in messages[f"/cell/{arm}/commanded_joint_states"]])
    assert np.ptp(measured, axis=0).max() > 0.1  # the arm moved during the unit
    assert np.abs(measured - commanded).max() < 0.05  # and followed its commands


def test_tool_poses_are_the_tools_in_world_at_the_recorded_joints(messages, recorded) -> None:
    geometry = CellGeometry(load_cell(recorded[2]))
    frames = {f"{arm}/{tool}" for arm in ARMS for tool in geometry.arms[arm].chains}
    joints = {arm: messages[f"/cell/{arm}/joint_states"] for arm in ARMS}
    tf = messages["/tf"]
    assert len(tf) == len(joints["loader"])
    for index in (0, len(tf) // 3, len(tf) // 2, -1):
        log_time, message = tf[index]
        assert {t.child_frame_id for t in message.transforms} == frames
        for t in message.transforms:
            assert t.header.frame_id == "world"
            arm, tool = t.child_frame_id.split("/")
            q_time, q = joints[arm][index]
            assert q_time == log_time
            expected = geometry.arms[arm].fk(tool, np.array(q.position))
            r = t.transform.rotation
            assert abs(np.linalg.norm([r.x, r.y, r.z, r.w]) - 1.0) < 1e-9
            p = t.transform.translation
            assert np.allclose([p.x, p.y, p.z], expected[:3, 3], atol=1e-9)
            w, x, y, z = r.w, r.x, r.y, r.z  # the rotation matrix of the quaternion
            rotation = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                                 [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                                 [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
            assert np.allclose(rotation, expected[:3, :3], atol=1e-9)


@pytest.mark.parametrize("arm", ARMS)
def test_the_robot_description_is_the_arms_urdf_placed_by_tf_static(messages, recorded, arm: str) -> None:
    """Once, at the start: a URDF that parses, names the arm's joints (and the tool's links), draws
    with no mesh file; its root link, prefixed with the arm, stands at the arm's base in world."""
    cell = load_cell(recorded[2])
    spec = cell.arms[arm]
    ((log_time, message),) = messages[f"/cell/{arm}/robot_description"]
    assert log_time == messages[f"/cell/{arm}/joint_states"][0][0]
    robot = ET.fromstring(message.data)
    joints = {j.get("name"): j.get("type") for j in robot.iter("joint")}
    assert all(joints.get(name) in ("revolute", "continuous", "prismatic") for name in spec.joints), joints
    links = {link.get("name") for link in robot.iter("link")}
    assert {tool.tcp_link for tool in spec.tools.values()} <= links
    assert not list(robot.iter("mesh")) and not list(robot.iter("collision"))
    assert all(len(link.findall("visual/geometry/*")) for link in robot.iter("link") if link.find("visual") is not None)
    (root,) = links - {j.find("child").get("link") for j in robot.iter("joint")}
    ((_, static),) = messages["/tf_static"]
    (base,) = [t for t in static.transforms if t.child_frame_id == f"{arm}/{root}"]
    assert base.header.frame_id == "world"
    p = base.transform.translation
    assert np.allclose([p.x, p.y, p.z], spec.base.position, atol=1e-9)


def test_the_foxglove_layout_draws_each_recorded_arm_from_channels_the_recording_has(cellctl, recorded,
                                                                                    tmp_path: Path) -> None:
    result = cellctl("replay", recorded[0], "--layout", "layout.json")
    assert result.returncode == 0 and "layout.json" in result.stdout, result
    text = (tmp_path / "layout.json").read_text()
    scene = json.loads(text)["content"]["items"][0]["content"]["items"][0]["content"]
    assert scene["panelType"] == "ThreeDee" and scene["config"]["followTf"] == "world"
    layers = scene["config"]["layers"].values()
    urdfs = {layer["label"]: layer for layer in layers if layer["layerId"] == "foxglove.Urdf"}
    assert set(urdfs) == set(ARMS)
    for arm, layer in urdfs.items():
        assert (layer["sourceType"], layer["topic"], layer["framePrefix"], layer["controlMode"],
                layer["jointStatesTopic"]) == ("topic", f"/cell/{arm}/robot_description", f"{arm}/", "jointStates",
                                               f"/cell/{arm}/joint_states")
    referenced = set(re.findall(r'"(/[a-z_/]+?)(?:\.[a-z_\[\]0-9.]+)?"', text))
    assert referenced and referenced <= set(EXPECTED), referenced - set(EXPECTED)  # no panel waits for a missing topic


def test_curves_and_results_equal_the_journal(messages, journal) -> None:
    tightenings = journal.tightenings()
    assert [t.hole for t in tightenings] == ["h1", "h2"]
    curves = {(m.unit, m.hole, m.attempt): m for _, m in messages["/cell/supervisor/tightening_curves"]}
    results = {(m.unit, m.hole, m.attempt): m for _, m in messages["/cell/supervisor/tightening_results"]}
    serial = journal.units()[0].serial
    assert set(curves) == set(results) == {(serial, t.hole, t.attempt) for t in tightenings}
    for record in tightenings:
        key = (serial, record.hole, record.attempt)
        time, torque, angle = record.curve_arrays()
        assert time.size > 100
        curve = curves[key]
        assert curve.status == record.status
        for recorded_values, journaled in ((curve.time, time), (curve.torque, torque), (curve.angle, angle)):
            assert recorded_values.dtype == np.float32
            assert np.array_equal(recorded_values, journaled)
        result = results[key]
        assert (result.status, result.failure_class) == (record.status, record.failure_class or "")
        assert result.torque == pytest.approx(record.torque) and result.angle == pytest.approx(record.angle)


def test_the_unit_result_and_steps_equal_the_journal(messages, journal) -> None:
    (unit,) = journal.units()
    ((log_time, result),) = messages["/cell/supervisor/unit_results"]
    assert (result.unit, result.recipe, result.result, result.reason) == (unit.serial, "two_screws", "OK", "")
    assert result.cycle_time == pytest.approx(journal.unit_time(unit.id))
    assert log_time * 1e-9 == pytest.approx(unit.sim_ended, abs=1e-9)
    steps = journal.steps(unit.id)
    events = [m for _, m in messages["/cell/supervisor/step_events"]]
    ended = [(e.path, e.kind, e.result) for e in events if e.result != "RUNNING"]
    assert sorted(ended) == sorted((s.path, s.kind, s.result) for s in steps)
    assert sum(e.result == "RUNNING" for e in events) == len(steps)
    assert messages.get("/cell/supervisor/faults", []) == []  # a clean unit: the channel is there, empty


@pytest.mark.parametrize("command", ["demo", "serve"])
@pytest.mark.parametrize("path, words", [
    ("unit.bag", ["unit.bag", ".mcap"]),
    ("no/such/folder/unit.mcap", ["no/such/folder", "does not exist"]),
])
def test_a_bad_record_path_is_one_line_before_anything_runs(cellctl, demo_files, tmp_path: Path, command: str,
                                                           path: str, words: list[str]) -> None:
    extra = ["--cell", str(demo_files[1]), "--recipe", str(demo_files[0])] if command == "serve" else []
    result = cellctl(command, *extra, "--db", "j.db", "--record", path, timeout=30)
    assert result.returncode == 2, result
    error = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(error) == 1 and all(word in error[0] for word in words), result
    assert not (tmp_path / "j.db").exists()


# ------------------------------------------------------------------------------------ replay

def test_replay_summarises_the_recording_as_the_journal_has_it(cellctl, recorded, journal) -> None:
    result = cellctl("replay", recorded[0])
    assert result.returncode == 0, result
    (unit,) = journal.units()
    assert re.search(rf"^  {unit.serial}\s+OK\s+cycle {journal.unit_time(unit.id):.2f} s$", result.stdout, re.M), result
    for record in journal.tightenings():
        assert re.search(rf"^  {unit.serial}\s+{record.hole}\s+attempt {record.attempt}\s+{record.status}\s+"
                         rf"{record.torque:.3f} N·m", result.stdout, re.M), result
    assert "faults: none" in result.stdout
    for topic, type_name in EXPECTED.items():
        assert re.search(rf"^  {re.escape(topic)}\s+{re.escape(type_name)}\s+\d+$", result.stdout, re.M), topic


def test_replay_plays_the_joint_states_into_the_simulator_where_the_recording_has_the_tools(cellctl, recorded,
                                                                                            messages) -> None:
    result = cellctl("replay", recorded[0], "--play", "--speed", "0", "--cell", recorded[2], timeout=120)
    assert result.returncode == 0, result
    counts = {arm: len(messages[f"/cell/{arm}/joint_states"]) for arm in ARMS}
    assert f"played loader {counts['loader']}, screwer {counts['screwer']} joint states" in result.stdout, result
    apart = float(re.search(r"at most ([\d.]+) mm apart", result.stdout)[1])
    assert apart < 0.01  # PyBullet's link poses and our kinematics agree to within 10 µm


@pytest.mark.parametrize("content, words", [
    (None, ["cannot open"]),
    (b"not an mcap file at all", ["not a readable MCAP file"]),
])
def test_replay_of_a_file_that_is_not_a_recording_is_one_line(cellctl, tmp_path: Path, content, words) -> None:
    path = tmp_path / "x.mcap"
    if content is not None:
        path.write_bytes(content)
    result = cellctl("replay", path)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(word in lines[0] for word in words), result
