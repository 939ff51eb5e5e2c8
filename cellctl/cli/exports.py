"""Journal records as rows for ``cellctl report --json/--csv`` (and ``--curves``).

One vocabulary for time in every export: ``started_at``/``ended_at`` are wall-clock times
(ISO 8601, UTC) and exist only where the journal recorded them (units); ``clock_started``/
``clock_ended`` are seconds of the backend's clock (simulation time, or the controllers'
synchronised clock) on every record. Every step and tightening row names its unit's serial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from cellctl.journal import StepRecord, TighteningRecord, UnitRecord

CURVE_COLUMNS = ("serial", "hole", "attempt", "status", "time_s", "torque_nm", "angle_deg")


def wall_time(epoch: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 in UTC (milliseconds), None when absent."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="milliseconds")


def unit_row(unit: UnitRecord) -> dict:
    row = asdict(unit)
    clock_started, clock_ended = row.pop("sim_started"), row.pop("sim_ended")
    row.update(started_at=wall_time(unit.started_at), ended_at=wall_time(unit.ended_at),
               clock_started=clock_started, clock_ended=clock_ended)
    return row


def _clocked(row: dict) -> dict:
    """A step's or tightening's backend-clock times under their export names."""
    row["clock_started"], row["clock_ended"] = row.pop("started_at"), row.pop("ended_at")
    return row


def step_row(step: StepRecord, serial: str) -> dict:
    return {"serial": serial, **_clocked(asdict(step))}


def tightening_row(tightening: TighteningRecord, serial: str) -> dict:
    row = asdict(tightening)
    row.pop("curve")
    return {"serial": serial, **_clocked(row)}


def curve(tightening: TighteningRecord, serial: str) -> dict:
    """One tightening's torque-angle curve as columns (JSON)."""
    time, torque, angle = tightening.curve_arrays()
    return {"serial": serial, "hole": tightening.hole, "attempt": tightening.attempt, "status": tightening.status,
            "time_s": _stored(time), "torque_nm": _stored(torque), "angle_deg": _stored(angle)}


def _stored(values) -> list[float]:  # noqa: ANN001 - a numpy array
    """Curve samples as the journal stores them (32-bit floats: 7 significant digits, no more)."""
    return [float(f"{v:.7g}") for v in values]


def curve_rows(tightening: TighteningRecord, serial: str) -> list[dict]:
    """One tightening's curve as one row per sample (CSV, :data:`CURVE_COLUMNS`)."""
    time, torque, angle = tightening.curve_arrays()
    return [dict(zip(CURVE_COLUMNS, (serial, tightening.hole, tightening.attempt, tightening.status,
                                     f"{t:.7g}", f"{m:.7g}", f"{a:.7g}")))
            for t, m, a in zip(time, torque, angle)]


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut}…"
