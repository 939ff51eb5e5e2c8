"""Managed lifecycle nodes with the state machine of ROS 2's rcl_lifecycle.

::

                     configure                  activate
    UNCONFIGURED ──────────────────► INACTIVE ──────────────────► ACTIVE
         ▲         (CONFIGURING)      │   ▲       (ACTIVATING)       │
         │             cleanup        │   │        deactivate        │
         └────────────────────────────┘   └──────────────────────────┘
                    (CLEANINGUP)                 (DEACTIVATING)

    UNCONFIGURED | INACTIVE | ACTIVE ── shutdown (SHUTTINGDOWN) ──► FINALIZED

    any transition state ── ERROR / exception ──► ERRORPROCESSING ── on_error SUCCESS ──► UNCONFIGURED
                                                                  └─ FAILURE / ERROR ──► FINALIZED

Each transition runs one callback in its transition state (``on_configure``, ``on_cleanup``,
``on_activate``, ``on_deactivate``, ``on_shutdown``) with rcl's outcomes:

- SUCCESS: to the transition's goal state;
- FAILURE: back to the primary state it started from (shutdown: to FINALIZED, as in rcl);
- ERROR, or the callback raises: to ERRORPROCESSING, which runs ``on_error``; SUCCESS there
  goes to UNCONFIGURED, anything else to FINALIZED.

Timing: a transition runs its callbacks synchronously on the thread that triggers it (the
caller of ``configure()`` …, or the executor thread when triggered through the
``~/change_state`` service). Lifecycle publishers publish only while the node is ACTIVATING,
ACTIVE or DEACTIVATING (so ``on_activate`` / ``on_deactivate`` may publish); otherwise messages
are dropped with a warning. Every state change is published on ``~/transition_event``
(latched, so a monitor that joins late sees the current state).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Any, Callable, TypeVar

from cellctl.rt.clock import Time
from cellctl.rt.errors import IllegalTransitionError
from cellctl.rt.node import Node
from cellctl.rt.topics import QOS_DEFAULT, QOS_LATCHED, Publisher, QoSProfile

M = TypeVar("M")

CAUSE_ONLY = "cause_only"
"""A log record attribute: a handler for people may show the exception's message alone."""


class State(IntEnum):
    """``lifecycle_msgs/State`` ids."""

    UNKNOWN = 0
    UNCONFIGURED = 1
    INACTIVE = 2
    ACTIVE = 3
    FINALIZED = 4
    CONFIGURING = 10
    CLEANINGUP = 11
    SHUTTINGDOWN = 12
    ACTIVATING = 13
    DEACTIVATING = 14
    ERRORPROCESSING = 15

    @property
    def is_primary(self) -> bool:
        """Whether this is a primary (resting) state."""
        return 0 < self < 10


class Transition(IntEnum):
    """``lifecycle_msgs/Transition`` ids."""

    CONFIGURE = 1
    CLEANUP = 2
    ACTIVATE = 3
    DEACTIVATE = 4
    UNCONFIGURED_SHUTDOWN = 5
    INACTIVE_SHUTDOWN = 6
    ACTIVE_SHUTDOWN = 7
    ON_CONFIGURE_SUCCESS = 10
    ON_CONFIGURE_FAILURE = 11
    ON_CONFIGURE_ERROR = 12
    ON_CLEANUP_SUCCESS = 20
    ON_CLEANUP_FAILURE = 21
    ON_CLEANUP_ERROR = 22
    ON_ACTIVATE_SUCCESS = 30
    ON_ACTIVATE_FAILURE = 31
    ON_ACTIVATE_ERROR = 32
    ON_DEACTIVATE_SUCCESS = 40
    ON_DEACTIVATE_FAILURE = 41
    ON_DEACTIVATE_ERROR = 42
    ON_SHUTDOWN_SUCCESS = 50
    ON_SHUTDOWN_FAILURE = 51
    ON_SHUTDOWN_ERROR = 52
    ON_ERROR_SUCCESS = 60
    ON_ERROR_FAILURE = 61
    ON_ERROR_ERROR = 62


