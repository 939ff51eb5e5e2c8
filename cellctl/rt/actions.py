"""Actions with ROS 2 semantics: goal accepted/rejected, feedback, result, cancel.

An action type is any class with nested ``Goal``, ``Result`` and ``Feedback`` classes. Goal
states and their legal events follow rcl_action's goal state machine::

    ACCEPTED --execute--> EXECUTING --succeed--> SUCCEEDED
    ACCEPTED --cancel_goal--> CANCELING            EXECUTING --abort--> ABORTED
    EXECUTING --cancel_goal--> CANCELING --succeed/abort/canceled--> SUCCEEDED/ABORTED/CANCELED

Server callbacks run on the server node's executor thread:

- ``goal_callback(goal) -> GoalResponse`` (default: accept);
- ``cancel_callback(goal_handle) -> CancelResponse`` (default: reject, as in rclpy);
- ``accepted_callback(goal_handle)`` (default: ``goal_handle.execute()`` at once);
- ``execute_callback(goal_handle)``: starts the work. It either finishes the goal itself
  (``succeed``/``abort``/``canceled``) now or later from other callbacks, or returns a
  generator: the executor then resumes it at each ``yield`` — ``yield`` alone gives other
  callbacks one turn, ``yield future`` waits until the future is done. A generator that ends
  without finishing the goal, or any callback that raises, aborts the goal.

Client-side answers (acceptance, feedback, status, result) run on the client node's executor.
"""

from __future__ import annotations

import inspect
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, Callable, Generator, Generic, TypeVar

from cellctl.rt.errors import (
    GraphError,
    IllegalTransitionError,
)
from cellctl.rt.executor import wait_future
from cellctl.rt.services import check_instance, check_interface, find_server, wait_until
from cellctl.rt.waitable import Rank, Waitable

if TYPE_CHECKING:
    from cellctl.rt.node import Node

R = TypeVar("R")


class GoalStatus(IntEnum):
    """``action_msgs/GoalStatus`` values."""

    UNKNOWN = 0
    ACCEPTED = 1
    EXECUTING = 2
    CANCELING = 3
    SUCCEEDED = 4
    CANCELED = 5
    ABORTED = 6

    @property
    def is_terminal(self) -> bool:
        """Whether the goal is finished."""
        return self in (GoalStatus.SUCCEEDED, GoalStatus.CANCELED, GoalStatus.ABORTED)


class GoalEvent(Enum):
    """Events of rcl_action's goal state machine."""

    EXECUTE = "execute"
    CANCEL_GOAL = "cancel_goal"
    SUCCEED = "succeed"
    ABORT = "abort"
    CANCELED = "canceled"


_GOAL_TRANSITIONS: dict[tuple[GoalStatus, GoalEvent], GoalStatus] = {
    (GoalStatus.ACCEPTED, GoalEvent.EXECUTE): GoalStatus.EXECUTING,
    (GoalStatus.ACCEPTED, GoalEvent.CANCEL_GOAL): GoalStatus.CANCELING,
    (GoalStatus.EXECUTING, GoalEvent.CANCEL_GOAL): GoalStatus.CANCELING,
    (GoalStatus.EXECUTING, GoalEvent.SUCCEED): GoalStatus.SUCCEEDED,
    (GoalStatus.EXECUTING, GoalEvent.ABORT): GoalStatus.ABORTED,
    (GoalStatus.CANCELING, GoalEvent.SUCCEED): GoalStatus.SUCCEEDED,
    (GoalStatus.CANCELING, GoalEvent.ABORT): GoalStatus.ABORTED,
    (GoalStatus.CANCELING, GoalEvent.CANCELED): GoalStatus.CANCELED,
}


def transition_goal(status: GoalStatus, event: GoalEvent) -> GoalStatus:
    """The state after ``event`` in ``status``; IllegalTransitionError if the event is not legal."""
    target = _GOAL_TRANSITIONS.get((status, event))
    if target is None:
        legal = [e.value for (s, e) in _GOAL_TRANSITIONS if s is status] or ["none (terminal)"]
        raise IllegalTransitionError(
            f"goal event '{event.value}' is not allowed in state {status.name}; "
            f"legal events there: {', '.join(legal)}"
        )
    return target


class GoalResponse(Enum):
    """A goal callback's answer."""

    ACCEPT = "accept"
    REJECT = "reject"


class CancelResponse(Enum):
    """A cancel callback's answer."""

    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class ActionResult(Generic[R]):
    """How a goal ended: its terminal status, the result (None if aborted without one), a note."""

    status: GoalStatus
    result: R | None
    message: str = ""


# -- messages between client and server inboxes --------------------------------------------
@dataclass(frozen=True)
class _GoalRequest:
    client: ActionClient
    goal_id: uuid.UUID
    goal: object


