"""Seeded, reproducible failure injection for screw holes.

A :class:`FailurePlan` forces a failure on named holes (first attempt) and/or draws failures at
given rates per attempt. Draws use a generator seeded by (seed, CRC-32 of the hole name,
attempt), so a hole's fate does not depend on the order in which holes are driven, and the
same seed gives the same failures on every run and machine.
"""

from __future__ import annotations

import enum
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FailureKind", "FailurePlan", "ProcessDrift", "PlacementFaults", "hole_rng"]


class FailureKind(str, enum.Enum):
    """An injectable screw failure; the value is the failure class the screwdriver reports."""

    MISSING_SCREW = "missing_screw"
    """The screw falls off the bit just before it engages: the driver spins free."""
    CROSS_THREAD = "cross_thread"
    """The screw enters askew: torque climbs early, the target is reached at a low angle."""
    STRIPPED = "stripped"
    """The thread strips after seating: torque collapses, the angle runs past its window."""
    REHIT = "rehit"
    """The hole already holds a tight screw: the target torque is reached within a few degrees."""
    HARD_JOINT = "hard_joint"
    """Shape fault, judged OK: the head seats four times as stiffly (a missing washer, a burr under the head)."""
    BURR = "burr"
    """Shape fault, judged OK: three times the prevailing torque over the rundown (a damaged or dirty thread)."""
    THREAD_YIELD = "thread_yield"
    """Shape fault, judged OK: halfway to the target the seating stiffness drops to 40 % (a thread starting
    to strip), yet the target is reached within the angle window."""


def hole_rng(seed: int, hole: str, attempt: int, stream: int, kit: int = 0) -> np.random.Generator:
    """A generator for one attempt at one hole (``stream`` separates independent uses).

    ``kit`` (the unit's kit number, counted by :meth:`sim.SimSystem.next_kit`) makes each unit's
    screws differ; kit 0 (a world no kit was presented to) keeps the original streams.
    """
    return np.random.default_rng([seed, zlib.crc32(hole.encode()), attempt, stream] + ([kit] if kit else []))


@dataclass(frozen=True)
class ProcessDrift:
    """A slow process drift per unit, as a share (``0.005`` = 0.5 %/unit).

    ``torque`` moves the torque good screws stop at by that share of the target per unit (a
    drifting transducer, a wearing bit); ``angle`` moves the seat angle by that share of it per
    unit (a screw lot running long or short). Kit ``k`` (1 = the first unit) is moved ``k - 1`` steps,
    or ``k - b`` when the bit was changed before kit ``b`` (a new bit has not worn yet).
    """

    torque: float = 0.0
    angle: float = 0.0

    def steps(self, kit: int, new_bit_kit: int = 1) -> int:
        """Units of wear at kit ``kit`` for a bit first used on kit ``new_bit_kit``."""
        return max(kit - new_bit_kit, 0)


@dataclass(frozen=True)
class PlacementFaults:
    """Parts that do not land where they are placed (for the camera inspection to find).

    ``shifts``: part → (dx, dy) m, the part slips that far in the world's x and y as the gripper
    lets it go; ``missing``: parts lost as they are let go (they leave the cell, as if dropped on
    the way). Applied on every release of the part (each unit), until the next kit.
    """

    shifts: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.shifts or self.missing)


@dataclass(frozen=True)
class FailurePlan:
    """Which screw failures to inject.

    Attributes:
        holes: hole name → failure forced on the first attempt at that hole.
        rates: failure → probability per attempt (the sum must not exceed 1).
    """

    holes: Mapping[str, FailureKind] = field(default_factory=dict)
    rates: Mapping[FailureKind, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holes", {h: FailureKind(k) for h, k in self.holes.items()})
        object.__setattr__(self, "rates", {FailureKind(k): float(r) for k, r in self.rates.items()})
        total = sum(self.rates.values())
        if any(r < 0.0 for r in self.rates.values()) or total > 1.0:
            raise ValueError(f"failure rates must be >= 0 and sum to at most 1, got {dict(self.rates)}")

    def draw(self, seed: int, hole: str, attempt: int) -> FailureKind | None:
        """The failure to inject at ``hole`` on ``attempt`` (0-based), or None."""
        if attempt == 0 and hole in self.holes:
            return self.holes[hole]
        if not self.rates:
            return None
        u = hole_rng(seed, hole, attempt, 0).random()
        for kind in FailureKind:
            u -= self.rates.get(kind, 0.0)
            if u < 0.0:
                return kind
        return None