class CallbackReturn(Enum):
    """What a lifecycle callback reports."""

    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


_S, _T, _R = State, Transition, CallbackReturn

#: (primary state, trigger label) -> (transition id, transition state)
_TRIGGERS: dict[tuple[State, str], tuple[Transition, State]] = {
    (_S.UNCONFIGURED, "configure"): (_T.CONFIGURE, _S.CONFIGURING),
    (_S.UNCONFIGURED, "shutdown"): (_T.UNCONFIGURED_SHUTDOWN, _S.SHUTTINGDOWN),
    (_S.INACTIVE, "cleanup"): (_T.CLEANUP, _S.CLEANINGUP),
    (_S.INACTIVE, "activate"): (_T.ACTIVATE, _S.ACTIVATING),
    (_S.INACTIVE, "shutdown"): (_T.INACTIVE_SHUTDOWN, _S.SHUTTINGDOWN),
    (_S.ACTIVE, "deactivate"): (_T.DEACTIVATE, _S.DEACTIVATING),
    (_S.ACTIVE, "shutdown"): (_T.ACTIVE_SHUTDOWN, _S.SHUTTINGDOWN),
}

#: transition state -> (callback name, {outcome: (transition id, next state)}); None = back to start
_OUTCOMES: dict[State, tuple[str, dict[CallbackReturn, tuple[Transition, State | None]]]] = {
    _S.CONFIGURING: ("on_configure", {
        _R.SUCCESS: (_T.ON_CONFIGURE_SUCCESS, _S.INACTIVE),
        _R.FAILURE: (_T.ON_CONFIGURE_FAILURE, None),
        _R.ERROR: (_T.ON_CONFIGURE_ERROR, _S.ERRORPROCESSING)}),
    _S.CLEANINGUP: ("on_cleanup", {
        _R.SUCCESS: (_T.ON_CLEANUP_SUCCESS, _S.UNCONFIGURED),
        _R.FAILURE: (_T.ON_CLEANUP_FAILURE, None),
        _R.ERROR: (_T.ON_CLEANUP_ERROR, _S.ERRORPROCESSING)}),
    _S.ACTIVATING: ("on_activate", {
        _R.SUCCESS: (_T.ON_ACTIVATE_SUCCESS, _S.ACTIVE),
        _R.FAILURE: (_T.ON_ACTIVATE_FAILURE, None),
        _R.ERROR: (_T.ON_ACTIVATE_ERROR, _S.ERRORPROCESSING)}),
    _S.DEACTIVATING: ("on_deactivate", {
        _R.SUCCESS: (_T.ON_DEACTIVATE_SUCCESS, _S.INACTIVE),
        _R.FAILURE: (_T.ON_DEACTIVATE_FAILURE, None),
        _R.ERROR: (_T.ON_DEACTIVATE_ERROR, _S.ERRORPROCESSING)}),
    _S.SHUTTINGDOWN: ("on_shutdown", {
        _R.SUCCESS: (_T.ON_SHUTDOWN_SUCCESS, _S.FINALIZED),
        _R.FAILURE: (_T.ON_SHUTDOWN_FAILURE, _S.FINALIZED),
        _R.ERROR: (_T.ON_SHUTDOWN_ERROR, _S.ERRORPROCESSING)}),
    _S.ERRORPROCESSING: ("on_error", {
        _R.SUCCESS: (_T.ON_ERROR_SUCCESS, _S.UNCONFIGURED),
        _R.FAILURE: (_T.ON_ERROR_FAILURE, _S.FINALIZED),
        _R.ERROR: (_T.ON_ERROR_ERROR, _S.FINALIZED)}),
}

TRIGGERS = ("configure", "cleanup", "activate", "deactivate", "shutdown")
_PUBLISHING_STATES = (State.ACTIVATING, State.ACTIVE, State.DEACTIVATING)


