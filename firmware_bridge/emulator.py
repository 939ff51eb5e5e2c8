"""Controller emulator: plays a robot controller on a pseudo-terminal and/or a TCP port.

Run it as its own process::

    python -m firmware_bridge.emulator --link /tmp/cellctl-arm --tcp 0

It prints one line ``cellctl-emulator ready pty=… link=… tcp=127.0.0.1:PORT …`` once it accepts
connections, and runs until SIGINT/SIGTERM. The whole protocol of docs/protocol.md is implemented:
handshake and session resume, reliable sequenced commands, clock sync, streamed setpoints that the
joints follow in the emulator's own clock, gripper and screwdriver models, watchdog, e-stop.
``serve()`` and ``main()`` are the entry points the ``cellctl emulator`` command calls.
"""

from __future__ import annotations

import argparse
import json
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TextIO

from firmware_bridge.arm_model import ArmLimits
from firmware_bridge.controller import Controller, ControllerConfig
from firmware_bridge.faults import FaultInjector, FaultSpec
from firmware_bridge.frames import FrameDecoder, encode_frame
from firmware_bridge.profiles import PROFILES
from firmware_bridge.tool_memory import ToolMemory
from firmware_bridge.tool_model import ToolParams
from firmware_bridge.transports import PtyTransport, TcpTransport, Transport

__all__ = ["Emulator", "serve", "main", "build_parser", "LEASE_MS_RANGE"]

LEASE_MS_RANGE = (10, 60_000)
"""The watchdog leases (ms) the emulator accepts."""
TICK_S = 0.001
STALL_S = 0.02
"""A loop that wakes this much later than it asked to was not run by the OS (see Emulator.run)."""


class _Port:
    """One transport with its decoder and optional fault injectors."""

    def __init__(self, transport: Transport, faults: FaultSpec | None, index: int, max_payload: int) -> None:
        self.transport = transport
        self.decoder = FrameDecoder(max_payload)
        active = faults is not None and faults.active
        self.rx = FaultInjector(faults, 2 * index) if active and faults else None
        self.tx = FaultInjector(faults, 2 * index + 1) if active and faults else None
        self.down_until: float | None = None

    def receive(self, now: float) -> bytes:
        data = self.transport.read()
        if self.rx is None:
            return data
        self.rx.push(data, now)
        return self.rx.pop(now)

    def send(self, data: bytes, now: float) -> None:
        if self.tx is not None:
            self.tx.push(data, now)
            data = self.tx.pop(now)
        if data:
            self.transport.write(data)

    def flush_delayed(self, now: float) -> bytes:
        if self.tx is not None:
            delayed = self.tx.pop(now)
            if delayed:
                self.transport.write(delayed)
        return self.rx.pop(now) if self.rx is not None else b""

    def maybe_disconnect(self, now: float, dt: float) -> None:
        injector = self.tx
        if self.down_until is not None:
            if now >= self.down_until:
                self.down_until = None
                self.transport.reconnect()
            return
        if injector is not None and injector.disconnect_due(dt):
            self.transport.disconnect()
            self.decoder.reset()
            injector.clear()
            self.down_until = now + injector.spec.disconnect_ms / 1000.0


