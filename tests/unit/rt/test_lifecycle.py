"""Managed lifecycle: rcl's state machine, callback outcomes, lifecycle publishers, events."""

from __future__ import annotations


import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import IllegalTransitionError
from cellctl.rt.executor import Executor
from cellctl.rt.lifecycle import (
    TRIGGERS,
    CallbackReturn,
    ChangeState,
    GetState,
    LifecycleNode,
    LifecycleStateMachine,
    State,
    Transition,
    TransitionEvent,
)
from cellctl.rt.messages import JointState
from cellctl.rt.node import Node
from cellctl.rt.topics import QOS_LATCHED

pytestmark = pytest.mark.unit

S = State
OK, FAIL, ERR = CallbackReturn.SUCCESS, CallbackReturn.FAILURE, CallbackReturn.ERROR
GOAL = {"configure": S.INACTIVE, "cleanup": S.UNCONFIGURED, "activate": S.ACTIVE,
        "deactivate": S.INACTIVE, "shutdown": S.FINALIZED}
FROM = {"configure": {S.UNCONFIGURED}, "cleanup": {S.INACTIVE}, "activate": {S.INACTIVE},
        "deactivate": {S.ACTIVE}, "shutdown": {S.UNCONFIGURED, S.INACTIVE, S.ACTIVE}}


class Scripted(LifecycleNode):
    """A lifecycle node whose callbacks return scripted outcomes and record their calls."""

    def __init__(self, context: Context, name: str = "scripted") -> None:
        super().__init__(context, name)
        self.outcomes: dict[str, CallbackReturn | Exception] = {}
        self.calls: list[tuple[str, State]] = []
        self.states_seen: list[State] = []

    def _outcome(self, name: str, previous: State) -> CallbackReturn:
        self.calls.append((name, previous))
        self.states_seen.append(self.current_state)
        outcome = self.outcomes.get(name, OK)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


# Every rcl callback of Scripted reports through _outcome under its own name.
for _callback in ("on_configure", "on_cleanup", "on_activate", "on_deactivate", "on_shutdown", "on_error"):
    setattr(Scripted, _callback, lambda self, previous, _name=_callback: self._outcome(_name, previous))


@pytest.fixture
def node(context: Context) -> Scripted:
    return Scripted(context)


def test_full_happy_path_follows_rcl(node: Scripted) -> None:
    assert node.current_state is S.UNCONFIGURED
    assert node.configure() is S.INACTIVE
    assert node.activate() is S.ACTIVE
    assert node.deactivate() is S.INACTIVE
    assert node.cleanup() is S.UNCONFIGURED
    assert node.shutdown() is S.FINALIZED
    assert node.states_seen == [S.CONFIGURING, S.ACTIVATING, S.DEACTIVATING, S.CLEANINGUP, S.SHUTTINGDOWN]


def test_failure_returns_to_the_previous_primary_state(node: Scripted) -> None:
    node.outcomes["on_configure"] = FAIL
    assert node.configure() is S.UNCONFIGURED
    node.outcomes["on_configure"] = OK
    node.configure()
    node.outcomes["on_activate"] = FAIL
    assert node.activate() is S.INACTIVE
    node.outcomes["on_activate"] = OK
    node.activate()
    node.outcomes["on_deactivate"] = FAIL
    assert node.deactivate() is S.ACTIVE


def test_shutdown_failure_still_finalizes_as_in_rcl(node: Scripted) -> None:
    node.outcomes["on_shutdown"] = FAIL
    assert node.shutdown() is S.FINALIZED


def test_error_goes_through_error_processing_to_unconfigured(node: Scripted) -> None:
    node.configure()
    node.outcomes["on_activate"] = ERR
    assert node.activate() is S.UNCONFIGURED
    assert node.calls[-1] == ("on_error", S.ACTIVATING)
    assert node.states_seen[-1] is S.ERRORPROCESSING


def test_exception_in_a_callback_counts_as_error(node: Scripted) -> None:
    node.outcomes["on_configure"] = RuntimeError("no such port")
    assert node.configure() is S.UNCONFIGURED
    assert [name for name, _ in node.calls] == ["on_configure", "on_error"]


def test_failed_error_processing_finalizes(node: Scripted) -> None:
    node.outcomes.update(on_configure=ERR, on_error=FAIL)
    assert node.configure() is S.FINALIZED
    with pytest.raises(IllegalTransitionError, match="cannot 'configure' in state FINALIZED; allowed here: none"):
        node.configure()


def test_callback_returning_garbage_is_an_error(node: Scripted) -> None:
    node.outcomes["on_configure"] = True  # type: ignore[assignment]
    assert node.configure() is S.UNCONFIGURED
    assert node.calls[-1][0] == "on_error"


def test_illegal_transition_says_what_is_allowed(node: Scripted) -> None:
    expected = "cannot 'activate' in state UNCONFIGURED; allowed here: configure, shutdown"
    with pytest.raises(IllegalTransitionError, match=expected):
        node.activate()
    with pytest.raises(IllegalTransitionError, match="unknown transition"):
        node.trigger_transition("launch")


def test_transition_from_inside_a_callback_is_illegal(context: Context) -> None:
    class Eager(LifecycleNode):
        def on_configure(self, previous_state: State) -> CallbackReturn:
            self.activate()
            return OK

    eager = Eager(context, "eager")
    assert eager.configure() is S.UNCONFIGURED  # the nested call raised, which is an ERROR