class LifecycleStateMachine:
    """rcl's default lifecycle state machine, without callbacks (pure and easy to test)."""

    def __init__(self) -> None:
        self.state = State.UNCONFIGURED
        self._origin = State.UNCONFIGURED

    def available_triggers(self) -> tuple[str, ...]:
        """Trigger labels allowed in the current state."""
        return tuple(label for (state, label) in _TRIGGERS if state is self.state)

    def begin(self, trigger: str) -> tuple[Transition, State]:
        """Start ``trigger``: enter its transition state; IllegalTransitionError if not allowed."""
        step = _TRIGGERS.get((self.state, trigger))
        if step is None:
            allowed = ", ".join(self.available_triggers()) or "none"
            known = "" if trigger in TRIGGERS else f" (unknown transition; known: {', '.join(TRIGGERS)})"
            raise IllegalTransitionError(
                f"cannot '{trigger}' in state {self.state.name}{known}; allowed here: {allowed}"
            )
        self._origin = self.state
        self.state = step[1]
        return step

    def callback_name(self) -> str:
        """The callback to run in the current transition state."""
        return _OUTCOMES[self.state][0]

    def finish(self, outcome: CallbackReturn) -> tuple[Transition, State]:
        """Apply the callback's ``outcome`` in the current transition state."""
        if self.state.is_primary:
            raise IllegalTransitionError(f"no transition is running (state {self.state.name})")
        transition, target = _OUTCOMES[self.state][1][outcome]
        self.state = target if target is not None else self._origin
        return transition, self.state


@dataclass(frozen=True)
class TransitionEvent:
    """``lifecycle_msgs/TransitionEvent``: one step of the state machine."""

    timestamp: Time
    transition: Transition
    start_state: State
    goal_state: State


class ChangeState:
    """``lifecycle_msgs/ChangeState`` by label ("configure", "activate", …)."""

    @dataclass(frozen=True)
    class Request:
        """The transition to trigger."""

        transition: str = ""

    @dataclass(frozen=True)
    class Response:
        """Whether the node reached the transition's goal state, and where it is now."""

        success: bool = False
        state: State = State.UNKNOWN
        message: str = ""


class GetState:
    """``lifecycle_msgs/GetState``."""

    @dataclass(frozen=True)
    class Request:
        """No fields."""

    @dataclass(frozen=True)
    class Response:
        """The current state."""

        state: State = State.UNKNOWN


_GOALS = {"configure": State.INACTIVE, "cleanup": State.UNCONFIGURED, "activate": State.ACTIVE,
          "deactivate": State.INACTIVE, "shutdown": State.FINALIZED}


class LifecyclePublisher(Publisher[M]):
    """A publisher that only delivers while its node is (becoming / leaving) ACTIVE."""

    def __init__(self, node: LifecycleNode, topic: str, msg_type: type[M], qos: QoSProfile) -> None:
        super().__init__(node, topic, msg_type, qos)
        self._lifecycle_node = node
        self.dropped_inactive = 0
        self._warned = False

    @property
    def is_activated(self) -> bool:
        """Whether messages are delivered now."""
        return self._lifecycle_node.current_state in _PUBLISHING_STATES

    def publish(self, msg: M) -> None:
        """Publish if activated; otherwise drop ``msg`` (warning once per inactive period)."""
        if self.is_activated:
            self._warned = False
            super().publish(msg)
            return
        self.dropped_inactive += 1
        if not self._warned:
            self._warned = True
            self.node.get_logger().warning(
                "lifecycle publisher on '%s' is not activated (node is %s); message dropped",
                self.topic_name, self._lifecycle_node.current_state.name,
            )


