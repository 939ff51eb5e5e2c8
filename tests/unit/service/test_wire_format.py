"""The cell's messages in ROS 2's wire format, checked against an independent implementation:
rosbags' CDR serializer and RIHS01 hasher (for the standard types, and for ours registered from
the same .msg text)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

from cellctl.service.cdr import CdrError
from cellctl.service.idl import InterfaceError, parse
from cellctl.service.interfaces import CELLCTL, CODEC, STANDARD, type_hash

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def store():
    """rosbags' typestore with every type we define registered from our .msg text."""
    typestore = get_typestore(Stores.ROS2_JAZZY)
    missing = {name: text for name, text in {**STANDARD, **CELLCTL}.items() if name not in typestore.fielddefs}
    for name, text in missing.items():
        _register(typestore, name, text.replace("cellctl_msgs/BuildUnits_", "cellctl_msgs/action/BuildUnits_"))
    return typestore


def _unmangled(item):
    """rosbags writes srv types as pkg/srv/msg/Name; ROS 2 (and we) as pkg/srv/Name."""
    if isinstance(item, str):
        return item.replace("/srv/msg/", "/srv/")
    if isinstance(item, (tuple, list)):
        return type(item)(_unmangled(i) for i in item)
    return item


def _register(typestore, name: str, text: str) -> None:
    typestore.register({name: _unmangled(next(iter(get_types_from_msg(text, name).values())))})


def _rosbags_message(store, type_name: str, value: dict):
    """Build rosbags' message object for ``value`` (a dict as our codec takes)."""
    cls = store.types[type_name]
    fields = {}
    for field_name, (kind, detail) in store.fielddefs[type_name][1]:
        item = value[field_name]
        if kind == 2:  # NAME: nested message
            item = _rosbags_message(store, detail, item)
        elif kind in (3, 4) and detail[0][0] == 2:  # array / sequence of messages
            item = [_rosbags_message(store, detail[0][1], v) for v in item]
        elif kind in (3, 4) and detail[0][1][0] not in ("string",):
            item = np.array(list(item), dtype={"float64": np.float64, "float32": np.float32, "uint8": np.uint8,
                                               "byte": np.uint8, "int64": np.int64,
                                               "bool": np.bool_}[detail[0][1][0]])
        fields[field_name] = item
    return cls(**fields)


def _joint_state(names, positions, velocities, efforts, sec=12, nanosec=345):
    return {"header": {"stamp": {"sec": sec, "nanosec": nanosec}, "frame_id": "world"},
            "name": list(names), "position": list(positions), "velocity": list(velocities), "effort": list(efforts)}


def test_joint_state_bytes_equal_rosbags(store) -> None:
    message = _joint_state(["j1", "joint_2", "j3"], [0.1, -1.5, 3.0], [0.0, 0.2, -0.3], [])
    ours = CODEC.encode("sensor_msgs/msg/JointState", message)
    assert ours[:4] == b"\x00\x01\x00\x00"
    assert ours == bytes(store.serialize_cdr(_rosbags_message(store, "sensor_msgs/msg/JointState", message),
                                             "sensor_msgs/msg/JointState"))


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(st.lists(st.tuples(st.text(max_size=12), finite, finite), max_size=8), st.text(max_size=9),
       st.integers(-2**31, 2**31 - 1), st.integers(0, 2**32 - 1))
def test_joint_state_any_content_equals_rosbags_and_round_trips(store, joints, frame, sec, nanosec) -> None:
    names = [j[0] for j in joints]
    message = _joint_state(names, [j[1] for j in joints], [j[2] for j in joints], [j[1] for j in joints], sec, nanosec)
    message["header"]["frame_id"] = frame
    ours = CODEC.encode("sensor_msgs/msg/JointState", message)
    assert ours == bytes(store.serialize_cdr(_rosbags_message(store, "sensor_msgs/msg/JointState", message),
                                             "sensor_msgs/msg/JointState"))
    assert CODEC.decode("sensor_msgs/msg/JointState", ours) == message


