"""Resource profiles of a controller: how much it buffers, and the RAM that takes.

A controller announces its receive window and largest accepted payload in HELLO_ACK (with the
queue capacity), and the host honours them; everything else in a profile (transmit window, tool
history, curve length) is the controller's own business. ``standard`` is what the emulator runs by
default; ``small`` fits queue, windows and tool history in 64 KB of RAM (docs/protocol.md
section 11). :func:`ram_budget` computes the table the document gives, from the wire sizes in
``frames.py``; ``python -m firmware_bridge.profiles`` prints it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from firmware_bridge.frames import HEADER, MAX_PAYLOAD, Event, Setpoints, ToolCurve, ToolResultMsg, max_encoded

__all__ = ["ResourceProfile", "PROFILES", "ram_budget", "CURVE_CHUNK"]

CURVE_CHUNK = 16
"""Samples per TOOL_CURVE frame."""
_CRC = 4
_SAMPLE = 8
"""A curve sample: torque i32, angle i32."""
_RESULT_RECORD = 4 + ToolResultMsg.FMT.size
"""A remembered tool result: its command id and the TOOL_RESULT payload."""
_LARGEST_TX = max(Event.FMT.size + 200, ToolCurve.FMT.size + CURVE_CHUNK * _SAMPLE)
"""The largest reliable message a controller sends: an EVENT with 200 bytes of text."""


@dataclass(frozen=True)
class ResourceProfile:
    """What a controller buffers.

    Attributes:
        queue: setpoints the motion queue holds (``queue_capacity`` in HELLO_ACK).
        rx_window: reliable frames it buffers from the host (announced; the host never has more
            unacknowledged).
        tx_window: reliable frames it keeps for retransmission to the host (its own choice, ≤ 32).
        max_payload: largest payload it accepts (announced; the host never sends longer frames).
        tool_history: finished tool command ids whose results it remembers for de-duplication.
        curve_history: of those, how many keep their torque-angle curve to re-send it.
        curve_samples: most curve samples recorded per command (1 kHz; later samples are not kept).
    """

    queue: int
    rx_window: int
    tx_window: int
    max_payload: int
    tool_history: int
    curve_history: int
    curve_samples: int


PROFILES: dict[str, ResourceProfile] = {
    "standard": ResourceProfile(queue=2000, rx_window=32, tx_window=32, max_payload=MAX_PAYLOAD, tool_history=64,
                                curve_history=64, curve_samples=10_000),
    "small": ResourceProfile(queue=1000, rx_window=8, tx_window=8, max_payload=512, tool_history=16,
                             curve_history=1, curve_samples=1500),
}


def ram_budget(profile: ResourceProfile, dof: int = 7) -> list[tuple[str, int, int]]:
    """(item, count, bytes each) of the buffers a controller with ``profile`` needs, for ``dof`` joints."""
    knot = 8 + 4 * dof
    rx_slot = HEADER.size + profile.max_payload + _CRC
    tx_slot = HEADER.size + _LARGEST_TX + _CRC
    return [
        ("setpoint queue (τ i64 + dof × i32)", profile.queue, knot),
        ("receive window slots (header + max_payload + CRC)", profile.rx_window, rx_slot),
        ("receive frame buffer (COBS, max encoded frame)", 1, max_encoded(profile.max_payload)),
        ("transmit window slots (largest message: EVENT)", profile.tx_window, tx_slot),
        ("transmit encode buffer", 1, max_encoded(_LARGEST_TX)),
        ("tool results remembered (id + TOOL_RESULT)", profile.tool_history, _RESULT_RECORD),
        ("torque-angle curves kept (samples × 8 B)", profile.curve_history, profile.curve_samples * _SAMPLE),
    ]


def _print(name: str, dof: int) -> None:
    rows = ram_budget(PROFILES[name], dof)
    print(f"| {name} profile, {dof} joints | count | bytes each | bytes |")
    print("|---|---:|---:|---:|")
    for item, count, size in rows:
        print(f"| {item} | {count} | {size} | {count * size:,} |")
    print(f"| **total** | | | **{sum(c * s for _, c, s in rows):,}** |")
    print(f"\nSETPOINTS per frame: {Setpoints.max_count(dof, PROFILES[name].max_payload)}")


if __name__ == "__main__":
    for profile_name in sys.argv[1:] or list(PROFILES):
        _print(profile_name, 7)
        print()
