"""A client of a ``cellctl serve`` process: what the operator commands (``cellctl status``,
``start``, ``pause`` …) are made of. Reading needs nothing; commanding needs the cell's token."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Sequence
from typing import Any

import zenoh

from cellctl.service import interfaces as ifc
from cellctl.service.access import origin
from cellctl.service.keys import data_key
from cellctl.service.params import parameter_value
from cellctl.service.wire import DEFAULT_ENDPOINT, call, latest, open_session, subscribe

ACTION = "~/build_units/_action/"


class CellClient:
    """Talks to the cell on ``domain`` through ``connect`` endpoints (default: serve's loopback one)."""

    def __init__(self, connect: Sequence[str] = (), domain: int = 0, token: str | None = None, *,
                 namespace: str = "/cell", node: str = "supervisor", timeout: float = 1.2,
                 session: zenoh.Session | None = None) -> None:
        self._owns_session = session is None  # a session given (the serve process's own) is only borrowed
        self.session: zenoh.Session = session or open_session(connect=list(connect) or [DEFAULT_ENDPOINT])
        self.domain, self.token, self.timeout = domain, token, timeout
        self.prefix = f"{namespace}/{node}"
        self.namespace = namespace
        self._origin = origin()

    def as_user(self, token: str | None, who: str) -> CellClient:
        """A client on the same session that sends ``token`` and names its origin ``who`` (the web
        page sends each operator's token and where they are)."""
        other = copy.copy(self)
        other.token, other._origin, other._owns_session = token, who, False
        return other

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> CellClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ keys
    def name(self, relative: str) -> str:
        return f"{self.prefix}/{relative[2:]}" if relative.startswith("~/") else relative

    def service_key(self, relative: str, service: ifc.ServiceType) -> str:
        return data_key(self.domain, self.name(relative), service.dds_name, ifc.type_hash(service.name))

    def topic_key(self, name: str, type_name: str) -> str:
        return data_key(self.domain, self.name(name), ifc.TYPES[type_name].dds_name, ifc.type_hash(type_name))

    # ------------------------------------------------------------------ calls
    def call(self, relative: str, service: ifc.ServiceType, request: dict[str, Any], *, authorised: bool = False,
             timeout: float | None = None) -> dict[str, Any]:
        """Call ``relative`` (e.g. ``~/pause``); ``authorised`` sends the token. Raises NoCell / ServiceFailed."""
        parameters = {"origin": self._origin}
        if authorised and self.token:
            parameters["token"] = self.token
        return call(self.session, self.service_key(relative, service), service, request, parameters=parameters,
                    timeout=self.timeout if timeout is None else timeout)

    def status(self) -> dict[str, Any]:
        """The cell's current ``CellStatus``."""
        return self.call("~/state", ifc.GET_CELL_STATUS, {})["status"]

    def lifecycle_state(self) -> str:
        return self.call("~/get_state", ifc.GET_STATE, {})["current_state"]["label"]

    def command(self, name: str) -> dict[str, Any]:
        """pause, resume, abort, estop or reset: the Trigger response (success, message)."""
        return self.call(f"~/{name}", ifc.TRIGGER, {}, authorised=True)

    def start(self, units: int, goal_id: bytes | None = None) -> bytes:
        """Send a BuildUnits goal (0 = until cancelled), with a new id unless ``goal_id``; returns the id."""
        goal_id = goal_id or secrets.token_bytes(16)
        self.call(ACTION + "send_goal", ifc.SEND_GOAL, {"goal_id": {"uuid": goal_id}, "goal": {"units": units}},
                  authorised=True)
        return goal_id

    def result(self, goal_id: bytes, timeout: float) -> tuple[int, dict[str, Any]]:
        """Wait up to ``timeout`` s for a goal's (status, result)."""
        response = self.call(ACTION + "get_result", ifc.GET_RESULT, {"goal_id": {"uuid": goal_id}}, timeout=timeout)
        return response["status"], response["result"]

    def cancel(self, goal_id: bytes) -> int:
        """Ask the goal to end after the unit in progress; returns CancelGoal's return code."""
        info = {"goal_id": {"uuid": goal_id}, "stamp": {"sec": 0, "nanosec": 0}}
        return self.call(ACTION + "cancel_goal", ifc.CANCEL_GOAL, {"goal_info": info}, authorised=True)["return_code"]

    def get_parameter(self, name: str) -> object:
        value = self.call("~/get_parameters", ifc.GET_PARAMETERS, {"names": [name]})["values"][0]
        return {1: value["bool_value"], 2: value["integer_value"], 3: value["double_value"],
                4: value["string_value"]}.get(value["type"])

    def set_parameter(self, name: str, value: object) -> tuple[bool, str]:
        """(successful, reason) of setting one parameter (range-checked by the cell)."""
        response = self.call("~/set_parameters", ifc.SET_PARAMETERS,
                             {"parameters": [{"name": name, "value": parameter_value(value)}]}, authorised=True)
        result = response["results"][0]
        return result["successful"], result["reason"]

    # ------------------------------------------------------------------ topics
    def latest_status(self) -> dict[str, Any] | None:
        """The latched status (what a late subscriber gets), or None when no cell answers."""
        return latest(self.session, self.topic_key("~/status", "cellctl_msgs/msg/CellStatus"),
                      "cellctl_msgs/msg/CellStatus", self.timeout)

    def subscribe(self, name: str, type_name: str, callback: Callable[[dict[str, Any], int | None], None]) -> Any:
        """Subscribe to a topic (``~/status``, ``/cell/ARM/joint_states`` …); keep the returned object."""
        return subscribe(self.session, self.topic_key(name, type_name), type_name, callback)