class Emulator:
    """An emulated controller bound to transports; run it with :meth:`run` or :meth:`start`."""

    def __init__(self, config: ControllerConfig, *, link: str | None = None, pty: bool = True,
                 tcp: int | None = None, faults: FaultSpec | None = None,
                 journal: TextIO | None = None, nvm: str | None = None) -> None:
        self.config = config
        self._journal_file = journal
        memory = ToolMemory(nvm or (f"{link}.nvm.json" if link else None))
        self.controller = Controller(config, journal=self._write_journal if journal else None, memory=memory)
        self._boot_ns = time.monotonic_ns()
        self.pty = PtyTransport(link) if (pty or link) else None
        try:
            self.tcp = TcpTransport(tcp) if tcp is not None else None
        except OSError:
            if self.pty is not None:
                self.pty.close()
            raise
        transports = [t for t in (self.pty, self.tcp) if t is not None]
        if not transports:
            raise ValueError("the emulator needs a pseudo-terminal, a TCP port or both")
        self._ports = [_Port(t, faults, i, config.profile.max_payload) for i, t in enumerate(transports)]
        self._active: _Port | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ info
    @property
    def pty_path(self) -> str | None:
        """The pseudo-terminal's slave path (changes after a simulated disconnect; use the link)."""
        return self.pty.path if self.pty else None

    @property
    def tcp_port(self) -> int | None:
        """The TCP port actually bound (useful with ``tcp=0``)."""
        return self.tcp.port if self.tcp else None

    def ready_line(self) -> str:
        """The line printed when the emulator accepts connections (parsed by tests and the CLI)."""
        parts = ["cellctl-emulator ready"]
        if self.pty:
            parts.append(f"pty={self.pty.path}")
            if self.pty.link:
                parts.append(f"link={self.pty.link}")
        if self.tcp:
            parts.append(f"tcp=127.0.0.1:{self.tcp.port}")
        cfg = self.config
        parts += [f"dof={cfg.limits.dof}", f"lease_ms={cfg.lease_ms}", f"config_hash=0x{cfg.config_hash:08x}",
                  f"queue={cfg.limits.queue_capacity}", f"rx_window={cfg.profile.rx_window}",
                  f"max_payload={cfg.profile.max_payload}"]
        return " ".join(parts)

    def now_us(self) -> int:
        """Controller time: microseconds since this emulator booted."""
        return (time.monotonic_ns() - self._boot_ns) // 1000

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        """Run the loop on a background thread (in-process use)."""
        self._thread = threading.Thread(target=self.run, name="cellctl-emulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the loop and release transports (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.close()

    def close(self) -> None:
        """Release transports."""
        for port in self._ports:
            port.transport.close()

    def run(self) -> None:
        """Run until :meth:`stop` (or a signal in :func:`serve`).

        The emulator is an ordinary process: a busy machine may not run it for a while, which
        a controller's servo loop never suffers. When the loop wakes more than ``STALL_S`` later
        than it asked to, the time it lost is discounted (:meth:`Controller.discount_stall`):
        the motion and the watchdog stand still for it, so the host is judged as it would be
        by a real controller. Stalls are counted and journaled."""
        next_tick = last = time.monotonic()
        while not self._stop.is_set():
            timeout = max(0.0, next_tick - last)
            readable = self._wait(timeout)
            now = time.monotonic()
            overslept = now - last - timeout
            if overslept > STALL_S:
                self.controller.discount_stall(int(overslept * 1e6), self.now_us())
            self._receive(readable, now)
            now = time.monotonic()
            if now >= next_tick:
                self._tick(now)
                next_tick = max(next_tick + TICK_S, now)
            last = time.monotonic()

    def _wait(self, timeout: float) -> tuple[list[int], dict[int, _Port], dict[int, _Port]]:
        """Wait up to ``timeout`` for input: (readable fds, data fds, auxiliary fds such as a
        listening socket)."""
        fds: dict[int, _Port] = {}
        aux: dict[int, _Port] = {}
        for port in self._ports:
            if port.transport.fileno() >= 0:
                fds[port.transport.fileno()] = port
            for fd in port.transport.extra_fds():
                aux[fd] = port
        readable, _, _ = select.select(list(fds) + list(aux), [], [], timeout)
        return readable, fds, aux

    def _receive(self, ready: tuple[list[int], dict[int, _Port], dict[int, _Port]], now: float) -> None:
        readable, fds, aux = ready
        for fd in readable:
            if fd in aux and aux[fd].transport.accept_ready(fd):
                continue
            port = fds.get(fd)
            if port is not None:
                self._deliver(port, port.receive(now))

    def _deliver(self, port: _Port, data: bytes) -> None:
        if not data:
            return
        now_us = self.now_us()
        for frame in port.decoder.feed(data):
            self._active = port
            self.controller.on_frame(frame, now_us)

    def _tick(self, now: float) -> None:
        for port in self._ports:
            port.maybe_disconnect(now, TICK_S)
            self._deliver(port, port.flush_delayed(now))
        frames = self.controller.tick(self.now_us())
        if frames and self._active is not None:
            self._active.send(b"".join(encode_frame(f) for f in frames), now)

    def journal_stats(self) -> None:
        """Write the link counters (frames decoded, damaged, duplicates, retransmissions) to the journal."""
        link = self.controller.link.stats
        decoders: dict[str, int] = {}
        for port in self._ports:
            for key, value in port.decoder.counters.items():
                decoders[key] = decoders.get(key, 0) + value
        self._write_journal({"k": "stats", **decoders, **self.controller.counters, "sent": link.sent,
                             "retransmits": link.retransmits, "duplicates": link.duplicates,
                             "beyond_window": link.beyond_window, "stale_epoch": link.stale_epoch})

    def _write_journal(self, record: dict[str, Any]) -> None:
        assert self._journal_file is not None
        self._journal_file.write(json.dumps(record, separators=(",", ":")) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The emulator's command-line interface (shared with ``cellctl emulator``)."""
    parser = argparse.ArgumentParser(
        prog="python -m firmware_bridge.emulator",
        description="Emulate a cellctl robot controller on a pseudo-terminal and/or a TCP port.",
    )
    parser.add_argument("--link", metavar="PATH", help="create a symlink PATH to the pseudo-terminal (stable across reconnects)")
    parser.add_argument("--no-pty", action="store_true", help="do not open a pseudo-terminal (TCP only)")
    parser.add_argument("--tcp", metavar="PORT", type=int, help="also listen on 127.0.0.1:PORT (0 picks a free port)")
    parser.add_argument("--faults", metavar="SPEC", default="", help='inject faults, e.g. "corrupt=0.01,drop=0.005,dup=0.005,seed=3"')
    parser.add_argument("--dof", type=int, default=7, help="number of joints (default 7)")
    parser.add_argument("--lease-ms", type=int, default=1000, help="watchdog lease in ms (default 1000)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="standard",
                        help="buffers the controller has: 'standard' (2000-setpoint queue, 32-frame windows of "
                             "1 KB frames, 64 results with curves) or 'small' (1000, 8 of 512 B, 16 results, one "
                             "curve: within 64 KB of RAM; docs/protocol.md section 11)")
    parser.add_argument("--queue", type=int, default=None, help="setpoint queue capacity (default: the profile's)")
    parser.add_argument("--acceleration", default="8.0", metavar="A[,A...]",
                        help="joint acceleration limits, rad/s² (one for all, or one per joint; default 8): "
                             "bound the override and controlled-stop ramps")
    parser.add_argument("--jerk", default="100.0", metavar="J[,J...]",
                        help="joint jerk limits, rad/s³ (one for all, or one per joint; default 100)")
    parser.add_argument("--part-width", type=float, default=None,
                        help="width of the part the gripper finds, m (0: none; default: where each close expects it)")
    parser.add_argument("--holding", choices=("gripper", "vacuum"), default="gripper",
                        help="the arm's holding tool: a parallel gripper (default) or a suction cup")
    parser.add_argument("--start", default=None, metavar="Q1,Q2,...",
                        help="joint positions at power-on, rad (one per joint; default all 0)")
    parser.add_argument("--open-width", type=float, default=0.02,
                        help="the gripper's opening at power-on, m (default 0.02)")
    parser.add_argument("--seat-angle", type=float, default=720.0,
                        help="rundown angle until a screw seats, degrees (screw length / pitch x 360; default 720)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the process models and session epoch")
    parser.add_argument("--journal", metavar="FILE", help="write executed commands and played setpoints as JSON lines")
    parser.add_argument("--nvm", metavar="FILE",
                        help="the controller's non-volatile memory of tool results (default: LINK.nvm.json "
                             "beside --link; none without a link)")
    return parser


def _config_from(args: argparse.Namespace) -> ControllerConfig:
    profile = PROFILES[args.profile]
    if args.queue is None:
        args.queue = profile.queue
    checks = [("--dof", args.dof, 1, 32), ("--lease-ms", args.lease_ms, *LEASE_MS_RANGE),
              ("--queue", args.queue, 16, 65535),
              ("--seat-angle", args.seat_angle, 1.0, 36000.0)]
    checks.append(("--open-width", args.open_width, 0.0, 0.5))
    if args.part_width is not None:
        checks.append(("--part-width", args.part_width, 0.0, 0.5))
    for flag, value, low, high in checks:
        if not low <= value <= high:
            raise ValueError(f"{flag} {value} is out of range; valid: {low} .. {high}")
    limits = ArmLimits(dof=args.dof, queue_capacity=args.queue,
                       acceleration=_per_joint("--acceleration", args.acceleration, args.dof, 0.01, 1e4),
                       jerk=_per_joint("--jerk", args.jerk, args.dof, 0.1, 1e6))
    tools = ToolParams(part_width=args.part_width, holding=args.holding, open_width=args.open_width,
                       seat_angle=args.seat_angle, seed=args.seed,
                       history=profile.tool_history, curve_history=profile.curve_history,
                       curve_samples=profile.curve_samples)
    start = None if args.start is None else _per_joint("--start", args.start, args.dof, -100.0, 100.0)
    return ControllerConfig(limits=limits, start=start, tools=tools, profile=profile, lease_ms=args.lease_ms,
                            seed=args.seed)


def _per_joint(flag: str, text: str, dof: int, low: float, high: float) -> tuple[float, ...]:
    """``A`` or ``A1,A2,…`` (one per joint) → a value per joint, range-checked."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a number or a comma-separated list of numbers") from None
    if len(values) not in (1, dof):
        raise ValueError(f"{flag} {text!r} has {len(values)} values; give one, or one per joint ({dof})")
    for value in values:
        if not low <= value <= high:
            raise ValueError(f"{flag} {value} is out of range; valid: {low} .. {high}")
    return tuple(values * dof if len(values) == 1 else values)


def serve(config: ControllerConfig, *, link: str | None = None, pty: bool = True, tcp: int | None = None,
          faults: FaultSpec | None = None, journal_path: str | None = None,
          announce: Callable[[str], None] | None = None, nvm: str | None = None) -> int:
    """Run an emulator in the foreground until SIGINT/SIGTERM; return an exit status.

    ``announce`` receives the ready line (default: print it to stdout and flush).
    """
    journal = open(journal_path, "w", buffering=1, encoding="utf-8") if journal_path else None
    try:
        emulator = Emulator(config, link=link, pty=pty, tcp=tcp, faults=faults, journal=journal, nvm=nvm)
        try:
            previous = _install_stop_handlers(emulator)
            (announce or _print_flush)(emulator.ready_line())
            emulator.run()
        finally:
            emulator.close()
            if journal is not None:
                emulator.journal_stats()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    finally:
        if journal is not None:
            journal.close()
    return 0


def _print_flush(line: str) -> None:
    print(line, flush=True)


def _install_stop_handlers(emulator: Emulator) -> dict[int, Any]:
    def handler(signum: int, frame: FrameType | None) -> None:
        emulator._stop.set()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = _config_from(args)
        faults = FaultSpec.parse(args.faults) if args.faults else None
    except ValueError as exc:
        parser.error(str(exc))
    return serve(config, link=args.link, pty=not args.no_pty, tcp=args.tcp, faults=faults,
                 journal_path=args.journal, nvm=args.nvm)


if __name__ == "__main__":
    sys.exit(main())
