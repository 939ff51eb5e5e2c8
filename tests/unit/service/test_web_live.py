"""What the operator page is fed: its address option, the steps of a unit with nothing retried,
and the picture LiveState keeps from the cell's messages."""

from __future__ import annotations

import argparse
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.config import demo_cell_path
from cellctl.recipe import load_recipe
from cellctl.service.web import parse_http_address
from cellctl.service.web.live import KEEP_TIGHTENINGS, KEEP_UNITS, LiveState, nominal_steps

pytestmark = pytest.mark.unit

DEMO_RECIPE = demo_cell_path().parent / "recipe.yaml"


@pytest.mark.parametrize(("text", "address"), [("8080", ("127.0.0.1", 8080)), ("0", ("127.0.0.1", 0)),
                                               ("0.0.0.0:80", ("0.0.0.0", 80)), ("[::1]:9000", ("::1", 9000)),
                                               ("panel.local:8080", ("panel.local", 8080))])
def test_http_address_defaults_to_loopback(text: str, address: tuple[str, int]) -> None:
    assert parse_http_address(text) == address


@pytest.mark.parametrize("text", ["http", "70000", "-1", ":80", "host:"])
def test_a_bad_http_address_says_what_is_valid(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"PORT|port|host"):
        parse_http_address(text)


def test_the_demo_unit_runs_sixteen_steps_when_nothing_is_retried() -> None:
    # 4 loader steps to the board, 4 screws and 3 cover steps in parallel, 5 to finish: counted
    # from the journal of an OK demo unit (tests/browser shows "16 of 16" at its end).
    assert nominal_steps(load_recipe(DEMO_RECIPE).root) == 16


def _tightening(unit: str, hole: str, attempt: int = 0, torque: float = 0.15) -> dict:
    return {"stamp": {"sec": 1, "nanosec": 0}, "unit": unit, "hole": hole, "attempt": attempt, "program": "p",
            "status": "OK", "torque": torque, "angle": 3000.0, "torque_min": 0.13, "torque_max": 0.17,
            "angle_min": 2700.0, "angle_max": 3400.0, "failure_class": "", "cell_time": 1.0}


def _step(unit: str, path: str, result: str, arm: str = "screwer") -> dict:
    return {"unit": unit, "path": path, "kind": "screw", "arm": arm, "target": "h1", "attempt": 0,
            "result": result, "detail": "", "cell_time": 1.0}


def test_steps_done_count_the_ended_steps_of_the_unit_in_progress() -> None:
    live = LiveState(planned_steps=16)
    live.apply("status", {"state": "running", "unit": "PH-1"})
    for path in ("0.0", "0.1"):
        live.apply("step", _step("PH-1", path, "RUNNING"))
        live.apply("step", _step("PH-1", path, "OK"))
    live.apply("step", _step("PH-1", "0.2", "RUNNING"))
    live.apply("step", _step("PH-1", "0.2", "HALTED"))  # a pause halts it: not done
    assert live.snapshot()["progress"] == {"unit": "PH-1", "done": 2, "planned": 16}
    live.apply("status", {"state": "running", "unit": "PH-2"})
    live.apply("step", _step("PH-2", "0.0", "RUNNING"))
    assert live.snapshot()["progress"]["done"] == 0
    assert live.snapshot()["steps"]["screwer"]["unit"] == "PH-2"


@given(st.integers(1, 30))
def test_only_the_last_units_and_tightenings_are_kept_each_with_its_curve(count: int) -> None:
    live = LiveState()
    for i in range(count):
        live.apply("unit", {"unit": f"PH-{i}", "recipe": "r", "result": "OK", "reason": "", "cycle_time": 50.0,
                            "cell_time": 1.0})
        live.apply("curve", {"unit": f"PH-{i}", "hole": "h1", "attempt": 0, "status": "OK", "time": [0.0],
                             "torque": [0.1], "angle": [1.0], "cell_time": 1.0})  # the curve may come first
        live.apply("tightening", _tightening(f"PH-{i}", "h1"))
    state = live.snapshot()
    assert [u["unit"] for u in state["units"]] == [f"PH-{i}" for i in range(max(0, count - KEEP_UNITS), count)]
    keys = [t["key"] for t in state["tightenings"]]
    assert keys == [f"PH-{i}/h1/0" for i in range(max(0, count - KEEP_TIGHTENINGS), count)]
    assert [c["key"] for c in live.curves_shown()] == keys
    assert state["version"] == 3 * count


def test_nan_travels_as_null_and_the_stamp_is_dropped() -> None:
    live = LiveState()
    live.apply("tightening", _tightening("PH-1", "h2", torque=math.nan))
    live.apply("curve", {"unit": "PH-1", "hole": "h2", "attempt": 0, "status": "NOK", "time": [0.0, 0.1],
                         "torque": [0.0, math.inf], "angle": [0.0, 1.0], "cell_time": 1.0})
    text = json.dumps(live.snapshot(), allow_nan=False) + json.dumps(live.curves_shown(), allow_nan=False)
    assert "stamp" not in text
    assert live.snapshot()["tightenings"][0]["torque"] is None and live.curves_shown()[0]["torque"] == [0.0, None]


def test_a_fault_shows_until_the_cell_is_reset() -> None:
    live = LiveState()
    live.apply("status", {"state": "running", "unit": "PH-1"})
    live.apply("fault", {"unit": "PH-1", "source": "loader", "code": 3, "name": "following_error",
                         "message": "loader: following error", "action": "check the arm", "cell_time": 1.0})
    live.apply("status", {"state": "running", "unit": "PH-1"})  # the fault is journaled before the state turns
    live.apply("status", {"state": "faulted", "unit": "PH-1"})
    assert live.snapshot()["fault"]["action"] == "check the arm"
    live.apply("status", {"state": "idle", "unit": "PH-1"})  # reset
    assert live.snapshot()["fault"] is None
