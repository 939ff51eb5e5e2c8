"""A recipe as a tree of steps: leaves that act, composites that sequence them.

Every step keeps the :class:`~cellctl.config.errors.Mark` of its YAML and a ``path``: its
stable place in the tree (``0.2.1``), which names it in the journal so that a resumed unit
can tell which steps are already done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cellctl.config.errors import Mark
from cellctl.config.pose import Pose
from cellctl.quality.settings import QualitySettings

LEAF_KINDS = ("pick", "place", "screw", "backout", "move", "wait", "inspect", "reject", "when", "change_bit")
TIGHTENING_FAILURES = ("missing_screw", "cross_thread", "stripped", "rehit", "torque_low", "torque_high",
                       "angle_low", "angle_high", "timeout", "no_hole", "no_screw", "lost_engagement",
                       "wrong_program", "aborted")
"""Failure classes a screwdriver reports (the simulation's and the serial controllers'), for ``when``."""
COMPOSITE_KINDS = ("sequence", "parallel", "fallback", "retry")


@dataclass(frozen=True)
class Step:
    """Base of every step: where it is written, where it sits in the tree, and an optional
    ``id`` that other steps refer to (``wait: {after: [id]}``)."""

    mark: Mark
    path: str
    id: str | None = None

    @property
    def kind(self) -> str:
        return type(self).KIND  # type: ignore[attr-defined, no-any-return]

    @property
    def label(self) -> str:
        """A short description for the operator and the journal."""
        return self.kind

    @property
    def arm(self) -> str | None:
        return None

    def children(self) -> tuple[Step, ...]:
        return ()


@dataclass(frozen=True)
class Pick(Step):
    KIND = "pick"
    arm_name: str = ""
    part: str = ""
    grasp: str = "top"

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        return f"pick {self.part}"


@dataclass(frozen=True)
class Place(Step):
    """Put the held part on a station slot, or on top of another part (``onto``)."""

    KIND = "place"
    arm_name: str = ""
    part: str = ""
    station: str = ""
    slot: str = ""
    onto: str | None = None

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        return f"place {self.part} on {self.onto or self.station}"


@dataclass(frozen=True)
class Screw(Step):
    """Fetch a screw from the feeder and drive it into one hole with the hole's program."""

    KIND = "screw"
    arm_name: str = ""
    hole: str = ""
    program: str | None = None

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        return f"screw {self.hole}"


@dataclass(frozen=True)
class MoveTarget:
    """Where a move goes: a named joint position (``home``), joint values, or a tool pose."""

    named: str | None = None
    joints: np.ndarray | None = None
    pose: Pose | None = None
    blend: float = 0.0


@dataclass(frozen=True)
class MoveStep(Step):
    """Joint (``ptp``) or Cartesian (``lin``) moves through one or more targets."""

    KIND = "move"
    arm_name: str = ""
    mode: str = "ptp"
    targets: tuple[MoveTarget, ...] = ()

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        first = self.targets[0]
        where = first.named or ("joints" if first.joints is not None else "pose")
        return f"move {self.mode} to {where}" + (f" (+{len(self.targets) - 1})" if len(self.targets) > 1 else "")


@dataclass(frozen=True)
class Wait(Step):
    """Wait a time, or until the steps with the given ids have all completed in this unit."""

    KIND = "wait"
    seconds: float = 0.0
    after: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"wait for {', '.join(self.after)}" if self.after else f"wait {self.seconds:g} s"


@dataclass(frozen=True)
class BackOut(Step):
    """Run the screwdriver in reverse on a hole and take the screw away (before a retry)."""

    KIND = "backout"
    arm_name: str = ""
    hole: str = ""

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        return f"back out {self.hole}"


@dataclass(frozen=True)
class Inspect(Step):
    """Check the unit: every listed hole has a final OK tightening, and (with a ``camera``) every
    listed part lies where it was placed, within ``tolerance`` mm along its x and y and
    ``yaw_tolerance`` degrees (measured in the camera's image; docs/quality.md)."""

    KIND = "inspect"
    holes: tuple[str, ...] = ()
    camera: str | None = None
    parts: tuple[str, ...] = ()
    tolerance: float = 0.4
    yaw_tolerance: float = 1.0

    @property
    def label(self) -> str:
        what = list(self.holes) + ([f"{', '.join(self.parts)} by {self.camera}"] if self.camera else [])
        return f"inspect {', '.join(what)}"


