"""The interfaces the cell speaks on the wire: standard ROS 2 types where one exists, ``cellctl_msgs``
where none does, all as ``.msg`` text (``docs/service.md`` shows the same definitions), and their
type hashes (RIHS01, REP 2011) that rmw_zenoh puts in every key expression.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from cellctl.service.cdr import Codec
from cellctl.service.idl import PRIMITIVES, Field, MessageType, parse

STANDARD = {
    "builtin_interfaces/msg/Time": "int32 sec\nuint32 nanosec",
    "std_msgs/msg/String": "string data",
    "std_msgs/msg/Header": "builtin_interfaces/Time stamp\nstring frame_id",
    "sensor_msgs/msg/JointState": "std_msgs/Header header\nstring[] name\nfloat64[] position\n"
                                  "float64[] velocity\nfloat64[] effort",
    "std_srvs/srv/Trigger_Request": "",
    "std_srvs/srv/Trigger_Response": "bool success\nstring message",
    "lifecycle_msgs/msg/State": "uint8 id\nstring label",
    "lifecycle_msgs/srv/GetState_Request": "",
    "lifecycle_msgs/srv/GetState_Response": "lifecycle_msgs/State current_state",
    "rcl_interfaces/msg/ParameterValue": "uint8 type\nbool bool_value\nint64 integer_value\nfloat64 double_value\n"
                                        "string string_value\nbyte[] byte_array_value\nbool[] bool_array_value\n"
                                        "int64[] integer_array_value\nfloat64[] double_array_value\n"
                                        "string[] string_array_value",
    "rcl_interfaces/msg/Parameter": "string name\nrcl_interfaces/ParameterValue value",
    "rcl_interfaces/msg/SetParametersResult": "bool successful\nstring reason",
    "rcl_interfaces/srv/GetParameters_Request": "string[] names",
    "rcl_interfaces/srv/GetParameters_Response": "rcl_interfaces/ParameterValue[] values",
    "rcl_interfaces/srv/SetParameters_Request": "rcl_interfaces/Parameter[] parameters",
    "rcl_interfaces/srv/SetParameters_Response": "rcl_interfaces/SetParametersResult[] results",
    "unique_identifier_msgs/msg/UUID": "uint8[16] uuid",
    "action_msgs/msg/GoalInfo": "unique_identifier_msgs/UUID goal_id\nbuiltin_interfaces/Time stamp",
    "action_msgs/msg/GoalStatus": "action_msgs/GoalInfo goal_info\nint8 status",
    "action_msgs/msg/GoalStatusArray": "action_msgs/GoalStatus[] status_list",
    "action_msgs/srv/CancelGoal_Request": "action_msgs/GoalInfo goal_info",
    "action_msgs/srv/CancelGoal_Response": "int8 return_code\naction_msgs/GoalInfo[] goals_canceling",
    "geometry_msgs/msg/Vector3": "float64 x\nfloat64 y\nfloat64 z",
    "geometry_msgs/msg/Quaternion": "float64 x\nfloat64 y\nfloat64 z\nfloat64 w",
    "geometry_msgs/msg/Transform": "geometry_msgs/Vector3 translation\ngeometry_msgs/Quaternion rotation",
    "geometry_msgs/msg/TransformStamped": "std_msgs/Header header\nstring child_frame_id\n"
                                          "geometry_msgs/Transform transform",
    "tf2_msgs/msg/TFMessage": "geometry_msgs/TransformStamped[] transforms",
    "service_msgs/msg/ServiceEventInfo": "uint8 event_type\nbuiltin_interfaces/Time stamp\nchar[16] client_gid\n"
                                         "int64 sequence_number",
}

CELLCTL = {
    "cellctl_msgs/msg/ArmActivity": "string arm       # arm name from the cell description\n"
                                    "string activity  # what it is doing, e.g. 'screw h2 (try 1)'",
    "cellctl_msgs/msg/CellStatus": (
        "builtin_interfaces/Time stamp    # wall clock when published\n"
        "string state                     # idle, running, pausing, paused, stopping, faulted, estopped\n"
        "string lifecycle                 # the supervisor node's lifecycle state (unconfigured, inactive, active, ...)\n"
        "float64 cell_time                # backend clock, s (simulation or controller time)\n"
        "string unit                      # serial of the unit in progress, '' when none\n"
        "uint32 unit_index                # 1-based index of that unit in the current goal\n"
        "uint32 units_total               # units the goal asks for; 0 = until stopped\n"
        "cellctl_msgs/ArmActivity[] arms\n"
        "uint32 units_ok\n"
        "uint32 units_nok\n"
        "string message                   # why the cell stopped and what to do, '' when nothing to say"),
    "cellctl_msgs/msg/TighteningResult": (
        "builtin_interfaces/Time stamp\n"
        "string unit\nstring hole\nuint32 attempt\nstring program\n"
        "string status                    # OK or NOK\n"
        "float64 torque                   # N·m (NaN when not measured)\n"
        "float64 angle                    # degrees (NaN when not measured)\n"
        "float64 torque_min\nfloat64 torque_max\nfloat64 angle_min\nfloat64 angle_max\n"
        "string failure_class             # '' when OK, else e.g. cross_thread, stripped\n"
        "float64 cell_time"),
    "cellctl_msgs/msg/StepEvent": (
        "builtin_interfaces/Time stamp\n"
        "string unit\n"
        "string path                      # the step's place in the recipe tree\n"
        "string kind                      # pick, place, screw, move, wait, inspect\n"
        "string arm\nstring target\nuint32 attempt\n"
        "string result                    # RUNNING when it starts; OK, FAILED or HALTED when it ends\n"
        "string detail\n"
        "float64 cell_time"),
    "cellctl_msgs/msg/Fault": (
        "builtin_interfaces/Time stamp\n"
        "string unit\n"
        "string source                    # an arm, a tool, or supervisor\n"
        "int32 code                       # the controller's fault code, -1 when none\n"
        "string name\nstring message\n"
        "string action                    # what to do about it\n"
        "float64 cell_time"),
    "cellctl_msgs/msg/TighteningCurve": (
        "builtin_interfaces/Time stamp\n"
        "string unit\nstring hole\nuint32 attempt\n"
        "string status                    # OK or NOK\n"
        "float32[] time                   # s from the start of the tightening\n"
        "float32[] torque                 # N·m, one per time\n"
        "float32[] angle                  # degrees, one per time\n"
        "float64 cell_time"),
    "cellctl_msgs/msg/UnitResult": (
        "builtin_interfaces/Time stamp\n"
        "string unit\nstring recipe\n"
        "string result                    # OK, NOK or ABORTED\n"
        "string reason                    # why it is not OK, '' when OK\n"
        "float64 cycle_time               # s of cell time the unit took\n"
        "float64 cell_time"),
    "cellctl_msgs/srv/GetCellStatus_Request": "",
    "cellctl_msgs/srv/GetCellStatus_Response": "cellctl_msgs/CellStatus status",
    "cellctl_msgs/action/BuildUnits_Goal": "uint32 units                     # units to build; 0 = until stopped (cancel)",
    "cellctl_msgs/action/BuildUnits_Result": (
        "string[] serials                 # every unit the goal started, in order\n"
        "uint32 units_ok\nuint32 units_nok\nuint32 units_aborted\n"
        "string state                     # the cell's state at the end\n"
        "string message"),
    "cellctl_msgs/action/BuildUnits_Feedback": (
        "string unit\nuint32 unit_index\nuint32 units_total\n"
        "string step                      # the step that just started or ended\n"
        "string step_result\n"
        "string state"),
    "cellctl_msgs/action/BuildUnits_SendGoal_Request": "unique_identifier_msgs/UUID goal_id\n"
                                                       "cellctl_msgs/BuildUnits_Goal goal",
    "cellctl_msgs/action/BuildUnits_SendGoal_Response": "bool accepted\nbuiltin_interfaces/Time stamp",
    "cellctl_msgs/action/BuildUnits_GetResult_Request": "unique_identifier_msgs/UUID goal_id",
    "cellctl_msgs/action/BuildUnits_GetResult_Response": "int8 status\ncellctl_msgs/BuildUnits_Result result",
    "cellctl_msgs/action/BuildUnits_FeedbackMessage": "unique_identifier_msgs/UUID goal_id\n"
                                                      "cellctl_msgs/BuildUnits_Feedback feedback",
}


EVENTS = {"step": ("step_events", "cellctl_msgs/msg/StepEvent"),
          "tightening": ("tightening_results", "cellctl_msgs/msg/TighteningResult"),
          "curve": ("tightening_curves", "cellctl_msgs/msg/TighteningCurve"),
          "fault": ("faults", "cellctl_msgs/msg/Fault"),
          "unit": ("unit_results", "cellctl_msgs/msg/UnitResult")}
"""For each kind of journal record the service publishes and a recording writes: its topic under
the supervisor node (``/cell/supervisor/...``) and its message type."""


def _load() -> dict[str, MessageType]:
    types: dict[str, MessageType] = {}
    for name, text in {**STANDARD, **CELLCTL}.items():
        msg = parse(name, text)
        kind = name.split("/")[1]
        if kind == "action":  # same-package references inside an action name action types
            fields = tuple(Field(f.name, f.base.replace("/msg/BuildUnits_", "/action/BuildUnits_"), f.array, f.size)
                           for f in msg.fields)
            msg = MessageType(name, fields)
        types[name] = msg
    return types


TYPES: dict[str, MessageType] = _load()
CODEC = Codec(TYPES)
"""Encoder and decoder of every type above."""


@dataclass(frozen=True)
class ServiceType:
    """A service: ``pkg/srv/Name`` (or ``pkg/action/Name_SendGoal``) with its request and response."""

    name: str

    @property
    def request(self) -> str:
        return self.name + "_Request"

    @property
    def response(self) -> str:
        return self.name + "_Response"

    @property
    def dds_name(self) -> str:
        package, kind, short = self.name.split("/")
        return f"{package}::{kind}::dds_::{short}_"


TRIGGER = ServiceType("std_srvs/srv/Trigger")
GET_STATE = ServiceType("lifecycle_msgs/srv/GetState")
GET_PARAMETERS = ServiceType("rcl_interfaces/srv/GetParameters")
SET_PARAMETERS = ServiceType("rcl_interfaces/srv/SetParameters")
GET_CELL_STATUS = ServiceType("cellctl_msgs/srv/GetCellStatus")
SEND_GOAL = ServiceType("cellctl_msgs/action/BuildUnits_SendGoal")
GET_RESULT = ServiceType("cellctl_msgs/action/BuildUnits_GetResult")
CANCEL_GOAL = ServiceType("action_msgs/srv/CancelGoal")

# action_msgs/msg/GoalStatus values (the action's status topic and the GetResult response)
STATUS_EXECUTING, STATUS_CANCELING, STATUS_SUCCEEDED, STATUS_CANCELED, STATUS_ABORTED = 2, 3, 4, 5, 6


def ros2msg_schema(name: str) -> str:
    """The definition of message ``name`` with every type it uses, in the ``ros2msg`` layout that
    rosbag2 writes into MCAP schemas and Foxglove reads: the type's own text, then for each nested
    type a line of 80 ``=``, ``MSG: pkg/Name`` and its text."""
    seen: dict[str, MessageType] = {}
    _referenced(TYPES[name], TYPES, seen)
    parts = [_TEXT[name]]
    for nested in sorted(seen):
        package, _, short = nested.split("/")
        parts.append(f"{'=' * 80}\nMSG: {package}/{short}\n{_TEXT[nested]}")
    return "\n".join(parts)


_TEXT = {**STANDARD, **CELLCTL}


# ---------------------------------------------------------------------- type hashes (REP 2011)
_TYPE_IDS = {"int8": 2, "uint8": 3, "int16": 4, "uint16": 5, "int32": 6, "uint32": 7, "int64": 8, "uint64": 9,
             "float32": 10, "float64": 11, "char": 13, "bool": 15, "byte": 16, "string": 17}
_ARRAY_OFFSET = {"": 0, "fixed": 48, "bounded": 96, "sequence": 144}
_EMPTY_MEMBER = Field("structure_needs_at_least_one_member", "uint8")


def _description(msg: MessageType) -> dict:
    fields = msg.fields or (_EMPTY_MEMBER,)
    return {"type_name": msg.name, "fields": [
        {"name": f.name, "type": {"type_id": (1 if f.nested else _TYPE_IDS[f.base]) + _ARRAY_OFFSET[f.array],
                                  "capacity": f.size, "string_capacity": 0,
                                  "nested_type_name": f.base if f.nested else ""}}
        for f in fields]}


def _referenced(msg: MessageType, types: dict[str, MessageType], seen: dict[str, MessageType]) -> None:
    for f in msg.fields:
        if f.nested and f.base not in seen:
            seen[f.base] = types[f.base]
            _referenced(types[f.base], types, seen)


def _hash(top: MessageType, types: dict[str, MessageType]) -> str:
    seen: dict[str, MessageType] = {}
    _referenced(top, types, seen)
    document = {"type_description": _description(top),
                "referenced_type_descriptions": [_description(seen[n]) for n in sorted(seen)]}
    text = json.dumps(document, ensure_ascii=True, allow_nan=False)  # separators ", " and ": ", as rosidl
    return "RIHS01_" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def type_hash(name: str) -> str:
    """The RIHS01 hash of a message (``pkg/msg/Name``) or service (``pkg/srv/Name``) type."""
    if name in TYPES:
        return _hash(TYPES[name], TYPES)
    service = ServiceType(name)
    event = MessageType(name + "_Event", (Field("info", "service_msgs/msg/ServiceEventInfo"),
                                          Field("request", service.request, "bounded", 1),
                                          Field("response", service.response, "bounded", 1)))
    top = MessageType(name, (Field("request_message", service.request), Field("response_message", service.response),
                             Field("event_message", event.name)))
    return _hash(top, {**TYPES, event.name: event})


assert all(f.base in PRIMITIVES or f.base in TYPES for t in TYPES.values() for f in t.fields), "unknown nested type"