def test_lifecycle_publisher_only_publishes_when_active(context: Context, executor: Executor) -> None:
    class Arm(LifecycleNode):
        def on_activate(self, previous_state: State) -> CallbackReturn:
            self.state_pub.publish(JointState(name=["j"], position=[1.0]))
            return OK

    arm = Arm(context, "arm")
    arm.state_pub = arm.create_lifecycle_publisher(JointState, "~/state")  # type: ignore[attr-defined]
    got: list[JointState] = []
    listener = Node(context, "listener")
    listener.create_subscription(JointState, "/arm/state", got.append)
    executor.add_node(listener)
    arm.state_pub.publish(JointState())  # type: ignore[attr-defined]
    arm.configure()
    arm.activate()
    arm.state_pub.publish(JointState(name=["j"], position=[2.0]))  # type: ignore[attr-defined]
    arm.deactivate()
    arm.state_pub.publish(JointState())  # type: ignore[attr-defined]
    executor.spin_some()
    assert [m.position for m in got] == [(1.0,), (2.0,)]
    assert arm.state_pub.dropped_inactive == 2  # type: ignore[attr-defined]


def test_late_monitor_sees_the_last_transition_event(context: Context, executor: Executor, node: Scripted) -> None:
    node.configure()
    events: list[TransitionEvent] = []
    monitor = Node(context, "monitor")
    monitor.create_subscription(TransitionEvent, "/scripted/transition_event", events.append, QOS_LATCHED)
    executor.add_node(monitor)
    executor.spin_some()
    assert events == [TransitionEvent(events[0].timestamp, Transition.ON_CONFIGURE_SUCCESS, S.CONFIGURING, S.INACTIVE)]


def test_every_step_is_published_on_the_transition_event_topic(
    context: Context, executor: Executor, node: Scripted
) -> None:
    events: list[TransitionEvent] = []
    monitor = Node(context, "monitor")
    monitor.create_subscription(TransitionEvent, "/scripted/transition_event", events.append)
    executor.add_node(monitor)
    node.outcomes["on_configure"] = ERR
    node.configure()
    executor.spin_some()
    assert [(e.transition, e.start_state, e.goal_state) for e in events] == [
        (Transition.CONFIGURE, S.UNCONFIGURED, S.CONFIGURING),
        (Transition.ON_CONFIGURE_ERROR, S.CONFIGURING, S.ERRORPROCESSING),
        (Transition.ON_ERROR_SUCCESS, S.ERRORPROCESSING, S.UNCONFIGURED),
    ]


def test_change_state_and_get_state_services(context: Context, executor: Executor, node: Scripted) -> None:
    executor.add_node(node)
    manager = Node(context, "manager")
    executor.add_node(manager)
    change = manager.create_client(ChangeState, "/scripted/change_state")
    get = manager.create_client(GetState, "/scripted/get_state")
    assert change.call(ChangeState.Request("configure"), timeout=1.0) == ChangeState.Response(True, S.INACTIVE, "")
    refused = change.call(ChangeState.Request("deactivate"), timeout=1.0)
    assert not refused.success and "cannot 'deactivate' in state INACTIVE" in refused.message
    assert get.call(GetState.Request(), timeout=1.0).state is S.INACTIVE


def _reference(state: State, trigger: str, outcome: CallbackReturn, on_error: CallbackReturn) -> State:
    """rcl's default state machine, written independently as a table of outcomes."""
    if outcome is OK:
        return GOAL[trigger]
    if outcome is FAIL:
        return S.FINALIZED if trigger == "shutdown" else state
    return S.UNCONFIGURED if on_error is OK else S.FINALIZED


OUTCOMES = st.sampled_from(list(CallbackReturn))


@given(st.lists(st.tuples(st.sampled_from(TRIGGERS), OUTCOMES, OUTCOMES), max_size=15))
def test_random_transition_sequences_match_rcl_and_stay_legal(
    steps: list[tuple[str, CallbackReturn, CallbackReturn]],
) -> None:
    node = Scripted(Context(SimClock()))
    callback = {"configure": "on_configure", "cleanup": "on_cleanup", "activate": "on_activate",
                "deactivate": "on_deactivate", "shutdown": "on_shutdown"}
    for trigger, outcome, on_error in steps:
        before = node.current_state
        node.outcomes = {callback[trigger]: outcome, "on_error": on_error}
        if before not in FROM[trigger]:
            with pytest.raises(IllegalTransitionError):
                node.trigger_transition(trigger)
            assert node.current_state is before
            continue
        assert node.trigger_transition(trigger) is _reference(before, trigger, outcome, on_error)
        assert node.current_state.is_primary


@given(st.lists(st.one_of(st.sampled_from(TRIGGERS).map(lambda t: ("begin", t)),
                          st.sampled_from(list(CallbackReturn)).map(lambda o: ("finish", o))), max_size=25))
def test_bare_state_machine_never_reaches_an_unknown_state(ops: list[tuple[str, object]]) -> None:
    machine = LifecycleStateMachine()
    for op, arg in ops:
        before = machine.state
        try:
            if op == "begin":
                machine.begin(arg)  # type: ignore[arg-type]
                assert not machine.state.is_primary
            else:
                machine.finish(arg)  # type: ignore[arg-type]
        except IllegalTransitionError:
            assert machine.state is before
        assert machine.state is not S.UNKNOWN