@pytest.mark.parametrize("type_name, message", [
    ("builtin_interfaces/msg/Time", {"sec": -3, "nanosec": 999_999_999}),
    ("lifecycle_msgs/msg/State", {"id": 3, "label": "active"}),
    ("std_srvs/srv/Trigger_Response", {"success": True, "message": "pause requested"}),
    ("rcl_interfaces/msg/ParameterValue", {"type": 3, "bool_value": False, "integer_value": -7, "double_value": 55.5,
                                           "string_value": "x", "byte_array_value": b"\x01\x02",
                                           "bool_array_value": [True, False], "integer_array_value": [1, -2],
                                           "double_array_value": [0.5], "string_array_value": ["a", "bc"]}),
    ("cellctl_msgs/msg/CellStatus", {"stamp": {"sec": 1, "nanosec": 2}, "state": "paused", "lifecycle": "active",
                                     "cell_time": 12.5, "unit": "PH-000001", "unit_index": 1, "units_total": 3,
                                     "arms": [{"arm": "loader", "activity": "pick cover"}], "units_ok": 0,
                                     "units_nok": 1, "message": ""}),
    ("cellctl_msgs/action/BuildUnits_FeedbackMessage", {"goal_id": {"uuid": bytes(range(16))}, "feedback": {
        "unit": "PH-1", "unit_index": 1, "units_total": 0, "step": "0/screw_h1", "step_result": "OK",
        "state": "running"}}),
    ("action_msgs/msg/GoalStatusArray", {"status_list": [  # the action's status topic
        {"goal_info": {"goal_id": {"uuid": bytes(range(16))}, "stamp": {"sec": 9, "nanosec": 1}}, "status": 4},
        {"goal_info": {"goal_id": {"uuid": bytes(range(16, 32))}, "stamp": {"sec": 10, "nanosec": 0}}, "status": 2}]}),
    ("tf2_msgs/msg/TFMessage", {"transforms": [  # odd-length strings before 8-byte-aligned vectors
        {"header": {"stamp": {"sec": 5, "nanosec": 7}, "frame_id": "world"}, "child_frame_id": "ab/c",
         "transform": {"translation": {"x": 0.5, "y": -1.0, "z": 2.25},
                       "rotation": {"x": 0.0, "y": 0.0, "z": 0.6, "w": 0.8}}},
        {"header": {"stamp": {"sec": 5, "nanosec": 7}, "frame_id": "w"}, "child_frame_id": "screwer/driver",
         "transform": {"translation": {"x": 1.0, "y": 2.0, "z": 3.0},
                       "rotation": {"x": 1.0, "y": 0.0, "z": 0.0, "w": 0.0}}}]}),
    ("cellctl_msgs/msg/TighteningCurve", {"stamp": {"sec": 1, "nanosec": 2}, "unit": "PH-1", "hole": "h1",
                                          "attempt": 2, "status": "NOK", "time": [0.0, 0.5], "torque": [0.25, -1.5],
                                          "angle": [10.0, 20.5], "cell_time": 3.5}),
    ("cellctl_msgs/msg/UnitResult", {"stamp": {"sec": 1, "nanosec": 2}, "unit": "PH-1", "recipe": "demo",
                                     "result": "ABORTED", "reason": "e-stop", "cycle_time": 41.5, "cell_time": 60.0}),
])
def test_other_types_equal_rosbags(store, type_name: str, message: dict) -> None:
    ours = CODEC.encode(type_name, message)
    assert ours == bytes(store.serialize_cdr(_rosbags_message(store, type_name, message), type_name))
    assert CODEC.decode(type_name, ours) == message


def test_an_empty_request_is_one_padding_byte_as_rosidl_makes_it(store) -> None:
    ours = CODEC.encode("std_srvs/srv/Trigger_Request", {})
    theirs = store.serialize_cdr(store.types["std_srvs/srv/Trigger_Request"](structure_needs_at_least_one_member=0),
                                 "std_srvs/srv/Trigger_Request")
    assert ours == bytes(theirs) == b"\x00\x01\x00\x00\x00"


@pytest.mark.parametrize("type_name", sorted(set(STANDARD) | set(CELLCTL)))
def test_type_hashes_equal_rosbags(store, type_name: str) -> None:
    assert type_hash(type_name) == store.hash_rihs01(type_name)


def test_string_hash_is_the_one_in_rmw_zenoh_docs() -> None:
    assert type_hash("std_msgs/msg/String") == \
        "RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18"


def test_a_service_hash_covers_request_response_and_event(store) -> None:
    """A service's hash is that of its type description (request, response, event message)."""
    for name, text in (("std_srvs/srv/Trigger", "std_srvs/srv/Trigger_Request request_message\n"
                        "std_srvs/srv/Trigger_Response response_message\nstd_srvs/srv/Trigger_Event event_message"),
                       ("std_srvs/srv/Trigger_Event", "service_msgs/ServiceEventInfo info\n"
                        "std_srvs/srv/Trigger_Request[<=1] request\nstd_srvs/srv/Trigger_Response[<=1] response")):
        _register(store, name, text)
    assert type_hash("std_srvs/srv/Trigger") == store.hash_rihs01("std_srvs/srv/Trigger")


def test_nan_torque_travels_as_nan() -> None:
    message = {"stamp": {"sec": 0, "nanosec": 0}, "unit": "u", "hole": "h1", "attempt": 1, "program": "p",
               "status": "NOK", "torque": math.nan, "angle": 1.0, "torque_min": 0.1, "torque_max": 0.2,
               "angle_min": 1.0, "angle_max": 2.0, "failure_class": "no_screw", "cell_time": 3.0}
    back = CODEC.decode("cellctl_msgs/msg/TighteningResult", CODEC.encode("cellctl_msgs/msg/TighteningResult", message))
    assert math.isnan(back["torque"]) and back["failure_class"] == "no_screw"


def test_bytes_that_are_not_little_endian_cdr_are_refused_with_the_header() -> None:
    with pytest.raises(CdrError, match="not little-endian CDR .*00000000"):
        CODEC.decode("lifecycle_msgs/msg/State", b"\x00\x00\x00\x00\x03")


def test_a_truncated_message_is_refused_not_misread() -> None:
    data = CODEC.encode("sensor_msgs/msg/JointState", _joint_state(["a", "b"], [1.0, 2.0], [], []))
    with pytest.raises(CdrError, match="sensor_msgs/msg/JointState"):
        CODEC.decode("sensor_msgs/msg/JointState", data[:-5])


def test_a_value_that_does_not_fit_names_the_type() -> None:
    with pytest.raises(CdrError, match="unique_identifier_msgs/msg/UUID"):
        CODEC.encode("unique_identifier_msgs/msg/UUID", {"uuid": b"short"})


def test_a_bad_definition_line_is_named() -> None:
    with pytest.raises(InterfaceError, match="pkg/msg/Bad line 2: 'float64 Bad-name'"):
        parse("pkg/msg/Bad", "uint8 ok\nfloat64 Bad-name")
