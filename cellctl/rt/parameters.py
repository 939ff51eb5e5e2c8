"""Declared parameters: type, bounds, choices, description and read-only flag, validated on
declaration (defaults and overrides) and on every set.

A node declares all its parameters in one place, as a tuple of :class:`ParameterDescriptor`
passed to the node's constructor. Setting is atomic over a batch: every value is validated, then
every set-parameters callback may veto the batch; only then is anything changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable, Mapping, Sequence

from cellctl.rt.errors import InvalidParameterError, ParameterRejectedError


class ParameterType(Enum):
    """The ROS parameter types (``rcl_interfaces/ParameterType``) without byte arrays."""

    BOOL = "a bool"
    INTEGER = "an integer"
    DOUBLE = "a float"
    STRING = "a string"
    BOOL_ARRAY = "a list of bools"
    INTEGER_ARRAY = "a list of integers"
    DOUBLE_ARRAY = "a list of floats"
    STRING_ARRAY = "a list of strings"

    @property
    def scalar(self) -> ParameterType:
        """The element type of an array type (itself for scalars)."""
        return ParameterType[self.name.removesuffix("_ARRAY")]

    @property
    def is_array(self) -> bool:
        """Whether values are lists."""
        return self.name.endswith("_ARRAY")

    @property
    def is_numeric(self) -> bool:
        """Whether a range applies (integers and floats, scalar or array)."""
        return self.scalar in (ParameterType.INTEGER, ParameterType.DOUBLE)


@dataclass(frozen=True)
class Range:
    """Inclusive bounds; ``step`` > 0 also requires ``low + k * step`` (as ROS ranges do)."""

    low: float
    high: float
    step: float = 0.0

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"range low {self.low!r} must not exceed high {self.high!r}")
        if self.step < 0:
            raise ValueError(f"range step must not be negative, got {self.step!r}")

    def contains(self, value: float) -> bool:
        """Whether ``value`` is inside (and on the step grid, if any)."""
        if not self.low <= value <= self.high:
            return False
        if self.step == 0 or value == self.high:
            return True
        k = (value - self.low) / self.step
        return math.isclose(k, round(k), abs_tol=1e-9)

    def describe(self) -> str:
        """E.g. ``in [0.0, 2.0] in steps of 0.5``."""
        text = f"in [{self.low!r}, {self.high!r}]"
        return text + (f" in steps of {self.step!r}" if self.step else "")


def _scalar_ok(kind: ParameterType, value: object) -> bool:
    if kind is ParameterType.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is ParameterType.INTEGER:
        return isinstance(value, int)
    if kind is ParameterType.DOUBLE:
        return isinstance(value, (int, float)) and not math.isnan(value)
    return isinstance(value, str)


@dataclass(frozen=True)
class ParameterDescriptor:
    """Everything about one parameter: name, type, default, meaning and what values are valid."""

    name: str
    type: ParameterType
    default: object
    description: str
    range: Range | None = None
    choices: tuple[object, ...] = ()
    read_only: bool = False

    def __post_init__(self) -> None:
        if not self.description:
            raise ValueError(f"parameter '{self.name}' needs a description")
        if self.range is not None and not self.type.is_numeric:
            raise ValueError(f"parameter '{self.name}': a range needs a numeric type, not {self.type.name}")
        object.__setattr__(self, "choices", tuple(self.choices))
        object.__setattr__(self, "default", self.validate(self.default, owner=""))

    def valid_values(self) -> str:
        """What would be valid, in words (used in every error message)."""
        words = self.type.value
        if self.range is not None:
            words += (" each " if self.type.is_array else " ") + self.range.describe()
        if self.choices:
            each = ", each" if self.type.is_array else ","
            words += f"{each} one of " + ", ".join(map(repr, self.choices))
        return words

    def _problem(self, value: object) -> str | None:
        kind = self.type
        if kind.is_array:
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                return "is not a list"
            items: Sequence[object] = value
        else:
            items = (value,)
        for item in items:
            if not _scalar_ok(kind.scalar, item):
                return f"has the wrong type ({type(item).__name__} {item!r})"
            if self.range is not None and not self.range.contains(item):  # type: ignore[arg-type]
                return f"is out of range ({item!r})"
            if self.choices and item not in self.choices:
                return f"is not an allowed choice ({item!r})"
        return None

    def validate(self, value: object, owner: str) -> object:
        """``value`` normalised (ints to floats for DOUBLE, lists to tuples), or raise."""
        problem = self._problem(value)
        if problem is not None:
            where = f"{owner}." if owner else ""
            raise InvalidParameterError(
                f"parameter '{where}{self.name}' = {value!r} {problem}; valid: {self.valid_values()} "
                f"({self.description})"
            )
        if self.type.scalar is ParameterType.DOUBLE:
            if self.type.is_array:
                return tuple(float(v) for v in value)  # type: ignore[union-attr]
            return float(value)  # type: ignore[arg-type]
        return tuple(value) if self.type.is_array else value  # type: ignore[arg-type]


@dataclass(frozen=True)
class Parameter:
    """One name/value pair, as handed to set-parameters callbacks."""

    name: str
    value: object


@dataclass(frozen=True)
class SetParametersResult:
    """A callback's verdict on a batch (``rcl_interfaces/SetParametersResult``)."""

    successful: bool
    reason: str = ""


