"""COBS framing and CRC-32C integrity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge import cobs
from firmware_bridge.crc import CHECK_VALUE, crc32c, crc32c_reference

pytestmark = pytest.mark.unit


def test_crc32c_matches_the_catalogue_check_value():
    assert crc32c(b"123456789") == CHECK_VALUE == 0xE3069283


def test_crc32c_continues_over_pieces():
    assert crc32c(b"56789", crc32c(b"1234")) == CHECK_VALUE


def test_the_reference_crc_matches_the_catalogue_check_value():
    assert crc32c_reference(b"123456789") == CHECK_VALUE


@given(st.binary(max_size=1100), st.integers(0, 2**32 - 1))
def test_the_accelerated_crc_equals_the_reference_a_firmware_author_ports(data: bytes, start: int):
    assert crc32c(data, start) == crc32c_reference(data, start)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"", b"\x01"), (b"\x00", b"\x01\x01"), (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
     (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01")],
)
def test_cobs_encodes_the_reference_vectors(raw, encoded):
    assert cobs.encode(raw) == encoded
    assert cobs.decode(encoded) == raw


@given(st.binary(max_size=1200))
def test_cobs_round_trips_without_zero_bytes(data):
    encoded = cobs.encode(data)
    assert 0 not in encoded
    assert len(encoded) <= cobs.max_encoded_length(len(data))
    assert cobs.decode(encoded) == data


@given(st.binary(max_size=600))
def test_cobs_decode_only_raises_cobs_error(data):
    try:
        cobs.decode(data)
    except cobs.CobsError:
        pass