@dataclass(frozen=True)
class _CancelRequest:
    client: ActionClient
    goal_id: uuid.UUID


@dataclass(frozen=True)
class _Resume:
    goal_id: uuid.UUID


@dataclass(frozen=True)
class _ClientEvent:
    goal_id: uuid.UUID
    kind: str
    payload: object


class ServerGoalHandle:
    """The server's view of one goal; finish it with succeed/abort/canceled."""

    def __init__(
        self, server: ActionServer, client: ActionClient, goal_id: uuid.UUID, request: object
    ) -> None:
        self.goal_id = goal_id
        self.request = request
        self.status = GoalStatus.ACCEPTED
        self._server = server
        self._client = client

    @property
    def is_active(self) -> bool:
        """Whether the goal is not finished."""
        return not self.status.is_terminal

    @property
    def is_cancel_requested(self) -> bool:
        """Whether a cancel was accepted (the goal is CANCELING): stop and call canceled()."""
        return self.status is GoalStatus.CANCELING

    def execute(self) -> None:
        """ACCEPTED -> EXECUTING, then run the server's execute callback."""
        self._apply(GoalEvent.EXECUTE)
        self._server._start(self)

    def publish_feedback(self, feedback: object) -> None:
        """Send feedback to the client; only while the goal is active."""
        action = self._server
        check_instance(f"feedback of action '{action.name}'", feedback, action.action_type.Feedback)
        if not self.is_active:
            raise IllegalTransitionError(
                f"goal {self.goal_id} is {self.status.name}; no feedback after the end"
            )
        self._client.post(_ClientEvent(self.goal_id, "feedback", feedback))

    def succeed(self, result: object) -> None:
        """Finish as SUCCEEDED with ``result`` (from EXECUTING or CANCELING)."""
        check_instance(f"result of action '{self._server.name}'", result, self._server.action_type.Result)
        self._finish(GoalEvent.SUCCEED, ActionResult(GoalStatus.SUCCEEDED, result))

    def abort(self, result: object | None = None, message: str = "") -> None:
        """Finish as ABORTED (from EXECUTING or CANCELING); ``message`` says why."""
        self._check_optional_result(result)
        self._finish(GoalEvent.ABORT, ActionResult(GoalStatus.ABORTED, result, message))

    def canceled(self, result: object | None = None) -> None:
        """Finish as CANCELED (only from CANCELING)."""
        self._check_optional_result(result)
        self._finish(GoalEvent.CANCELED, ActionResult(GoalStatus.CANCELED, result))

    def _check_optional_result(self, result: object | None) -> None:
        if result is not None:
            check_instance(f"result of action '{self._server.name}'", result, self._server.action_type.Result)

    def _apply(self, event: GoalEvent) -> None:
        self.status = transition_goal(self.status, event)
        self._client.post(_ClientEvent(self.goal_id, "status", self.status))

    def _finish(self, event: GoalEvent, outcome: ActionResult[Any]) -> None:
        self._apply(event)
        self._server._forget(self)
        self._client.post(_ClientEvent(self.goal_id, "result", outcome))


def _accept_all(goal: object) -> GoalResponse:
    return GoalResponse.ACCEPT


def _reject_cancel(goal_handle: ServerGoalHandle) -> CancelResponse:
    return CancelResponse.REJECT


def _execute_at_once(goal_handle: ServerGoalHandle) -> None:
    goal_handle.execute()


