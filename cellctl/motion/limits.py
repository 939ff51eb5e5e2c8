"""Per-joint kinematic limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _as_vector(values: ArrayLike, what: str) -> NDArray[np.float64]:
    try:
        vector = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a sequence of numbers: {exc}") from None
    if vector.ndim == 0:
        vector = vector.reshape(1)
    if vector.ndim != 1:
        raise ValueError(f"{what} must be one value per joint, got an array of shape {vector.shape}")
    return vector


@dataclass(frozen=True)
class JointLimits:
    """Symmetric velocity, acceleration and jerk bounds, one value per joint.

    Units follow the joint: rad/s, rad/s², rad/s³ for revolute joints (m/… for prismatic).
    Every value must be finite and strictly positive; the check happens when planning, with an
    error that names the joint and the value.

    Args:
        velocity: maximum |velocity| per joint.
        acceleration: maximum |acceleration| per joint.
        jerk: maximum |jerk| per joint.
        names: optional joint names used in error messages.
    """

    velocity: NDArray[np.float64]
    acceleration: NDArray[np.float64]
    jerk: NDArray[np.float64]
    names: tuple[str, ...] = field(default=())

    def __init__(
        self,
        velocity: ArrayLike,
        acceleration: ArrayLike,
        jerk: ArrayLike,
        names: Sequence[str] = (),
    ) -> None:
        v = _as_vector(velocity, "velocity limits")
        a = _as_vector(acceleration, "acceleration limits")
        j = _as_vector(jerk, "jerk limits")
        if not (len(v) == len(a) == len(j)):
            raise ValueError(
                f"limits have different lengths: velocity {len(v)}, acceleration {len(a)}, "
                f"jerk {len(j)}; give one value per joint"
            )
        if names and len(names) != len(v):
            raise ValueError(f"{len(names)} joint names given for {len(v)} joints")
        for name, value in (("velocity", v), ("acceleration", a), ("jerk", j)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "names", tuple(names))
        table = np.ascontiguousarray(np.stack([v, a, j]))
        table.setflags(write=False)
        object.__setattr__(self, "_table", table)

    @property
    def table(self) -> NDArray[np.float64]:
        """The limits as one read-only (3, dof) array: velocity, acceleration, jerk rows."""
        return self._table  # type: ignore[attr-defined, no-any-return]

    @property
    def dof(self) -> int:
        """Number of joints."""
        return len(self.velocity)

    @classmethod
    def uniform(cls, dof: int, velocity: float, acceleration: float, jerk: float) -> JointLimits:
        """The same limits for every one of `dof` joints."""
        return cls([velocity] * dof, [acceleration] * dof, [jerk] * dof)
