"""Declared parameters: validation on declare and set, read-only, vetoing callbacks."""

from __future__ import annotations

import math
from typing import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.rt.clock import SimClock
from cellctl.rt.context import Context
from cellctl.rt.errors import InvalidParameterError, ParameterRejectedError
from cellctl.rt.node import Node
from cellctl.rt.parameters import (
    Parameter,
    ParameterDescriptor,
    ParameterStore,
    ParameterType,
    Range,
    SetParametersResult,
)

pytestmark = pytest.mark.unit

SPEED = ParameterDescriptor(
    "max_speed", ParameterType.DOUBLE, 1.0, "joint speed limit in rad/s", range=Range(0.0, 2.0)
)
PORT = ParameterDescriptor("port", ParameterType.STRING, "loop://", "serial URL", read_only=True)
MODE = ParameterDescriptor("mode", ParameterType.STRING, "auto", "operating mode", choices=("auto", "manual"))
RETRIES = ParameterDescriptor("retries", ParameterType.INTEGER, 1, "screw retries", range=Range(0, 3))
JOINTS = ParameterDescriptor(
    "home", ParameterType.DOUBLE_ARRAY, [0.0, 0.0], "home pose in rad", range=Range(-math.pi, math.pi)
)
ALL = (SPEED, PORT, MODE, RETRIES, JOINTS)


def _node(**overrides: object) -> Node:
    return Node(Context(SimClock()), "arm", parameters=ALL, parameter_overrides=overrides)


def test_declared_defaults_are_readable_and_normalised() -> None:
    node = _node()
    assert node.get_parameter("max_speed") == 1.0
    assert node.get_parameter("home") == (0.0, 0.0)
    assert node.parameters.names() == ("max_speed", "port", "mode", "retries", "home")


def test_overrides_are_validated_at_declaration() -> None:
    assert _node(max_speed=2, port="/dev/ttyUSB0").get_parameter("max_speed") == 2.0
    with pytest.raises(InvalidParameterError, match=r"'/arm.max_speed' = 7.5 is out of range.*in \[0.0, 2.0\]"):
        _node(max_speed=7.5)


def test_unknown_override_names_fail_loudly_and_list_the_declared_ones() -> None:
    with pytest.raises(InvalidParameterError, match="unknown parameter.*max_sped.*declared: home, max_speed"):
        _node(max_sped=1.0)


def test_set_error_names_parameter_value_and_what_is_valid() -> None:
    node = _node()
    with pytest.raises(InvalidParameterError) as info:
        node.set_parameters({"retries": 5})
    message = str(info.value)
    assert "'/arm.retries' = 5" in message and "an integer in [0, 3]" in message and "screw retries" in message


def test_wrong_type_is_refused_and_bool_is_not_an_integer() -> None:
    node = _node()
    with pytest.raises(InvalidParameterError, match=r"wrong type \(bool True\); valid: an integer"):
        node.set_parameters({"retries": True})
    with pytest.raises(InvalidParameterError, match="wrong type"):
        node.set_parameters({"max_speed": "fast"})


def test_choices_are_enforced() -> None:
    with pytest.raises(InvalidParameterError, match="not an allowed choice.*one of 'auto', 'manual'"):
        _node().set_parameters({"mode": "turbo"})


def test_read_only_parameter_cannot_be_set_after_creation() -> None:
    with pytest.raises(InvalidParameterError, match="'port' is read-only"):
        _node().set_parameters({"port": "socket://x:1"})


def test_undeclared_parameter_is_refused_with_the_declared_list() -> None:
    with pytest.raises(InvalidParameterError, match="'speed' is not declared; declared: max_speed"):
        _node().get_parameter("speed")


def test_callback_veto_rejects_the_whole_batch() -> None:
    node = _node()

    def only_slow(batch: Sequence[Parameter]) -> SetParametersResult:
        fast = [p for p in batch if p.name == "max_speed" and p.value > 1.5]  # type: ignore[operator]
        return SetParametersResult(not fast, "too fast while the door is open" if fast else "")

    node.add_on_set_parameters_callback(only_slow)
    with pytest.raises(ParameterRejectedError, match="retries=2, max_speed=1.8 was rejected: too fast"):
        node.set_parameters({"retries": 2, "max_speed": 1.8})
    assert node.get_parameter("retries") == 1  # nothing applied
    node.set_parameters({"retries": 2, "max_speed": 1.2})
    assert (node.get_parameter("retries"), node.get_parameter("max_speed")) == (2, 1.2)


def test_invalid_batch_changes_nothing() -> None:
    node = _node()
    with pytest.raises(InvalidParameterError):
        node.set_parameters({"retries": 2, "max_speed": -1.0})
    assert node.get_parameter("retries") == 1


def test_descriptor_checks_its_own_default_and_needs_a_description() -> None:
    with pytest.raises(InvalidParameterError, match="'max_speed' = 3.0 is out of range"):
        ParameterDescriptor("max_speed", ParameterType.DOUBLE, 3.0, "speed", range=Range(0.0, 2.0))
    with pytest.raises(ValueError, match="needs a description"):
        ParameterDescriptor("x", ParameterType.BOOL, False, "")
    with pytest.raises(ValueError, match="range needs a numeric type"):
        ParameterDescriptor("x", ParameterType.STRING, "", "x", range=Range(0, 1))


def test_declaring_twice_fails() -> None:
    store = ParameterStore("/n")
    store.declare([SPEED])
    with pytest.raises(InvalidParameterError, match="declared twice: max_speed"):
        store.declare([SPEED])


@given(st.integers(-10, 10), st.integers(-10, 10), st.integers(-20, 20))
def test_integer_validation_agrees_with_the_range(low: int, high: int, value: int) -> None:
    if low > high:
        low, high = high, low
    descriptor = ParameterDescriptor("n", ParameterType.INTEGER, low, "n", range=Range(low, high))
    if low <= value <= high:
        assert descriptor.validate(value, "/t") == value
    else:
        with pytest.raises(InvalidParameterError, match=f"'/t.n' = {value} is out of range"):
            descriptor.validate(value, "/t")


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 0.25]))
def test_float_validation_agrees_with_range_and_step(value: float, step: float) -> None:
    descriptor = ParameterDescriptor("x", ParameterType.DOUBLE, 0.0, "x", range=Range(0.0, 1.0, step))
    in_range = 0.0 <= value <= 1.0  # False for NaN
    valid = in_range and (step == 0 or math.isclose(value / step, round(value / step), abs_tol=1e-9))
    if valid:
        assert descriptor.validate(value, "/t") == value
    else:
        with pytest.raises(InvalidParameterError):
            descriptor.validate(value, "/t")


@given(st.lists(st.one_of(st.floats(-4.0, 4.0), st.text(max_size=2), st.booleans()), max_size=4))
def test_array_elements_are_each_checked(values: list[object]) -> None:
    valid = all(
        isinstance(v, float) and not isinstance(v, bool) and -math.pi <= v <= math.pi for v in values
    )
    if valid:
        assert JOINTS.validate(values, "/t") == tuple(values)
    else:
        with pytest.raises(InvalidParameterError, match="'/t.home'"):
            JOINTS.validate(values, "/t")