class ActionServer(Waitable):
    """Serves one action name; at most one server per name in a context."""

    rank = Rank.ACTION

    def __init__(
        self,
        node: Node,
        action_type: type,
        name: str,
        execute_callback: Callable[[ServerGoalHandle], Generator[Any, None, None] | None],
        *,
        goal_callback: Callable[[Any], GoalResponse] = _accept_all,
        cancel_callback: Callable[[ServerGoalHandle], CancelResponse] = _reject_cancel,
        accepted_callback: Callable[[ServerGoalHandle], None] = _execute_at_once,
    ) -> None:
        check_interface("action", action_type, ("Goal", "Result", "Feedback"))
        self.action_type = action_type
        self.name = name
        self.execute_callback = execute_callback
        self.goal_callback = goal_callback
        self.cancel_callback = cancel_callback
        self.accepted_callback = accepted_callback
        self.goals: dict[uuid.UUID, ServerGoalHandle] = {}
        self._tasks: dict[uuid.UUID, Generator[Any, None, None]] = {}
        context = node.context
        with context.graph_lock:
            if name in context.action_servers:
                raise GraphError(f"action '{name}' already has a server; one server per name")
            super().__init__(context, node)
            context.action_servers[name] = self
        context.notify()

    def handle(self, item: object) -> None:
        """Dispatch one goal request, cancel request or generator resumption."""
        if isinstance(item, _GoalRequest):
            self._on_goal(item)
        elif isinstance(item, _CancelRequest):
            self._on_cancel(item)
        elif isinstance(item, _Resume):
            self._resume(item.goal_id)

    def _on_goal(self, request: _GoalRequest) -> None:
        try:
            verdict = self.goal_callback(request.goal)
        except Exception:  # noqa: BLE001 - user callback; a failing check rejects the goal
            self.node.get_logger().exception("action '%s' goal callback failed; goal rejected", self.name)
            verdict = GoalResponse.REJECT
        accepted = verdict is GoalResponse.ACCEPT
        request.client.post(_ClientEvent(request.goal_id, "response", accepted))
        if not accepted:
            return
        handle = ServerGoalHandle(self, request.client, request.goal_id, request.goal)
        self.goals[handle.goal_id] = handle
        self._guard(handle, self.accepted_callback, handle)

    def _on_cancel(self, request: _CancelRequest) -> None:
        handle = self.goals.get(request.goal_id)
        accepted = False
        if handle is not None and handle.status in (GoalStatus.ACCEPTED, GoalStatus.EXECUTING):
            verdict = self._guard(handle, self.cancel_callback, handle)
            accepted = verdict is CancelResponse.ACCEPT and handle.status in (
                GoalStatus.ACCEPTED,
                GoalStatus.EXECUTING,
            )
            if accepted:
                handle._apply(GoalEvent.CANCEL_GOAL)
        request.client.post(_ClientEvent(request.goal_id, "cancel", accepted))

    def _start(self, handle: ServerGoalHandle) -> None:
        task = self._guard(handle, self.execute_callback, handle)
        if inspect.isgenerator(task) and handle.is_active:
            self._tasks[handle.goal_id] = task
            self._resume(handle.goal_id)

    def _resume(self, goal_id: uuid.UUID) -> None:
        task = self._tasks.get(goal_id)
        handle = self.goals.get(goal_id)
        if task is None or handle is None:
            return
        try:
            waited = next(task)
        except StopIteration:
            self._tasks.pop(goal_id, None)
            if handle.is_active:
                self._abort(handle, "execute callback returned without succeed(), abort() or canceled()")
            return
        except Exception as exc:  # noqa: BLE001 - user generator; its failure aborts the goal
            self._tasks.pop(goal_id, None)
            self._abort_on_error(handle, exc)
            return
        if not handle.is_active:
            self._tasks.pop(goal_id, None)
            task.close()
        elif isinstance(waited, Future):
            waited.add_done_callback(lambda _f: self.post(_Resume(goal_id)))
        else:
            self.post(_Resume(goal_id))

    def _guard(self, handle: ServerGoalHandle, callback: Callable[[ServerGoalHandle], Any], arg: Any) -> Any:
        """Run a user callback about ``handle``; if it raises, abort the goal and return None."""
        try:
            return callback(arg)
        except Exception as exc:  # noqa: BLE001 - user callback; its failure aborts the goal
            self._abort_on_error(handle, exc)
            return None

    def _abort_on_error(self, handle: ServerGoalHandle, exc: Exception) -> None:
        self.node.get_logger().error("action '%s' goal %s failed: %r", self.name, handle.goal_id, exc)
        self._abort(handle, f"server callback raised {exc!r}")

    def _abort(self, handle: ServerGoalHandle, message: str) -> None:
        if handle.status is GoalStatus.ACCEPTED:
            handle._apply(GoalEvent.EXECUTE)
        if handle.is_active:
            handle.abort(message=message)

    def _forget(self, handle: ServerGoalHandle) -> None:
        self.goals.pop(handle.goal_id, None)

    def destroy(self) -> None:
        """Abort every active goal and leave the graph."""
        for handle in list(self.goals.values()):
            self._abort(handle, f"action server '{self.name}' was destroyed")
        with self.context.graph_lock:
            if self.context.action_servers.get(self.name) is self:
                del self.context.action_servers[self.name]
        super().destroy()


