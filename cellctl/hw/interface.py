"""The abstract hardware-interface contract: a system (clock + connection) exposing arms.

Lifecycle: the one state machine of the runtime (:class:`cellctl.rt.lifecycle.LifecycleStateMachine`,
rcl_lifecycle's), so a system and the supervisor node that drives it name and move through the
same states: ``unconfigured --configure--> inactive --activate--> active --deactivate--> inactive
--cleanup--> unconfigured``; ``shutdown`` reaches ``finalized`` from any primary state. A hook
that raises passes through ``errorprocessing`` (``on_error``) back to ``unconfigured``; if
``on_error`` itself raises, the system is ``finalized``.

Timing rules every backend keeps (the supervisor relies on them):

* ``configure`` may block on I/O (connect, handshake) but returns or raises within
  ``timeout`` seconds (backend default ≤ 5 s).
* ``activate`` / ``deactivate`` return within 1 s; ``deactivate`` stops motion first.
* ``cleanup`` / ``shutdown`` never raise because the link is gone; they are bounded too.
* ``ArmInterface.read()`` and ``submit()`` never wait for the hardware: ``read`` returns the
  latest known state, ``submit`` queues (or refuses at once).
* ``stop()`` and ``reset()`` return once the hardware acknowledged, or raise ``LinkLost``
  within 1 s.
* ``tool_command()`` returns a handle at once; waiting is the caller's choice.
"""

from __future__ import annotations

import abc
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from cellctl.hw.errors import HardwareError
from cellctl.hw.tools import BackOutCommand, GripperCommand, ScrewProgram, ToolHandle
from cellctl.hw.types import ArmState, StopKind
from cellctl.rt.errors import IllegalTransitionError
from cellctl.rt.lifecycle import CallbackReturn, LifecycleStateMachine, State

if TYPE_CHECKING:
    from cellctl.config.model import CameraSpec

__all__ = ["HardwareSystem", "ArmInterface", "validate_setpoints", "stop_confirmed", "ToolCommand"]

ToolCommand = GripperCommand | ScrewProgram | BackOutCommand


