"""A cell of serial controllers on one clock (``firmware_bridge.cell``): knots are moved into each
controller's clock by the difference of the synchronised offsets, and a motion keeps one offset."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cellctl.hw import StopKind
from cellctl.hw.errors import LinkLost
from firmware_bridge.cell import ControllerSet, _RetimedArm

pytestmark = pytest.mark.unit


class _Offset:
    def __init__(self, value: float) -> None:
        self.value = value

    def clock_offset(self) -> float:
        return self.value


class _Arm:
    """Records what reaches the controller."""

    def __init__(self) -> None:
        self.batches: list[np.ndarray] = []

    def submit(self, times, positions, *, final=True, new_motion=False) -> None:
        self.batches.append(np.asarray(times, dtype=float))

    def stop(self, kind=StopKind.CONTROLLED) -> None:
        pass


def _retimed(own: float) -> tuple[_RetimedArm, _Arm, _Offset]:
    inner, clock = _Arm(), _Offset(own)
    return _RetimedArm(inner, clock, _Offset(0.0)), inner, clock  # type: ignore[arg-type]


def _knots(first: float, n: int = 5) -> np.ndarray:
    return first + 0.001 * np.arange(n)


def test_a_continuing_batch_and_a_joined_motion_keep_the_offset_the_queued_knots_got() -> None:
    arm, inner, clock = _retimed(0.010)
    arm.submit(_knots(1.000), np.zeros((5, 7)))
    clock.value = 0.004  # the estimates moved by 6 ms under load
    arm.submit(_knots(1.005), np.zeros((5, 7)), new_motion=True)  # joined one period after the last knot
    sent = np.concatenate(inner.batches)
    assert np.all(np.diff(sent) > 0), "a joined motion landed before the last queued knot"
    np.testing.assert_allclose(np.diff(sent), 0.001)


def test_a_motion_from_rest_and_one_after_a_stop_take_the_newest_offset() -> None:
    arm, inner, clock = _retimed(0.010)
    arm.submit(_knots(1.000), np.zeros((5, 7)))
    clock.value = 0.004
    arm.submit(_knots(2.000), np.zeros((5, 7)), new_motion=True)  # after the queue ran out
    assert inner.batches[-1][0] == pytest.approx(2.004)
    arm.submit(_knots(2.005), np.zeros((5, 7)))
    clock.value = 0.001
    arm.stop()
    arm.submit(_knots(2.006), np.zeros((5, 7)), new_motion=True)  # the stop dropped the queue
    assert inner.batches[-1][0] == pytest.approx(2.007)


class _Blocking:
    """A stand-in for a SerialSystem whose arm's stop waits for ``release`` (a silent controller)
    or returns at once, setting ``stopped``."""

    def __init__(self, silent: bool) -> None:
        self.release, self.stopped = threading.Event(), threading.Event()
        system = self

        class Arm(_Arm):
            def stop(self, kind=StopKind.CONTROLLED) -> None:
                if silent:
                    system.release.wait(10.0)
                    raise LinkLost("the controller did not confirm the emergency stop")
                system.stopped.set()

        self.arm = Arm()

    def clock_offset(self) -> float:
        return 0.0


def test_a_silent_controller_does_not_hold_up_the_other_arms_stop() -> None:
    silent, alive = _Blocking(silent=True), _Blocking(silent=False)
    cell = ControllerSet({"loader": silent, "screwer": alive})  # type: ignore[dict-item]
    refused: dict = {}
    caller = threading.Thread(target=lambda: refused.update(cell.stop_arms(StopKind.EMERGENCY)))
    caller.start()
    try:
        assert alive.stopped.wait(5.0), "the second arm's stop waited for the first one's confirmation"
        assert caller.is_alive()  # the silent controller's confirmation is still awaited
    finally:
        silent.release.set()
        caller.join(5.0)
    assert list(refused) == ["loader"] and isinstance(refused["loader"], LinkLost)