class ClientGoalHandle(Generic[R]):
    """The client's view of one goal: acceptance, status, feedback, result, cancel."""

    def __init__(
        self,
        client: ActionClient,
        goal_id: uuid.UUID,
        feedback_callback: Callable[[Any], None] | None,
    ) -> None:
        self.goal_id = goal_id
        self.accepted = False
        self.status = GoalStatus.UNKNOWN
        self._client = client
        self._feedback_callback = feedback_callback
        self._result: Future[ActionResult[R]] = Future()

    def get_result_async(self) -> Future[ActionResult[R]]:
        """A future that completes with the :class:`ActionResult`."""
        return self._result

    def get_result(self, timeout: float) -> ActionResult[R]:
        """Wait up to ``timeout`` seconds for the result."""
        what = f"result of goal {self.goal_id}"
        return wait_future(self._client.node, self._result, timeout, what)  # type: ignore[arg-type]

    def cancel_goal_async(self) -> Future[bool]:
        """Ask the server to cancel; the future says whether it accepted."""
        return self._client._cancel_async(self.goal_id)

    def cancel_goal(self, timeout: float) -> bool:
        """Ask to cancel and wait up to ``timeout`` seconds for the server's answer."""
        future = self.cancel_goal_async()
        what = f"cancel of goal {self.goal_id}"
        return wait_future(self._client.node, future, timeout, what)  # type: ignore[arg-type]

    def _on_event(self, event: _ClientEvent) -> None:
        if event.kind == "status":
            self.status = event.payload  # type: ignore[assignment]
        elif event.kind == "feedback" and self._feedback_callback is not None:
            self._feedback_callback(event.payload)
        elif event.kind == "result" and not self._result.done():
            self.status = event.payload.status  # type: ignore[attr-defined]
            self._result.set_result(event.payload)  # type: ignore[arg-type]


class ActionClient(Waitable):
    """Sends goals to one action name."""

    rank = Rank.ACTION

    def __init__(self, node: Node, action_type: type, name: str) -> None:
        check_interface("action", action_type, ("Goal", "Result", "Feedback"))
        self.action_type = action_type
        self.name = name
        self._handles: dict[uuid.UUID, ClientGoalHandle[Any]] = {}
        self._sent: dict[uuid.UUID, Future[ClientGoalHandle[Any]]] = {}
        self._cancels: dict[uuid.UUID, list[Future[bool]]] = {}
        super().__init__(node.context, node)

    def server_is_ready(self) -> bool:
        """Whether a server for the name exists now."""
        return self.name in self.context.action_servers

    def wait_for_server(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a server to appear; True if one did."""
        return wait_until(self.server_is_ready, self.node, timeout)  # type: ignore[arg-type]

    def send_goal_async(
        self, goal: object, feedback_callback: Callable[[Any], None] | None = None
    ) -> Future[ClientGoalHandle[Any]]:
        """Send ``goal``; the future completes with the handle once accepted or rejected."""
        check_instance(f"goal of action '{self.name}'", goal, self.action_type.Goal)
        goal_id = self.context.new_id()
        handle: ClientGoalHandle[Any] = ClientGoalHandle(self, goal_id, feedback_callback)
        future: Future[ClientGoalHandle[Any]] = Future()
        self._handles[goal_id] = handle
        self._sent[goal_id] = future
        self._send(_GoalRequest(self, goal_id, goal))
        return future

    def send_goal(
        self, goal: object, timeout: float, feedback_callback: Callable[[Any], None] | None = None
    ) -> ClientGoalHandle[Any]:
        """Send ``goal`` and wait up to ``timeout`` seconds for acceptance or rejection."""
        future = self.send_goal_async(goal, feedback_callback)
        what = f"goal to action '{self.name}'"
        return wait_future(self.node, future, timeout, what)  # type: ignore[arg-type]

    def _cancel_async(self, goal_id: uuid.UUID) -> Future[bool]:
        future: Future[bool] = Future()
        self._send(_CancelRequest(self, goal_id))
        self._cancels.setdefault(goal_id, []).append(future)
        return future

    def _send(self, request: _GoalRequest | _CancelRequest) -> None:
        server = find_server(self.context.action_servers, "action", self.name, self.action_type,
                             lambda srv: srv.action_type)
        server.post(request)

    def handle(self, item: object) -> None:
        """Route one server event to its goal handle."""
        event: _ClientEvent = item  # type: ignore[assignment]
        if event.kind == "cancel":
            self._on_cancel_reply(event.goal_id, bool(event.payload))
            return
        handle = self._handles.get(event.goal_id)
        if handle is None:
            return
        if event.kind == "response":
            handle.accepted = bool(event.payload)
            handle.status = GoalStatus.ACCEPTED if handle.accepted else GoalStatus.UNKNOWN
            if not handle.accepted:
                self._handles.pop(event.goal_id, None)
            sent = self._sent.pop(event.goal_id, None)
            if sent is not None and not sent.done():
                sent.set_result(handle)
            return
        handle._on_event(event)
        if event.kind == "result":
            self._handles.pop(event.goal_id, None)

    def _on_cancel_reply(self, goal_id: uuid.UUID, accepted: bool) -> None:
        waiting = self._cancels.get(goal_id)
        if not waiting:
            return
        future = waiting.pop(0)
        if not waiting:
            del self._cancels[goal_id]
        if not future.done():
            future.set_result(accepted)
