"""Choosing a backend by name: ``sim`` or ``serial:URL`` (any pyserial URL)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cellctl.config import CellDescription
from cellctl.hw import HardwareSystem
from cellctl.cli.loading import UsageError

if TYPE_CHECKING:
    from sim.injection import PlacementFaults


def make_backend(spec: str, cell: CellDescription, *, seed: int, gui: bool, realtime: bool,
                 failures: Mapping[str, str], state_file: Path | None,
                 drift: Mapping[str, float] | None = None) -> tuple[HardwareSystem, Callable[[], None] | None]:
    """The hardware system and its material flow (next kit between units) for ``--backend``."""
    if spec == "sim":
        if gui:
            check_display()
        from sim import SimSystem
        from sim.injection import FailureKind, FailurePlan, ProcessDrift

        placement, failures = placement_faults(failures, cell)
        unknown = [hole for hole in failures if hole not in cell.holes]
        if unknown:
            raise UsageError([f"--inject: hole {', '.join(map(repr, unknown))} is not in the cell; "
                              f"valid: {', '.join(cell.holes)}"])
        try:
            plan = FailurePlan(holes=dict(failures))
        except ValueError as exc:
            raise UsageError([f"--inject: {exc}; valid: {', '.join(k.value for k in FailureKind)}"]) from None
        system = SimSystem(cell, seed=seed, gui=gui, realtime=realtime, failures=plan, state_file=state_file,
                           drift=ProcessDrift(**(drift or {})), placement=placement)
        return system, system.next_kit
    if spec.startswith("serial:"):
        if drift:
            raise UsageError(["--drift works with the simulation only (a real process drifts by itself)"])
        if failures:
            raise UsageError(["--inject works with the simulation only (the serial backend talks to real tools)"])
        return _serial(spec, cell), None
    raise UsageError([f"--backend {spec!r} is not valid; valid: sim, serial:URL (e.g. serial:/dev/ttyACM0, "
                      "serial:socket://127.0.0.1:5000, or serial:loader=URL,screwer=URL)"])


def _serial(spec: str, cell: CellDescription) -> HardwareSystem:
    """The serial backend of ``serial:URL`` or ``serial:ARM=URL,...``; UsageError for a malformed spec."""
    from firmware_bridge.cell import parse_controllers, serial_cell_system

    controllers = spec[len("serial:"):]
    try:
        empty = [arm for arm, url in parse_controllers(controllers, cell).items() if not url.strip()]
        if empty:
            raise ValueError(f"no URL for arm {', '.join(empty)}; give a device path or a pyserial URL, "
                             "e.g. /dev/ttyACM0 or socket://127.0.0.1:5000")
        return serial_cell_system(controllers, cell)
    except ValueError as exc:
        raise UsageError([f"--backend {spec}: {exc}"]) from None


def check_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> None:
    """Refuse ``--gui`` on Linux without a display, before PyBullet tries (and prints X11 noise).

    Raises:
        UsageError: one line saying what is missing and what to do.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith("linux") and not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        raise UsageError(["--gui: there is no display to open the simulation window on (DISPLAY and "
                          "WAYLAND_DISPLAY are not set); run without --gui (headless), or from a desktop "
                          "session or 'ssh -X'"])


def parse_injections(text: str | None) -> dict[str, str]:
    """``h2=cross_thread,h3=stripped,shift:main_board=0.8mm,missing:cover`` → {hole or kind:part: value}."""
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        if item.strip().startswith("missing:"):
            out[item.strip()] = "missing"
            continue
        hole, sep, kind = item.partition("=")
        if not sep or not hole or not kind:
            raise UsageError([f"--inject {text!r}: write HOLE=FAILURE, shift:PART=DISTANCEmm[@ANGLE] or missing:PART, "
                              "comma-separated, e.g. h2=cross_thread,shift:main_board=0.8mm"])
        out[hole.strip()] = kind.strip()
    return out


def placement_faults(injections: Mapping[str, str], cell: CellDescription) -> tuple[PlacementFaults, dict[str, str]]:
    """The ``shift:PART=Dmm[@ANGLE]`` and ``missing:PART`` injections as :class:`sim.injection.PlacementFaults`
    (a shift of D mm towards ANGLE degrees from the world's x axis, default 0), and the other injections."""
    import math

    from sim.injection import PlacementFaults

    shifts, missing, rest = {}, set(), {}
    for key, value in injections.items():
        kind, sep, part = key.partition(":")
        if not sep:
            rest[key] = value
            continue
        if kind not in ("shift", "missing") or part not in cell.parts:
            raise UsageError([f"--inject {key}: write shift:PART=DISTANCEmm[@ANGLE] or missing:PART with PART one "
                              f"of {', '.join(cell.parts)}"])
        if kind == "missing":
            missing.add(part)
            continue
        distance, _, angle = value.partition("@")
        try:
            mm, degrees = float(distance.removesuffix("mm")), float(angle.removesuffix("deg") or 0.0)
        except ValueError:
            mm = degrees = math.nan
        if not distance.endswith("mm") or not (0.0 <= mm <= 50.0) or not math.isfinite(degrees):
            raise UsageError([f"--inject {key}={value}: write shift:{part}=DISTANCEmm[@ANGLE], DISTANCE in 0 .. 50, "
                              "ANGLE in degrees from the world's x axis, e.g. shift:main_board=0.8mm@90"])
        shifts[part] = (mm / 1000.0 * math.cos(math.radians(degrees)), mm / 1000.0 * math.sin(math.radians(degrees)))
    return PlacementFaults(shifts, frozenset(missing)), rest


DRIFT_KINDS = ("torque", "angle")


def parse_drift(text: str | None) -> dict[str, float]:
    """``torque=+0.5%/unit[,angle=-0.2%/unit]`` → {"torque": 0.005, "angle": -0.002}: shares per unit of
    the target torque and of the seat angle (see :class:`sim.injection.ProcessDrift`)."""
    if not text:
        return {}
    out: dict[str, float] = {}
    for item in text.split(","):
        kind, sep, rate = (part.strip() for part in item.partition("="))
        value = rate.removesuffix("/unit").strip()
        number = value.removesuffix("%")
        try:
            share = float(number) / 100.0 if sep and value.endswith("%") and kind in DRIFT_KINDS else None
        except ValueError:
            share = None
        if share is None or not -0.5 <= share <= 0.5:
            raise UsageError([f"--drift {text!r}: write KIND=RATE%/unit with KIND one of {', '.join(DRIFT_KINDS)} "
                              "and RATE a percentage per unit in -50 .. 50, e.g. torque=+0.5%/unit"])
        out[kind] = share
    return out
