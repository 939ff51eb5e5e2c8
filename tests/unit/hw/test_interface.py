"""The abstract contract: setpoint validation and the lifecycle state machine."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellctl.hw.errors import HardwareError
from cellctl.hw.interface import ArmInterface, HardwareSystem, validate_setpoints
from cellctl.rt.lifecycle import State as LifecycleState

pytestmark = pytest.mark.unit


def test_validate_setpoints_accepts_one_or_many():
    t, q = validate_setpoints(1.0, [0.0, 1.0], dof=2)
    assert t.shape == (1,) and q.shape == (1, 2)
    t, q = validate_setpoints(np.array([1.0, 2.0]), np.zeros((2, 3)), dof=3)
    assert q.dtype == np.float64


@pytest.mark.parametrize(("times", "positions", "message"), [
    ([1.0, 2.0], np.zeros((2, 3)), r"shape \(2, 2\)"),
    ([1.0, 1.0], np.zeros((2, 2)), r"times\[0\]=1.0 then times\[1\]=1.0"),
    ([1.0, np.nan], np.zeros((2, 2)), r"times\[1\]=nan"),
    ([1.0, 2.0], [[0.0, 0.0], [0.0, np.inf]], r"positions\[1, 1\]=inf \(joint 1\)"),
    ([], np.zeros((0, 2)), "non-empty"),
])
def test_validate_setpoints_names_the_offending_value(times, positions, message):
    with pytest.raises(ValueError, match=message):
        validate_setpoints(np.asarray(times, dtype=float), positions, dof=2)


class _System(HardwareSystem):
    def __init__(self, fail: str = "") -> None:
        super().__init__()
        self.calls: list[str] = []
        self.fail = fail

    def now(self) -> float:
        return 0.0

    @property
    def arms(self) -> Mapping[str, ArmInterface]:
        return {}

    def _hook(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail:
            raise HardwareError(f"{name} failed")

    def on_configure(self) -> None:
        self._hook("configure")

    def on_activate(self) -> None:
        self._hook("activate")

    def on_deactivate(self) -> None:
        self._hook("deactivate")

    def on_cleanup(self) -> None:
        self._hook("cleanup")

    def on_shutdown(self) -> None:
        self._hook("shutdown")


def test_lifecycle_follows_the_ros2_primary_states():
    system = _System()
    system.configure()
    system.activate()
    assert system.is_active
    system.deactivate()
    system.cleanup()
    assert system.lifecycle_state is LifecycleState.UNCONFIGURED
    system.shutdown()
    system.shutdown()
    assert system.lifecycle_state is LifecycleState.FINALIZED
    assert system.calls == ["configure", "activate", "deactivate", "cleanup", "shutdown"]


def test_out_of_order_transition_says_what_is_needed():
    with pytest.raises(HardwareError, match="cannot activate a system that is unconfigured; allowed there: configure, shutdown"):
        _System().activate()


def test_failed_hook_goes_through_error_processing_to_unconfigured():
    system = _System(fail="activate")
    system.configure()
    with pytest.raises(HardwareError, match="activate failed"):
        system.activate()
    assert system.lifecycle_state is LifecycleState.UNCONFIGURED
    assert system.calls[-1] == "cleanup"


def test_a_failing_error_handler_finalizes_the_system_as_rcl_does():
    class _Broken(_System):
        def on_error(self) -> None:
            raise RuntimeError("cleanup after the failure failed too")

    system = _Broken(fail="configure")
    with pytest.raises(HardwareError, match="configure failed"):
        system.configure()
    assert system.lifecycle_state is LifecycleState.FINALIZED
    with pytest.raises(HardwareError, match="cannot configure a system that is finalized"):
        system.configure()


def test_the_system_and_the_supervisor_share_one_lifecycle_state_type():
    from cellctl.rt.lifecycle import LifecycleStateMachine

    system = _System()
    assert type(system.lifecycle_state) is type(LifecycleStateMachine().state)
    system.configure()
    assert system.lifecycle_state.name == "INACTIVE" and int(system.lifecycle_state) == 2  # lifecycle_msgs id


class _SteppedClock(_System):
    """A simulated clock: ``steps / hz``, advanced only by wait_until (rounded to whole steps)."""

    simulated_clock = True

    def __init__(self, hz: float) -> None:
        super().__init__()
        self.hz, self.steps = hz, 0

    def now(self) -> float:
        return self.steps / self.hz

    def wait_until(self, t: float) -> None:
        self.steps = max(self.steps, int(round(t * self.hz)))


@given(hz=st.sampled_from([1000.0, 800.0, 500.0]), extra=st.lists(st.integers(0, 37), min_size=1, max_size=30))
def test_control_cycles_fall_on_one_grid_whatever_ran_between_them(hz: float, extra: list[int]) -> None:
    period = 0.01
    system = _SteppedClock(hz)
    for steps in extra:
        system.steps += steps  # parts settling, a tool awaited: any number of steps between cycles
        before = system.now()
        system.wait_next_cycle(period)
        k = system.now() / period
        assert abs(k - round(k)) < 1e-9  # on the grid
        assert 0 < system.now() - before <= period + 1e-9  # the next instant of it, never one skipped
