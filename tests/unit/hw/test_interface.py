"""The abstract contract: setpoint validation and the lifecycle state machine."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

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
