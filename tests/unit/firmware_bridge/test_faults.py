"""Seeded fault injection: specs parse strictly, faults are reproducible."""

from __future__ import annotations

import pytest

from firmware_bridge.faults import FaultInjector, FaultSpec

pytestmark = pytest.mark.unit


def test_spec_parses_the_documented_example():
    spec = FaultSpec.parse("corrupt=0.01,drop=0.005,dup=0.005,seed=3")
    assert (spec.corrupt, spec.drop, spec.dup, spec.seed) == (0.01, 0.005, 0.005, 3)
    assert spec.active


@pytest.mark.parametrize(("text", "message"), [("bogus=1", "key from"), ("corrupt=x", "not a number"),
                                               ("drop=2", "out of range"), ("corrupt", "key=value")])
def test_bad_specs_fail_loudly(text, message):
    with pytest.raises(ValueError, match=message):
        FaultSpec.parse(text)


def _inject(seed: int) -> tuple[bytes, object]:
    injector = FaultInjector(FaultSpec(corrupt=0.02, drop=0.05, dup=0.05, seed=seed))
    for i in range(500):
        injector.push(bytes(range(1, 40)) + b"\x00", i * 0.001)
    return injector.pop(10.0), injector.counters


def test_same_seed_same_faults_and_counters_match_rates():
    first, counters = _inject(1)
    again, _ = _inject(1)
    other, _ = _inject(2)
    assert first == again != other
    assert counters.frames == 500
    assert 5 < counters.dropped < 50 and 5 < counters.duplicated < 50
    assert 200 < counters.corrupted < 600


def test_delays_hold_frames_back_and_reorder_them():
    injector = FaultInjector(FaultSpec(delay=1.0, delay_ms=50.0, seed=1))
    for i in range(20):
        injector.push(bytes([i + 1, 0]), 0.0)
    assert injector.pop(0.0) == b""
    released = injector.pop(1.0)
    assert sorted(released[::2]) == list(range(1, 21)) and list(released[::2]) != list(range(1, 21))


def test_byte_drops_and_duplicates_change_the_length_by_their_counts():
    spec = FaultSpec.parse("drop_byte=0.01,dup_byte=0.02,seed=5")
    injector = FaultInjector(spec)
    sent = b"".join(bytes(range(1, 200)) + b"\x00" for _ in range(100))
    injector.push(sent, 0.0)
    out, counters = injector.pop(0.0), injector.counters
    assert 100 < counters.bytes_dropped < 300 and 250 < counters.bytes_duplicated < 550
    assert counters.corrupted == 0 and counters.dropped == counters.duplicated == 0
    assert len(out) == len(sent) - counters.bytes_dropped + counters.bytes_duplicated
    assert set(out) <= set(sent)  # no byte changed value, only lost or repeated