def validate_setpoints(times: np.ndarray, positions: np.ndarray, dof: int) -> tuple[np.ndarray, np.ndarray]:
    """Check and normalise time-stamped setpoints; return float64 copies shaped (N,) and (N, dof).

    A single setpoint may be given as ``positions`` of shape (dof,).

    Raises:
        ValueError: naming the offending index and value (shape, finiteness, strictly increasing time).
    """
    t = np.atleast_1d(np.asarray(times, dtype=np.float64))
    q = np.asarray(positions, dtype=np.float64)
    if q.ndim == 1:
        q = q.reshape(1, -1)
    if t.ndim != 1 or t.shape[0] == 0:
        raise ValueError(f"times must be a non-empty 1-D array, got shape {np.shape(times)}")
    if q.shape != (t.shape[0], dof):
        raise ValueError(
            f"positions must have shape ({t.shape[0]}, {dof}) to match times and the arm's {dof} "
            f"joints, got {q.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise ValueError(f"times[{bad[0]}]={float(t[bad[0]])!r} is not finite")
    bad_rows = np.flatnonzero(~np.isfinite(q).all(axis=1))
    if bad_rows.size:
        i = int(bad_rows[0])
        j = int(np.flatnonzero(~np.isfinite(q[i]))[0])
        raise ValueError(f"positions[{i}, {j}]={float(q[i, j])!r} (joint {j}) is not finite")
    steps = np.flatnonzero(np.diff(t) <= 0)
    if steps.size:
        i = int(steps[0])
        raise ValueError(
            f"times must increase strictly: times[{i}]={float(t[i])!r} then times[{i + 1}]={float(t[i + 1])!r}"
        )
    return t.copy(), q.copy()


class ArmInterface(abc.ABC):
    """One arm of a :class:`HardwareSystem`: state, setpoints, stops and tools."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The arm's name in the cell description."""

    @property
    @abc.abstractmethod
    def dof(self) -> int:
        """Number of joints."""

    def commanded(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The commanded joint positions (rad) and velocities (rad/s) now, when the backend knows
        them (the simulation does), else ``None``. Recordings write them beside the measured state."""
        return None

    @abc.abstractmethod
    def read(self) -> ArmState:
        """The latest known state (non-blocking)."""

    @property
    def queue_capacity(self) -> int | None:
        """Setpoints the arm's controller can hold queued (None: no limit that matters)."""
        return None

    @abc.abstractmethod
    def submit(self, times: np.ndarray, positions: np.ndarray, *, final: bool = True,
               new_motion: bool = False) -> None:
        """Queue time-stamped joint setpoints, in the arm's trajectory time, ahead of execution.

        Trajectory time τ runs with the system clock scaled by the speed override
        (dτ/dt = o, see :meth:`set_override`); it equals system time while o stays 1.

        Args:
            times: (N,) strictly increasing seconds of trajectory time; the first must lie after
                the last queued setpoint, or, on an empty queue, ahead of τ now
                (``read().path_time_at(now)``) by at least the backend's lead time.
            positions: (N, dof) rad, or (dof,) for a single setpoint.
            final: True when the last setpoint ends the motion (the arm comes to rest there);
                False when more setpoints will follow — running out of them is then a fault.
            new_motion: True for the first setpoints of a motion. If they reach an empty queue
                late, the controller delays the whole motion (see :mod:`cellctl.hw.player`)
                instead of refusing it; setpoints that continue a motion are never moved.

        Raises:
            MotionRefused: the system is not active, the arm is faulted, e-stopped or stopping, or
                the controller's rules refuse the setpoints (late, not after the queue, too fast,
                no room); the message says which.
            ValueError: malformed setpoints (the message names the index and joint).
        """

    @abc.abstractmethod
    def set_override(self, target: float) -> None:
        """Ramp the arm's speed override towards ``target`` (0 pauses on the path, 1 as planned).

        The controller ramps o jerk-limited within the arm's limits and plays its queue in
        trajectory time, so the arm slows down and stops on the planned path; the deceleration
        starts within one servo period. Returns once the controller acknowledged (``LinkLost``
        within 1 s otherwise).
        """

    @abc.abstractmethod
    def stop(self, kind: StopKind = StopKind.CONTROLLED) -> None:
        """Stop the arm: decelerate along the path (CONTROLLED) or halt at once (EMERGENCY).

        Queued setpoints are discarded. Raises ``LinkLost`` if the controller does not confirm.
        """

    @abc.abstractmethod
    def reset(self) -> None:
        """Clear latched faults (and the e-stop latch) so motion is accepted again."""

    @abc.abstractmethod
    def tool_command(self, command: ToolCommand, *, command_id: int | None = None) -> ToolHandle:
        """Start a tool command and return its handle at once.

        Args:
            command: a gripper command or a screw program.
            command_id: de-duplication id; re-sending the same id never repeats the operation
                (a retry after a crash returns the first execution's result). Default: a fresh id.
        """

    def tool_outcome(self, command_id: int) -> ToolHandle | None:
        """Ask what became of tool command ``command_id`` without running anything.

        The handle completes with the command's result, or with status ``NOT_STARTED`` when the
        tool never started it; it fails with ``OutcomeUnknown`` when the tool cannot tell (a
        controller restarted while it ran). None: this backend cannot ask (it de-duplicates
        re-sent ids itself, as the simulation does).
        """
        return None


def stop_confirmed(arm: ArmInterface, kind: StopKind) -> HardwareError | None:
    """Stop ``arm``; None when its stop was confirmed, else why not (a lost link: its controller's
    watchdog stops it)."""
    try:
        arm.stop(kind)
    except HardwareError as exc:
        return exc
    return None


class HardwareSystem(abc.ABC):
    """A set of arms behind one clock and one connection (a PyBullet world; a serial controller).

    Subclasses implement the ``on_*`` hooks; the public transition methods enforce the lifecycle
    and are safe to call from one supervisor thread.
    """

    simulated_clock: bool = False
    """True when :meth:`now` only advances in :meth:`wait_until` (a simulation): the supervisor
    may then compute at leisure; on a real clock it must not hold up its control tick."""

    def __init__(self) -> None:
        self._lifecycle = LifecycleStateMachine()
        self._lifecycle_lock = threading.RLock()

    def capture(self, camera: CameraSpec, serial: str) -> np.ndarray:
        """The camera's RGB image (H, W, 3) uint8 of the unit ``serial``, for placement inspection.

        A real cell reads it from the camera's ``source`` (a file or URL per unit); the simulation
        renders it. Raises :class:`HardwareError` with one line saying what is missing.
        """
        from cellctl.vision.source import ImageError, load_image

        try:
            return load_image(camera, serial)
        except ImageError as exc:
            raise HardwareError(str(exc)) from None

    def tool_serviced(self, arm: str, tool: str, action: str) -> None:
        """The cell serviced an arm's tool (``action``: ``bit_change``, a new screwdriver bit at a
        tool station). A real tool is changed physically, so by default there is nothing to tell;
        the simulation resets its modelled bit wear. Raises :class:`HardwareError` when refused."""

    def stop_arms(self, kind: StopKind) -> dict[str, HardwareError]:
        """Stop every arm (:meth:`ArmInterface.stop`); the arms whose stop was not confirmed, with why.

        The default stops them one after another, which suits arms behind one connection (a
        simulation's stops take effect at once). A system whose arms are on separate controllers
        sends every stop before it waits for any, so one silent controller cannot delay another
        arm's stop.
        """
        outcomes = {name: stop_confirmed(arm, kind) for name, arm in self.arms.items()}
        return {name: error for name, error in outcomes.items() if error is not None}

    @property
    def lifecycle_state(self) -> State:
        """The current lifecycle state (the runtime's :class:`~cellctl.rt.lifecycle.State`)."""
        return self._lifecycle.state

    @property
    def is_active(self) -> bool:
        """True in the ACTIVE state (motion accepted)."""
        return self._lifecycle.state is State.ACTIVE

    @abc.abstractmethod
    def now(self) -> float:
        """The system clock, seconds (simulation time, or the controller's synchronised clock)."""

    @property
    @abc.abstractmethod
    def arms(self) -> Mapping[str, ArmInterface]:
        """The arms by name (readable once configured)."""

    def wait_until(self, t: float) -> None:
        """Let the system clock reach ``t``.

        This is how the supervisor lets time pass, whatever the backend: a simulation steps its
        physics up to ``t`` (as fast as it can, or paced to the wall clock); a real controller's
        clock runs by itself, so the default sleeps until :meth:`now` reaches ``t`` (bounded by
        how far ahead ``t`` was asked for).
        """
        remaining = t - self.now()
        deadline = time.monotonic() + max(0.0, remaining) + 1.0
        while remaining > 0 and time.monotonic() < deadline:
            time.sleep(min(remaining, 0.05))
            remaining = t - self.now()

    def wait_next_cycle(self, period: float) -> None:
        """Let the system clock reach the next whole multiple of ``period`` (a control cycle).

        Cycles so fall on one fixed grid of the backend's clock, whatever ran between them (parts
        settling, a tool awaited, a late cycle): a simulation whose step divides the period hits
        every instant exactly, and a real clock neither drifts by each cycle's own work nor
        catches up on missed cycles (a late cycle is followed by the next instant of the grid).
        """
        cycles = math.floor(self.now() / period + 1e-6)  # now = k * period, up to rounding: cycle k
        self.wait_until((cycles + 1) * period)

    def configure(self) -> None:
        """Connect, load and handshake; afterwards states are readable (unconfigured → inactive)."""
        self._transition("configure", self.on_configure)

    def activate(self) -> None:
        """Release brakes and accept motion (inactive → active)."""
        self._transition("activate", self.on_activate)

    def deactivate(self) -> None:
        """Stop motion and refuse new motion (active → inactive)."""
        self._transition("deactivate", self.on_deactivate)

    def cleanup(self) -> None:
        """Disconnect and forget configuration (inactive → unconfigured)."""
        self._transition("cleanup", self.on_cleanup)

    def shutdown(self) -> None:
        """Stop everything and release all resources from any state (→ finalized); idempotent."""
        with self._lifecycle_lock:
            if self._lifecycle.state is State.FINALIZED:
                return
            self._lifecycle.begin("shutdown")
            try:
                self.on_shutdown()
            finally:  # rcl: a failed shutdown is finalized too
                self._lifecycle.finish(CallbackReturn.FAILURE)

    def _transition(self, name: str, hook: Callable[[], None]) -> None:
        with self._lifecycle_lock:
            state = self._lifecycle.state
            try:
                self._lifecycle.begin(name)
            except IllegalTransitionError:
                allowed = ", ".join(self._lifecycle.available_triggers())
                raise HardwareError(
                    f"cannot {name} a system that is {state.name.lower()}; allowed there: {allowed} "
                    "(the transitions go in order: configure, activate, deactivate, cleanup)"
                ) from None
            try:
                hook()
            except BaseException:
                self._lifecycle.finish(CallbackReturn.ERROR)  # → errorprocessing
                try:
                    self.on_error()
                except BaseException:
                    self._lifecycle.finish(CallbackReturn.ERROR)  # → finalized
                else:
                    self._lifecycle.finish(CallbackReturn.SUCCESS)  # → unconfigured
                raise
            self._lifecycle.finish(CallbackReturn.SUCCESS)

    @abc.abstractmethod
    def on_configure(self) -> None:
        """Hook: connect and handshake."""

    @abc.abstractmethod
    def on_activate(self) -> None:
        """Hook: enable the arms."""

    @abc.abstractmethod
    def on_deactivate(self) -> None:
        """Hook: stop and disable the arms."""

    @abc.abstractmethod
    def on_cleanup(self) -> None:
        """Hook: disconnect."""

    @abc.abstractmethod
    def on_shutdown(self) -> None:
        """Hook: release everything; must not raise because the link is already gone."""

    def on_error(self) -> None:
        """Hook: a transition failed; release what it acquired (default: ``on_cleanup``).

        Errors raised here are not propagated over the original one.
        """
        try:
            self.on_cleanup()
        except HardwareError:
            pass
