"""Behaviour-tree semantics, with scripted leaves (no hardware)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.supervisor.tree import Behaviour, FallbackNode, ParallelNode, RetryNode, SequenceNode, Status

pytestmark = pytest.mark.unit
R, S, F = Status.RUNNING, Status.SUCCESS, Status.FAILURE


class Scripted(Behaviour):
    """Returns the scripted statuses in turn (the last one forever); counts ticks and halts."""

    def __init__(self, name: str, *script: Status) -> None:
        super().__init__(name)
        self.script, self.ticks, self.halts = list(script), 0, 0

    def update(self) -> Status:
        self.ticks += 1
        status = self.script[min(self.ticks - 1, len(self.script) - 1)]
        return self.fail(f"{self.name} failed") if status is F else status

    def halt(self) -> None:
        self.halts += 1
        super().halt()


def run(node: Behaviour, limit: int = 100) -> Status:
    for _ in range(limit):
        status = node.tick()
        if status is not R:
            return status
    raise AssertionError("still running")


def test_a_sequence_stops_at_the_first_failure_with_its_reason() -> None:
    a, b, c = Scripted("a", R, S), Scripted("b", F), Scripted("c", S)
    seq = SequenceNode("seq", [a, b, c])
    assert run(seq) is F and seq.failure == "b failed" and c.ticks == 0


def test_a_fallback_tries_alternatives_until_one_succeeds() -> None:
    a, b, c = Scripted("a", F), Scripted("b", R, S), Scripted("c", S)
    assert run(FallbackNode("fb", [a, b, c])) is S and c.ticks == 0


def test_a_fallback_that_runs_out_of_alternatives_fails_with_every_reason() -> None:
    fb = FallbackNode("fb", [Scripted("a", F), Scripted("b", F)])
    assert run(fb) is F and fb.failure == "a failed; b failed"


def test_a_fallback_keeps_the_reasons_of_alternatives_that_failed_on_earlier_ticks() -> None:
    fb = FallbackNode("fb", [Scripted("a", F), Scripted("b", R, R, F)])
    assert run(fb) is F and fb.failure == "a failed; b failed"


def test_parallel_branches_advance_on_the_same_tick() -> None:
    a, b = Scripted("a", R, R, S), Scripted("b", R, S)
    par = ParallelNode("par", [a, b])
    assert par.tick() is R and a.ticks == b.ticks == 1
    assert run(par) is S and a.ticks == 3 and b.ticks == 2


def test_a_failing_branch_halts_the_other_branches() -> None:
    slow, bad = Scripted("slow", R), Scripted("bad", R, F)
    par = ParallelNode("par", [slow, bad])
    assert run(par) is F and slow.halts == 1 and par.failure == "bad failed"


def test_halting_reaches_the_running_leaf_and_not_the_finished_ones() -> None:
    done, busy, later = Scripted("done", S), Scripted("busy", R), Scripted("later", S)
    seq = SequenceNode("seq", [done, busy, later])
    seq.tick()
    seq.halt()
    assert (done.halts, busy.halts, later.halts) == (0, 1, 0)
    assert seq.status is None


def test_a_retry_repeats_a_failing_child_up_to_its_limit() -> None:
    child = Scripted("x", F, F, S)
    assert run(RetryNode("retry", child, times=2)) is S and child.ticks == 3
    child = Scripted("y", F)
    retry = RetryNode("retry", child, times=2)
    assert run(retry) is F and child.ticks == 3 and "after 2 retries" in (retry.failure or "")


statuses = st.lists(st.sampled_from([R, S, F]), min_size=1, max_size=4)


@given(st.lists(statuses, min_size=1, max_size=5))
def test_a_sequence_succeeds_exactly_when_every_child_succeeds(scripts: list[list[Status]]) -> None:
    children = [Scripted(f"c{i}", *script) for i, script in enumerate(scripts)]
    final = [next((s for s in script if s is not R), script[-1]) for script in scripts]
    if R in final:
        return  # a child that runs forever: covered by the halting tests
    outcome = run(SequenceNode("seq", children))
    expected = S if all(f is S for f in final) else F
    assert outcome is expected
