"""A cell of serial controllers (one per arm) as one hardware system on one clock.

Each controller keeps its own clock; the cell runs on the first controller's. Setpoint
times are moved into each controller's clock when submitted, and its states back, by the
difference of the two clocks' synchronised offsets to the host (one number per pair, not two
clock readings taken at slightly different instants, which jitter under load).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from cellctl.config import CellDescription
from cellctl.hw import ArmInterface, ArmState, HardwareError, HardwareSystem, StopKind, ToolHandle
from cellctl.hw.interface import ToolCommand, stop_confirmed
from cellctl.rt.lifecycle import State
from firmware_bridge.backend import SerialSystem


class _RetimedArm(ArmInterface):
    """An arm whose times are translated between the cell clock and its controller's clock."""

    CONTINUES = 0.002
    """A batch whose first knot comes within this of the last knot submitted continues that motion
    (its next batch, or a motion joined to its end)."""

    def __init__(self, inner: ArmInterface, own: SerialSystem, reference: SerialSystem) -> None:
        self._inner, self._own, self._reference = inner, own, reference
        self._chain: tuple[float, float] | None = None  # (last knot submitted, cell clock; offset it got)

    def _offset(self) -> float:
        return self._own.clock_offset() - self._reference.clock_offset()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dof(self) -> int:
        return self._inner.dof

    def read(self) -> ArmState:
        state = self._inner.read()
        offset = self._offset()
        return replace(state, time=state.time - offset, path_time=state.path_time - offset)

    @property
    def queue_capacity(self) -> int | None:
        return self._inner.queue_capacity

    def submit(self, times: np.ndarray, positions: np.ndarray, *, final: bool = True,
               new_motion: bool = False) -> None:
        times = np.asarray(times, dtype=float)
        # Knots that continue what is queued keep the offset the queued ones got: the two clocks'
        # estimates move by milliseconds under load, and a join re-translated with a newer offset
        # could land before the last queued knot (refused, 204) or leave a gap.
        chain = self._chain
        continues = chain is not None and times.size and 0.0 < times[0] - chain[0] <= self.CONTINUES
        offset = chain[1] if continues else self._offset()  # type: ignore[index]
        self._inner.submit(times + offset, positions, final=final, new_motion=new_motion)
        if times.size:
            self._chain = (float(times[-1]), offset)

    def set_override(self, target: float) -> None:
        self._inner.set_override(target)

    def stop(self, kind: StopKind = StopKind.CONTROLLED) -> None:
        self._chain = None  # the queue is dropped: the next motion starts from rest
        self._inner.stop(kind)

    def reset(self) -> None:
        self._inner.reset()

    def tool_command(self, command: ToolCommand, *, command_id: int | None = None) -> ToolHandle:
        return self._inner.tool_command(command, command_id=command_id)

    def tool_outcome(self, command_id: int) -> ToolHandle | None:
        return self._inner.tool_outcome(command_id)


class ControllerSet(HardwareSystem):
    """Several single-arm controllers driven together (see module docstring)."""

    def __init__(self, systems: Mapping[str, SerialSystem]) -> None:
        super().__init__()
        self.systems = dict(systems)
        self._reference = next(iter(self.systems.values()))
        self._arms = {name: _RetimedArm(system.arm, system, self._reference) for name, system in self.systems.items()}

    def now(self) -> float:
        return self._reference.now()

    @property
    def arms(self) -> Mapping[str, ArmInterface]:
        return self._arms

    def stop_arms(self, kind: StopKind) -> dict[str, HardwareError]:
        """Every controller's stop at once: each arm's confirmation is awaited on its own thread."""
        outcomes: dict[str, HardwareError | None] = {}

        def stop(name: str, arm: ArmInterface) -> None:
            outcomes[name] = stop_confirmed(arm, kind)

        threads = [threading.Thread(target=stop, args=item, name=f"cellctl-stop {item[0]}", daemon=True)
                   for item in self._arms.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()  # each stop is bounded by its controller's command timeout
        return {name: error for name in self._arms if (error := outcomes[name]) is not None}  # in arm order

    def _each(self, transition: str) -> None:
        for system in self.systems.values():
            getattr(system, transition)()

    def on_configure(self) -> None:
        self._each("configure")

    def on_activate(self) -> None:
        self._each("activate")

    def on_deactivate(self) -> None:
        self._each("deactivate")

    def on_cleanup(self) -> None:
        for system in self.systems.values():
            if system.lifecycle_state is not State.UNCONFIGURED:
                system.cleanup()

    def on_shutdown(self) -> None:
        self._each("shutdown")


def parse_controllers(spec: str, cell: CellDescription) -> dict[str, str]:
    """``URL`` (a one-arm cell) or ``ARM=URL,ARM=URL`` (one controller per arm) → {arm: url}."""
    arms = list(cell.arms)
    if "=" not in spec.split("://")[0] and "," not in spec:
        if len(arms) != 1:
            raise ValueError(f"the cell has {len(arms)} arms ({', '.join(arms)}); give one controller per arm: "
                             f"serial:{arms[0]}=URL,{arms[1]}=URL")
        return {arms[0]: spec}
    out = {}
    for item in spec.split(","):
        arm, sep, url = item.partition("=")
        if not sep or arm not in cell.arms:
            raise ValueError(f"serial backend {item!r}: write ARM=URL with ARM one of {', '.join(arms)}")
        out[arm] = url
    missing = [a for a in arms if a not in out]
    if missing:
        raise ValueError(f"no controller given for arm(s) {', '.join(missing)}")
    return out


def serial_cell_system(spec: str, cell: CellDescription) -> HardwareSystem:
    """The cell's arms on serial controllers named by ``spec`` (see :func:`parse_controllers`)."""
    controllers = parse_controllers(spec, cell)
    systems = {arm: SerialSystem(url, arm_name=arm) for arm, url in controllers.items()}
    return systems[next(iter(systems))] if len(systems) == 1 else ControllerSet(systems)