SetParametersCallback = Callable[[Sequence[Parameter]], SetParametersResult]


class ParameterStore:
    """The declared parameters of one node (``owner`` names it in errors)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._descriptors: dict[str, ParameterDescriptor] = {}
        self._values: dict[str, object] = {}
        self._callbacks: list[SetParametersCallback] = []

    def declare(
        self, descriptors: Iterable[ParameterDescriptor], overrides: Mapping[str, object] | None = None
    ) -> None:
        """Declare ``descriptors`` with values from ``overrides`` (else defaults).

        Overrides may set read-only parameters. Unknown override names and duplicate
        declarations fail loudly; nothing is declared if anything is wrong.
        """
        listed = list(descriptors)
        names = [d.name for d in listed]
        repeated = sorted({n for n in names if names.count(n) > 1 or n in self._descriptors})
        if repeated:
            raise InvalidParameterError(
                f"{self.owner}: parameter(s) declared twice: {', '.join(repeated)}; "
                "declare each parameter once, in one place"
            )
        batch = {d.name: d for d in listed}
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(batch))
        if unknown:
            raise InvalidParameterError(
                f"{self.owner}: unknown parameter(s) {', '.join(unknown)}; "
                f"declared: {', '.join(sorted(batch)) or 'none'}"
            )
        values = {
            name: d.validate(overrides[name], self.owner) if name in overrides else d.default
            for name, d in batch.items()
        }
        self._descriptors.update(batch)
        self._values.update(values)

    def names(self) -> tuple[str, ...]:
        """Declared names, in declaration order."""
        return tuple(self._descriptors)

    def describe(self, name: str) -> ParameterDescriptor:
        """The descriptor of ``name``."""
        return self._descriptors[self._known(name)]

    def get(self, name: str) -> object:
        """The value of ``name``; InvalidParameterError if it was never declared."""
        return self._values[self._known(name)]

    def _known(self, name: str) -> str:
        if name not in self._descriptors:
            raise InvalidParameterError(
                f"{self.owner}: parameter '{name}' is not declared; "
                f"declared: {', '.join(self._descriptors) or 'none'}"
            )
        return name

    def add_on_set_callback(self, callback: SetParametersCallback) -> None:
        """Ask ``callback`` about every batch before it is applied (in registration order)."""
        self._callbacks.append(callback)

    def remove_on_set_callback(self, callback: SetParametersCallback) -> None:
        """Stop asking ``callback``."""
        self._callbacks.remove(callback)

    def set(self, values: Mapping[str, object]) -> None:
        """Set all of ``values`` or none: validate, ask the callbacks, then apply."""
        batch = []
        for name, value in values.items():
            descriptor = self.describe(name)
            if descriptor.read_only:
                raise InvalidParameterError(
                    f"{self.owner}: parameter '{name}' is read-only; it can only be given as an "
                    "override when the node is created"
                )
            batch.append(Parameter(name, descriptor.validate(value, self.owner)))
        for callback in self._callbacks:
            verdict = callback(batch)
            if not verdict.successful:
                changes = ", ".join(f"{p.name}={p.value!r}" for p in batch)
                raise ParameterRejectedError(
                    f"{self.owner}: setting {changes} was rejected: {verdict.reason}"
                )
        self._values.update((p.name, p.value) for p in batch)