@dataclass(frozen=True)
class Reject(Step):
    """Mark the unit NOK (it still goes through the rest of its branch, e.g. to the NOK tray).

    With a ``hole``, the journaled reason ends with what the hole's tightenings in this unit
    were (``try 1 stripped``), so it says what happened rather than what the recipe expected.
    """

    KIND = "reject"
    reason: str = ""
    hole: str | None = None

    @property
    def label(self) -> str:
        return f"reject: {self.reason}"


@dataclass(frozen=True)
class When(Step):
    """A condition: succeeds when the hole's latest tightening in this unit failed with one of ``failures``.

    Put first in a sequence, it picks the recovery that fits the failure class (under a fallback).
    """

    KIND = "when"
    hole: str = ""
    failures: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"when {self.hole} failed {' or '.join(self.failures)}"


@dataclass(frozen=True)
class ChangeBit(Step):
    """Change the screwdriver's bit at a tool station: the bit into the station's slot (PTP above,
    straight down), ``seconds`` there while the station swaps it, straight back up. The backend is
    told the bit is new (the simulation's wear drift starts afresh)."""

    KIND = "change_bit"
    arm_name: str = ""
    station: str = ""
    slot: str | None = None
    seconds: float = 2.0

    @property
    def arm(self) -> str:
        return self.arm_name

    @property
    def label(self) -> str:
        return f"change the bit of {self.arm_name} at {self.station}"


@dataclass(frozen=True)
class Composite(Step):
    steps: tuple[Step, ...] = ()

    def children(self) -> tuple[Step, ...]:
        return self.steps

    @property
    def label(self) -> str:
        return f"{self.kind} of {len(self.steps)}"


@dataclass(frozen=True)
class Sequence(Composite):
    """Each child in turn; fails at the first failure."""

    KIND = "sequence"


@dataclass(frozen=True)
class Parallel(Composite):
    """All children at once (e.g. two arms); succeeds when all do, fails (halting the rest) at the first failure."""

    KIND = "parallel"


@dataclass(frozen=True)
class Fallback(Composite):
    """Each child in turn until one succeeds (recovery: the first that works)."""

    KIND = "fallback"


@dataclass(frozen=True)
class Retry(Composite):
    """Its one child again, up to ``times`` more times, while it fails."""

    KIND = "retry"
    times: int = 1

    @property
    def label(self) -> str:
        return f"retry up to {self.times}x"


@dataclass(frozen=True)
class Recipe:
    """One product's recipe: identity, the cell it is written for, the step tree, and an optional
    ``recover`` tree: the clear-out after a NOK or aborted unit (see cellctl.supervisor.clearout)."""

    name: str
    version: str
    serial_prefix: str
    cell: str | None
    root: Step
    source: Path
    mark: Mark
    recover: Step | None = None
    quality: QualitySettings | None = None
    """The ``quality:`` section (SPC and curve checks, and what an alarm does); None: no checks."""
    maintenance: dict[str, Step] = field(default_factory=dict)
    """Named maintenance branches the cell runs itself after a unit (``quality.on_alarm: maintain``)."""

    def trees(self) -> list[Step]:
        """The step tree, the recover tree if there is one, then the maintenance branches."""
        return [self.root] + ([self.recover] if self.recover is not None else []) + list(self.maintenance.values())

    def by_id(self) -> dict[str, Step]:
        """Steps that carry an id."""
        return {s.id: s for s in self.walk() if s.id}

    def walk(self) -> list[Step]:
        """Every step, composites included, in tree order."""
        out: list[Step] = []
        stack = list(reversed(self.trees()))
        while stack:
            step = stack.pop()
            out.append(step)
            stack.extend(reversed(step.children()))
        return out

    def leaves(self) -> list[Step]:
        """Every leaf step, in tree order."""
        out: list[Step] = []
        stack = list(reversed(self.trees()))
        while stack:
            step = stack.pop()
            kids = step.children()
            if kids:
                stack.extend(reversed(kids))
            else:
                out.append(step)
        return out


LEAF_TYPES: dict[str, type[Step]] = {c.KIND: c for c in (Pick, Place, Screw, BackOut, MoveStep, Wait, Inspect, Reject, When, ChangeBit)}  # type: ignore[attr-defined]
COMPOSITE_TYPES: dict[str, type[Composite]] = {c.KIND: c for c in (Sequence, Parallel, Fallback, Retry)}  # type: ignore[attr-defined]

__all__ = [
    "BackOut", "ChangeBit", "COMPOSITE_KINDS", "Composite", "Fallback", "Inspect", "LEAF_KINDS", "MoveStep", "MoveTarget", "Parallel",
    "Pick", "Place", "Recipe", "Reject", "Retry", "Screw", "Sequence", "Step", "TIGHTENING_FAILURES", "Wait", "When",
]
