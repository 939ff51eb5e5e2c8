"""Recipe step tree → executing behaviour tree."""

from __future__ import annotations

from cellctl.recipe import model as rm
from cellctl.supervisor.context import CellContext
from cellctl.supervisor.leaves import LEAVES
from cellctl.supervisor.tree import Behaviour, FallbackNode, ParallelNode, RetryNode, SequenceNode, Status


class Tracked(Behaviour):
    """Records in the context when a step with an id has finished (for ``wait: {after: …}``)."""

    def __init__(self, inner: Behaviour, step_id: str, ctx: CellContext) -> None:
        super().__init__(inner.name)
        self.inner, self.step_id, self.ctx = inner, step_id, ctx

    def update(self) -> Status:
        status = self.inner.tick()
        if status is not Status.RUNNING:
            self.ctx.finished_ids.add(self.step_id)
        self.failure = self.inner.failure
        return status

    def halt(self) -> None:
        self.inner.halt()
        super().halt()

    def children(self) -> list[Behaviour]:
        return [self.inner]


def build(step: rm.Step, ctx: CellContext) -> Behaviour:
    """The behaviour tree of a recipe (sub)tree, bound to the running unit's context."""
    if isinstance(step, rm.Composite):
        kids = [build(child, ctx) for child in step.steps]
        if isinstance(step, rm.Retry):
            node: Behaviour = RetryNode(step.label, kids[0], step.times)
        else:
            composite = {rm.Sequence: SequenceNode, rm.Parallel: ParallelNode, rm.Fallback: FallbackNode}[type(step)]
            node = composite(step.label, kids)
    else:
        node = LEAVES[type(step)](step, ctx)
    return Tracked(node, step.id, ctx) if step.id else node
