"""What the journal says about units that are not done: which unit is open, where its parts
are, what each arm holds, which holes have an unknown outcome, and whether the cell must be
cleared before a new unit starts.

Everything here is read from the journal alone (no backend): the operator commands
``cellctl units --open`` and the refusal of ``cellctl run`` without ``--resume`` use it before
any controller is connected. Part locations are replayed from the steps that ended OK, in the
order they ended: a ``pick`` puts the part in its arm, a ``place`` on a slot or on another part
(a part resting on another travels with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellctl.config import CellDescription
from cellctl.journal.journal import Journal
from cellctl.journal.records import TighteningRecord, UnitRecord

OPEN, HELD = "RUNNING", "held"
UNKNOWN = "UNKNOWN"
"""Tightening status of a screw whose outcome the controller could not tell (see docs/protocol.md)."""
DECISIONS = ("redo", "accept", "reject")
TRAYS = ("input_tray", "output_tray")
"""Stations where a part is out of the next unit's way."""
"""What an operator may decide about a hole whose outcome is unknown."""


@dataclass(frozen=True)
class Location:
    """Where a part is: held by ``arm``, on ``station``/``slot``, or on top of part ``onto``."""

    arm: str | None = None
    station: str | None = None
    slot: str | None = None
    onto: str | None = None

    def __str__(self) -> str:
        if self.arm:
            return f"held by {self.arm}"
        if self.onto:
            return f"on {self.onto}"
        return f"{self.station}/{self.slot}"


@dataclass
class UnitState:
    """One unit as the journal tells it (see module docstring)."""

    unit: UnitRecord
    moved: dict[str, Location] = field(default_factory=dict)  # parts picked or placed in this unit
    pickers: dict[str, str] = field(default_factory=dict)  # part -> arm that last picked it
    unknown_holes: list[TighteningRecord] = field(default_factory=list)  # outcome unknown, not decided

    @property
    def is_open(self) -> bool:
        return self.unit.result == OPEN

    def held(self) -> dict[str, str]:
        """arm -> the part it holds."""
        return {loc.arm: part for part, loc in self.moved.items() if loc.arm}

    def base_of(self, part: str) -> str:
        """The bottom part of the stack ``part`` rests in."""
        seen = {part}
        while (onto := self.moved.get(part, Location()).onto) is not None and onto not in seen:
            part = onto
            seen.add(part)
        return part

    def station_of(self, part: str) -> str | None:
        """The station the part's stack rests on (None while an arm holds the stack)."""
        loc = self.moved.get(self.base_of(part))
        return loc.station if loc is not None else None

    def left_in_cell(self, cell: CellDescription) -> list[str]:
        """Parts of the unit that stand in the way of the next one: held by an arm, or resting
        on a station that is not a tray (the nest, a fixture)."""
        out = []
        for part in self.moved:
            loc = self.moved[self.base_of(part)]
            if loc.arm or (loc.station and cell.stations[loc.station].type not in TRAYS):
                out.append(part)
        return out


def unit_state(journal: Journal, unit: UnitRecord) -> UnitState:
    """Replay a unit's journal (see module docstring)."""
    state = UnitState(unit)
    for step in journal.steps(unit.id):
        if step.result != "OK" or not step.target:
            continue
        if step.kind == "pick" and step.arm:
            state.moved[step.target] = Location(arm=step.arm)
            state.pickers[step.target] = step.arm
        elif step.kind == "place":
            part, _, where = step.target.partition("@")
            station, sep, slot = where.partition("/")
            state.moved[part] = Location(station=station, slot=slot) if sep else Location(onto=where)
    decided = {(d.unit_id, d.command_id) for d in decisions(journal)}
    state.unknown_holes = [t for t in journal.tightenings(unit.id)
                           if t.status == UNKNOWN and (unit.id, t.command_id) not in decided]
    return state


def open_units(journal: Journal) -> list[UnitState]:
    """Units no process has finished (RUNNING in the journal), oldest first."""
    return [unit_state(journal, u) for u in journal.units() if u.result == OPEN]


def needing_clearout(journal: Journal, cell: CellDescription) -> UnitState | None:
    """The newest finished unit (NOK or ABORTED) that left parts in the way of the next, if any."""
    for unit in reversed(journal.units()):
        if unit.result == OPEN:
            continue
        state = unit_state(journal, unit)
        return state if unit.result != "OK" and state.left_in_cell(cell) else None
    return None


@dataclass(frozen=True)
class Decision:
    """An operator's decision about a tightening whose outcome is unknown."""

    unit_id: int
    command_id: int
    hole: str
    decision: str
    operator: str


def decisions(journal: Journal) -> list[Decision]:
    """Every operator decision, oldest first (events of kind ``operator_decision``)."""
    out = []
    for _, unit_id, _, kind, detail in journal.events():
        if kind == "operator_decision" and unit_id is not None and detail:
            fields = dict(item.split("=", 1) for item in detail.split(" ") if "=" in item)
            out.append(Decision(unit_id, int(fields["command"]), fields["hole"], fields["decision"],
                                fields["operator"]))
    return out


def decide(journal: Journal, unit: UnitRecord, hole: str, decision: str, operator: str, clock: float) -> Decision:
    """Record an operator's decision on a hole whose outcome is unknown, and apply it:

    * ``redo``: the operator made sure no screw is in the hole; the tightening stops counting
      (status VOID) and a resume drives the hole again with a new command id;
    * ``accept``: the operator checked the screw; the tightening counts as OK;
    * ``reject``: the unit ends NOK (the next run clears it out of the cell).

    Raises:
        ValueError: no tightening of ``hole`` in ``unit`` has an unknown outcome, or a bad decision.
    """
    if decision not in DECISIONS:
        raise ValueError(f"--decide {decision!r} is not valid; valid: {', '.join(DECISIONS)}")
    if not operator.strip() or " " in operator:
        raise ValueError(f"--operator {operator!r}: give the operator's name or badge, one word")
    state = unit_state(journal, unit)
    record = next((t for t in state.unknown_holes if t.hole == hole), None)
    if record is None:
        holes = ", ".join(t.hole for t in state.unknown_holes) or "none"
        raise ValueError(f"unit {unit.serial} has no hole {hole!r} with an unknown outcome; "
                         f"holes waiting for a decision: {holes}")
    detail = f"hole={hole} command={record.command_id} decision={decision} operator={operator}"
    journal.event("operator_decision", detail, clock, unit.id)
    journal.set_tightening_status(record.id, {"redo": "VOID", "accept": "OK", "reject": "NOK"}[decision],
                                  f"outcome_unknown_{decision}ed_by_{operator}")
    if decision == "reject":
        journal.end_unit(unit.id, "NOK", f"{hole}: outcome unknown, rejected by {operator}", clock)
    return Decision(unit.id, record.command_id, hole, decision, operator)
