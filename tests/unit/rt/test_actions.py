"""Actions: goal acceptance, feedback, results, cancel, and the goal state machine."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.rt.actions import (
    CancelResponse,
    GoalEvent,
    GoalResponse,
    GoalStatus,
    ServerGoalHandle,
    transition_goal,
)
from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import IllegalTransitionError, MessageTypeError, RtTimeoutError, ServiceUnavailableError
from cellctl.rt.executor import Executor
from cellctl.rt.node import Node

pytestmark = pytest.mark.unit

def expected_goal_state(status: GoalStatus, event: GoalEvent) -> GoalStatus | None:
    """rcl_action's event handlers, restated as rules (an oracle independent of the table)."""
    finishing = {GoalEvent.SUCCEED: GoalStatus.SUCCEEDED, GoalEvent.ABORT: GoalStatus.ABORTED}
    if event is GoalEvent.EXECUTE and status is GoalStatus.ACCEPTED:
        return GoalStatus.EXECUTING
    if event is GoalEvent.CANCEL_GOAL and status in (GoalStatus.ACCEPTED, GoalStatus.EXECUTING):
        return GoalStatus.CANCELING
    if event in finishing and status in (GoalStatus.EXECUTING, GoalStatus.CANCELING):
        return finishing[event]
    if event is GoalEvent.CANCELED and status is GoalStatus.CANCELING:
        return GoalStatus.CANCELED
    return None


def _stepper(move: Any, steps: int = 3) -> Callable[[ServerGoalHandle], Iterator[None]]:
    def execute(goal: ServerGoalHandle) -> Iterator[None]:
        for i in range(steps):
            if goal.is_cancel_requested:
                goal.canceled()
                return
            goal.publish_feedback(move.Feedback(i / steps))
            yield
        goal.succeed(move.Result(goal.request.target))

    return execute


def test_goal_succeeds_with_feedback_and_result(make_node: Callable[..., Node], move_action: Any) -> None:
    make_node("arm").create_action_server(move_action, "move", _stepper(move_action))
    client = make_node("cell").create_action_client(move_action, "/move")
    feedback: list[Any] = []
    goal = client.send_goal(move_action.Goal(1.5), timeout=1.0, feedback_callback=feedback.append)
    assert goal.accepted
    outcome = goal.get_result(timeout=1.0)
    assert outcome.status is GoalStatus.SUCCEEDED and outcome.result == move_action.Result(1.5)
    assert [f.progress for f in feedback] == pytest.approx([0.0, 1 / 3, 2 / 3])
    assert goal.status is GoalStatus.SUCCEEDED


def test_rejected_goal_is_reported_and_never_executes(make_node: Callable[..., Node], move_action: Any) -> None:
    executed: list[ServerGoalHandle] = []
    make_node("arm").create_action_server(
        move_action, "move", executed.append, goal_callback=lambda g: GoalResponse.REJECT
    )
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    assert not goal.accepted and executed == []


def test_cancel_accepted_ends_canceled(make_node: Callable[..., Node], move_action: Any, executor: Executor) -> None:
    make_node("arm").create_action_server(
        move_action, "move", _stepper(move_action, steps=100), cancel_callback=lambda g: CancelResponse.ACCEPT
    )
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    assert goal.cancel_goal(timeout=1.0)
    outcome = goal.get_result(timeout=1.0)
    assert outcome.status is GoalStatus.CANCELED


def test_cancel_is_rejected_by_default_and_the_goal_runs_on(make_node: Callable[..., Node], move_action: Any) -> None:
    make_node("arm").create_action_server(move_action, "move", _stepper(move_action))
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(2.0), timeout=1.0)
    assert not goal.cancel_goal(timeout=1.0)
    assert goal.get_result(timeout=1.0).status is GoalStatus.SUCCEEDED


def test_cancel_of_a_finished_goal_is_rejected(make_node: Callable[..., Node], move_action: Any) -> None:
    make_node("arm").create_action_server(
        move_action, "move", lambda g: g.succeed(move_action.Result()), cancel_callback=lambda g: CancelResponse.ACCEPT
    )
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    goal.get_result(timeout=1.0)
    assert not goal.cancel_goal(timeout=1.0)


def test_raising_execute_callback_aborts_the_goal_with_the_cause(make_node: Callable[..., Node], move_action: Any) -> None:
    def execute(goal: ServerGoalHandle) -> None:
        raise RuntimeError("gripper jammed")

    make_node("arm").create_action_server(move_action, "move", execute)
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    outcome = goal.get_result(timeout=1.0)
    assert outcome.status is GoalStatus.ABORTED and "gripper jammed" in outcome.message


def test_generator_that_ends_without_a_verdict_aborts(make_node: Callable[..., Node], move_action: Any) -> None:
    def execute(goal: ServerGoalHandle) -> Iterator[None]:
        yield

    make_node("arm").create_action_server(move_action, "move", execute)
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    outcome = goal.get_result(timeout=1.0)
    assert outcome.status is GoalStatus.ABORTED and "without succeed()" in outcome.message


def test_execute_waits_on_a_yielded_future(make_node: Callable[..., Node], move_action: Any, executor: Executor) -> None:
    gate: Future[float] = Future()

    def execute(goal: ServerGoalHandle) -> Iterator[Future[float]]:
        yield gate
        goal.succeed(move_action.Result(gate.result()))

    make_node("arm").create_action_server(move_action, "move", execute)
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    executor.spin_some()
    assert goal.status is GoalStatus.EXECUTING
    assert executor.spin_some() == 0  # the waiting goal does not busy-loop
    gate.set_result(4.0)
    assert goal.get_result(timeout=1.0).result == move_action.Result(4.0)


