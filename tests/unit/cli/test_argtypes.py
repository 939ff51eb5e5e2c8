"""Number-in-a-range argument types: accept exactly the range, refuse the rest in one line."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.cli.argtypes import number_in

pytestmark = pytest.mark.unit


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_a_float_is_taken_exactly_when_in_range(value: float) -> None:
    parse = number_in(-2.5, 100.0)
    if -2.5 <= value <= 100.0:
        assert parse(repr(value)) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=r"must be in -2.5 \.\. 100, got"):
            parse(repr(value))


@given(st.integers(-1000, 1000))
def test_a_whole_number_is_taken_in_range_and_a_fraction_never(value: int) -> None:
    parse = number_in(0, 232, whole=True)
    if 0 <= value <= 232:
        assert parse(str(value)) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="must be in 0 .. 232"):
            parse(str(value))
    with pytest.raises(argparse.ArgumentTypeError, match="must be a whole number 0 .. 232"):
        parse(f"{value}.5")


def test_the_note_explains_the_range() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"0 \.\. 1000 \(0 = as fast as it goes\), got 'fast'"):
        number_in(0.0, 1000.0, note="0 = as fast as it goes")("fast")