class LifecycleNode(Node):
    """A node with a managed lifecycle; override the ``on_*`` callbacks (default: SUCCESS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._machine = LifecycleStateMachine()
        self._events = self.create_publisher(TransitionEvent, "~/transition_event", QOS_LATCHED)
        self.create_service(ChangeState, "~/change_state", self._serve_change_state)
        self.create_service(GetState, "~/get_state", lambda _req: GetState.Response(self.current_state))

    @property
    def current_state(self) -> State:
        """The current (primary or transition) state."""
        return self._machine.state

    def create_lifecycle_publisher(
        self, msg_type: type[M], topic: str, qos: QoSProfile = QOS_DEFAULT
    ) -> LifecyclePublisher[M]:
        """A publisher that only publishes while the node is active."""
        publisher = LifecyclePublisher(self, self.resolve_name(topic), msg_type, qos)
        self._publishers.append(publisher)
        return publisher

    # -- callbacks to override -----------------------------------------------------------------
    def on_configure(self, previous_state: State) -> CallbackReturn:
        """Load configuration, create resources. Runs in CONFIGURING."""
        return CallbackReturn.SUCCESS

    def on_cleanup(self, previous_state: State) -> CallbackReturn:
        """Release what on_configure made. Runs in CLEANINGUP."""
        return CallbackReturn.SUCCESS

    def on_activate(self, previous_state: State) -> CallbackReturn:
        """Start doing work (lifecycle publishers already deliver). Runs in ACTIVATING."""
        return CallbackReturn.SUCCESS

    def on_deactivate(self, previous_state: State) -> CallbackReturn:
        """Stop doing work (lifecycle publishers still deliver). Runs in DEACTIVATING."""
        return CallbackReturn.SUCCESS

    def on_shutdown(self, previous_state: State) -> CallbackReturn:
        """Release everything before FINALIZED. Runs in SHUTTINGDOWN."""
        return CallbackReturn.SUCCESS

    def on_error(self, previous_state: State) -> CallbackReturn:
        """Recover after an error: SUCCESS goes to UNCONFIGURED, else FINALIZED."""
        return CallbackReturn.SUCCESS

    # -- transitions ---------------------------------------------------------------------------
    def configure(self) -> State:
        """UNCONFIGURED → INACTIVE; returns the state reached."""
        return self.trigger_transition("configure")

    def cleanup(self) -> State:
        """INACTIVE → UNCONFIGURED; returns the state reached."""
        return self.trigger_transition("cleanup")

    def activate(self) -> State:
        """INACTIVE → ACTIVE; returns the state reached."""
        return self.trigger_transition("activate")

    def deactivate(self) -> State:
        """ACTIVE → INACTIVE; returns the state reached."""
        return self.trigger_transition("deactivate")

    def shutdown(self) -> State:
        """UNCONFIGURED / INACTIVE / ACTIVE → FINALIZED; returns the state reached."""
        return self.trigger_transition("shutdown")

    def trigger_transition(self, trigger: str) -> State:
        """Run transition ``trigger`` to its end; IllegalTransitionError if not allowed now."""
        start = self._machine.state
        transition, _ = self._machine.begin(trigger)
        self._publish_event(transition, start)
        previous = start
        while not self._machine.state.is_primary:
            here = self._machine.state
            outcome = self._run_callback(self._machine.callback_name(), previous)
            transition, _ = self._machine.finish(outcome)
            self._publish_event(transition, here)
            previous = here
        return self._machine.state

    def _run_callback(self, name: str, previous: State) -> CallbackReturn:
        callback: Callable[[State], object] = getattr(self, name)
        try:
            outcome = callback(previous)
        except Exception:  # noqa: BLE001 - rcl semantics: a raising callback is an ERROR
            # The exception's own message is what a person needs; the wrapper is for developers' logs.
            self.get_logger().exception("lifecycle callback %s raised; treated as ERROR", name,
                                        extra={CAUSE_ONLY: True})
            return CallbackReturn.ERROR
        if not isinstance(outcome, CallbackReturn):
            self.get_logger().error(
                "lifecycle callback %s returned %r, not a CallbackReturn; treated as ERROR", name, outcome
            )
            return CallbackReturn.ERROR
        return outcome

    def _publish_event(self, transition: Transition, start: State) -> None:
        self._events.publish(TransitionEvent(self.clock.now(), transition, start, self._machine.state))

    def _serve_change_state(self, request: ChangeState.Request) -> ChangeState.Response:
        try:
            reached = self.trigger_transition(request.transition)
        except IllegalTransitionError as exc:
            return ChangeState.Response(False, self.current_state, str(exc))
        success = reached is _GOALS[request.transition]
        return ChangeState.Response(success, reached, "" if success else f"ended in {reached.name}")