def test_goal_can_be_finished_later_from_another_callback(
    make_node: Callable[..., Node], move_action: Any, executor: Executor, clock: SimClock
) -> None:
    node = make_node("arm")
    pending: list[ServerGoalHandle] = []
    node.create_action_server(move_action, "move", pending.append)
    node.create_timer(0.1, lambda: pending and pending.pop().succeed(move_action.Result(9.0)))
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    executor.spin_some()
    assert goal.status is GoalStatus.EXECUTING
    from cellctl.rt.clock import Duration

    executor.advance_sim(clock, Duration.from_seconds(0.1))
    assert goal.get_result(timeout=1.0).result == move_action.Result(9.0)


def test_result_wait_is_bounded(make_node: Callable[..., Node], move_action: Any) -> None:
    make_node("arm").create_action_server(move_action, "move", lambda g: None)
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    with pytest.raises(RtTimeoutError, match="no answer within 0.02 s"):
        goal.get_result(timeout=0.02)


def test_finishing_a_goal_twice_is_illegal(make_node: Callable[..., Node], move_action: Any) -> None:
    errors: list[Exception] = []

    def execute(goal: ServerGoalHandle) -> None:
        goal.succeed(move_action.Result())
        try:
            goal.abort()
        except IllegalTransitionError as exc:
            errors.append(exc)

    make_node("arm").create_action_server(move_action, "move", execute)
    goal = make_node("cell").create_action_client(move_action, "/move").send_goal(move_action.Goal(), timeout=1.0)
    assert goal.get_result(timeout=1.0).status is GoalStatus.SUCCEEDED
    assert "'abort' is not allowed in state SUCCEEDED" in str(errors[0])


def test_wrong_goal_feedback_or_result_types_are_refused(make_node: Callable[..., Node], move_action: Any) -> None:
    def execute(goal: ServerGoalHandle) -> None:
        goal.publish_feedback(move_action.Result())

    make_node("arm").create_action_server(move_action, "move", execute)
    client = make_node("cell").create_action_client(move_action, "/move")
    with pytest.raises(MessageTypeError, match="goal of action '/move' must be Move.Goal"):
        client.send_goal_async(move_action.Feedback())
    outcome = client.send_goal(move_action.Goal(), timeout=1.0).get_result(timeout=1.0)
    assert outcome.status is GoalStatus.ABORTED and "feedback of action '/move' must be Move.Feedback" in outcome.message


def test_goal_to_a_missing_server_names_the_action(make_node: Callable[..., Node], move_action: Any) -> None:
    client = make_node("cell").create_action_client(move_action, "/move")
    assert not client.wait_for_server(timeout=0.01)
    with pytest.raises(ServiceUnavailableError, match="no server for action '/move'"):
        client.send_goal_async(move_action.Goal())


def test_goal_ids_are_unique_and_deterministic(make_node: Callable[..., Node], move_action: Any) -> None:
    make_node("arm").create_action_server(move_action, "move", lambda g: g.succeed(move_action.Result()))
    client = make_node("cell").create_action_client(move_action, "/move")
    ids = [client.send_goal(move_action.Goal(), timeout=1.0).goal_id for _ in range(3)]
    assert len(set(ids)) == 3 and [i.int for i in ids] == sorted(i.int for i in ids)


@given(st.lists(st.sampled_from(list(GoalEvent)), max_size=8))
def test_random_goal_events_never_reach_an_illegal_state(events: list[GoalEvent]) -> None:
    status = GoalStatus.ACCEPTED
    for event in events:
        expected = expected_goal_state(status, event)
        if expected is None:
            with pytest.raises(IllegalTransitionError):
                transition_goal(status, event)
        else:
            status = transition_goal(status, event)
            assert status is expected
        assert status is not GoalStatus.UNKNOWN


_SERVER_OPS = ("feedback", "succeed", "abort", "canceled", "cancel_request", "spin")


@given(st.lists(st.sampled_from(_SERVER_OPS), max_size=12))
def test_random_server_and_client_operations_keep_both_sides_consistent(ops: list[str]) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Empty:
        pass

    class Act:
        Goal = Result = Feedback = Empty

    context = Context(SimClock())
    executor = Executor(context)
    node = Node(context, "n")
    executor.add_node(node)
    handles: list[ServerGoalHandle] = []
    node.create_action_server(Act, "act", handles.append, cancel_callback=lambda g: CancelResponse.ACCEPT)
    goal = node.create_action_client(Act, "act").send_goal(Act.Goal(), timeout=1.0)
    executor.spin_some()
    server_side = handles[0]
    seen = [goal.status]
    for op in ops:
        before = server_side.status
        action = {
            "feedback": lambda: server_side.publish_feedback(Act.Feedback()),
            "succeed": lambda: server_side.succeed(Act.Result()),
            "abort": server_side.abort,
            "canceled": server_side.canceled,
            "cancel_request": goal.cancel_goal_async,
            "spin": lambda: None,
        }[op]
        try:
            action()
        except IllegalTransitionError:
            assert server_side.status is before  # a refused event changes nothing
        executor.spin_some()
        seen.append(goal.status)
    assert goal.status is server_side.status
    for a, b in zip(seen, seen[1:]):
        assert a is b or any(expected_goal_state(a, e) is b for e in GoalEvent)
    assert goal.get_result_async().done() == server_side.status.is_terminal
