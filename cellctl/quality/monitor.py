"""The quality monitor: one chart per (program, hole), one curve model per program, fed every result.

:meth:`QualityMonitor.observe` takes a finished tightening; good results (OK) update the hole's
chart of final torque and are checked against the program's curve model (while either is still
learning, they teach it). Every point is written to the journal (``spc_points``), learned limits
to ``spc_limits`` and alarms to ``quality_alarms``; :meth:`QualityMonitor.restore` rebuilds the
same state from a journal by replaying its points, so the charts survive restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from cellctl.quality.alarms import Alarm, curve_alarm, torque_alarm
from cellctl.quality.chart import IndividualsChart, Limits
from cellctl.quality.curves import CurveModel, fit_curve_model, resample
from cellctl.quality.settings import QualitySettings

__all__ = ["QualityMonitor", "Observation", "QualityStore"]


@dataclass(frozen=True)
class Observation:
    """One finished tightening as the monitor needs it."""

    program: str
    hole: str
    ok: bool
    torque: float
    target: float
    torque_min: float
    torque_max: float
    angle: np.ndarray
    curve_torque: np.ndarray
    unit_id: int | None = None
    tightening_id: int | None = None


class QualityStore(Protocol):
    """Where the monitor keeps its points, limits and alarms (the journal)."""

    def add_spc_point(self, **values: object) -> None: ...
    def set_spc_limits(self, program: str, hole: str, limits: Limits, zone: float = 3.0,
                       ewma: tuple[float, float] = (0.2, 2.962)) -> None: ...
    def add_quality_alarm(self, alarm: Alarm, at: float, reaction: str) -> int: ...


@dataclass
class _CurveLearner:
    vectors: list[np.ndarray] = field(default_factory=list)
    model: CurveModel | None = None


class QualityMonitor:
    """See module docstring."""

    def __init__(self, settings: QualitySettings, store: QualityStore | None = None) -> None:
        self.settings, self.store = settings, store
        self.charts: dict[tuple[str, str], IndividualsChart] = {}
        self.curves: dict[str, _CurveLearner] = {}
        self.windows: dict[str, tuple[float, float]] = {}
        self._limits_written: set[tuple[str, str]] = set()
        self.pending: list[tuple[int, Alarm]] = []
        """Alarms not yet reacted to, with their journal ids."""

    def chart(self, program: str, hole: str) -> IndividualsChart:
        key = (program, hole)
        if key not in self.charts:
            s = self.settings
            chart = IndividualsChart(s.learn, s.rules, s.ewma_lambda, s.ewma_width, s.zone, s.run, "mr" in s.checks,
                                     use_ewma="ewma" in s.checks)
            given = s.limits.get(program)
            if given is not None:
                chart.limits = Limits(given.center, given.sigma, "given", 0)
            self.charts[key] = chart
        return self.charts[key]

    def observe(self, obs: Observation, at: float = 0.0, *, replay: bool = False) -> list[Alarm]:
        """Add a finished tightening; the alarms it raises (journaled unless ``replay``)."""
        if not obs.ok:
            return []
        self.windows[obs.program] = (obs.torque_min, obs.torque_max)
        chart = self.chart(obs.program, obs.hole)
        had_limits = chart.limits is not None
        signal = chart.add(obs.torque)
        alarms: list[Alarm] = []
        key = (obs.program, obs.hole)
        if chart.limits is not None and key not in self._limits_written and self.store is not None and not replay:
            self.store.set_spc_limits(obs.program, obs.hole, chart.limits, chart.zone,  # learned just now, or given
                                      (chart.ewma_lambda, chart.ewma_width))
            self._limits_written.add(key)
        if signal is not None and chart.limits is not None:
            alarms.append(torque_alarm(obs.program, obs.hole, signal, obs.torque, chart.limits, chart.values[-5:],
                                       obs.unit_id, obs.tightening_id))
        model, spe, t2 = self._curve(obs)
        spe_limit = model.limit if model is not None else None
        if model is not None and (spe > model.limit or t2 > model.t2_limit):
            alarms.append(curve_alarm(obs.program, obs.hole, spe, (model.limit, model.t2_limit), t2, obs.torque,
                                      obs.unit_id, obs.tightening_id))
        if self.store is not None and not replay:
            self.store.add_spc_point(
                unit_id=obs.unit_id, tightening_id=obs.tightening_id, program=obs.program, hole=obs.hole,
                value=obs.torque, phase="monitoring" if had_limits else "learning",
                z=chart.limits.zone(obs.torque) if had_limits and chart.limits else None,
                ewma=(signal.ewma if signal is not None else chart.ewma.value) if had_limits else None,
                spe=spe if model else None, spe_limit=spe_limit,
                signal=",".join(a.rule for a in alarms) or None, at=at)
            for alarm in alarms:
                self.pending.append((self.store.add_quality_alarm(alarm, at, self.settings.on_alarm), alarm))
        elif not replay:
            self.pending.extend((0, a) for a in alarms)
        return alarms

    def _curve(self, obs: Observation) -> tuple[CurveModel | None, float, float]:
        """(the program's model, SPE, T²) of the curve; no model while it learns (or curves are off)."""
        cs = self.settings.curves
        if cs is None or obs.angle.size == 0:
            return None, 0.0, 0.0
        learner = self.curves.setdefault(obs.program, _CurveLearner())
        vector = resample(obs.angle, obs.curve_torque, obs.target, cs.seat_window)
        if learner.model is None:
            learner.vectors.append(vector)
            if len(learner.vectors) >= cs.learn:
                learner.model = fit_curve_model(np.array(learner.vectors), alpha=cs.alpha, margin=cs.margin)
            return None, 0.0, 0.0
        return learner.model, *learner.model.scores(vector)

    def restart(self) -> None:
        """Every chart starts its rules, EWMA and moving range afresh (the tool was serviced: a new
        baseline against the same limits)."""
        for chart in self.charts.values():
            chart.restart()

    def take_alarms(self) -> list[tuple[int, Alarm]]:
        """The alarms raised since the last call (for the cell's reaction)."""
        out, self.pending = self.pending, []
        return out

    def state(self) -> list[dict[str, object]]:
        """Each chart's state for reports: limits, points, EWMA, Cp/Cpk, curve model."""
        rows = []
        for (program, hole), chart in sorted(self.charts.items()):
            low, high = self.windows.get(program, (float("nan"), float("nan")))
            cap = chart.capability(low, high)
            model = self.curves.get(program)
            rows.append({
                "program": program, "hole": hole,
                "phase": "monitoring" if chart.limits else f"learning {len(chart.learning)}/{chart.learn}",
                "points": len(chart.learning) + len(chart.values),
                "center": chart.limits.center if chart.limits else None,
                "sigma": chart.limits.sigma if chart.limits else None,
                "source": chart.limits.source if chart.limits else None,
                "last": chart.values[-1] if chart.values else (chart.learning[-1] if chart.learning else None),
                "ewma_sigma": chart.ewma.value if chart.limits else None,
                "cp": cap[0] if cap else None, "cpk": cap[1] if cap else None,
                "curve_model": (f"{model.model.components.shape[0]} PCs of {model.model.n} curves"
                                if model and model.model else "learning" if model else "off"),
            })
        return rows


MAINTAINED = "maintenance_done"
"""The journal event after which the charts restarted (a maintenance branch ran)."""


class _JournalLike(QualityStore, Protocol):
    def events(self) -> list[tuple]: ...
    def spc_points(self) -> list[dict[str, object]]: ...
    def tightenings(self, unit_id: int | None = None) -> list: ...


def restore(settings: QualitySettings, journal: _JournalLike) -> QualityMonitor:
    """A monitor writing to ``journal``, with the state its points left (replayed, no alarms raised)."""
    monitor = QualityMonitor(settings)
    points = journal.spc_points()
    if points:
        by_id = {t.id: t for t in journal.tightenings()}
        maintained = {event[1] for event in journal.events() if event[3] == MAINTAINED}  # units after which
        last_unit = None
        for point in points:
            t = by_id.get(point["tightening_id"])
            if t is None:
                continue
            if last_unit in maintained and t.unit_id != last_unit:  # the charts restarted after that unit
                monitor.restart()
            last_unit = t.unit_id
            _, torque, angle = t.curve_arrays()
            monitor.observe(Observation(t.program, t.hole, True, float(point["value"]), t.target_torque,
                                        t.torque_min, t.torque_max, angle.astype(float), torque.astype(float),
                                        t.unit_id, t.id), replay=True)
    monitor.store = journal
    return monitor


def observation(program: str, hole: str, window: tuple[float, float, float], result: object,
                unit_id: int | None, tightening_id: int | None) -> Observation:
    """An :class:`Observation` from a tool result (``window``: target, min, max torque)."""
    angle = getattr(result, "curve_angle", None)
    torque = getattr(result, "curve_torque", None)
    return Observation(program, hole, bool(getattr(result, "ok", False)), float(getattr(result, "torque", 0.0) or 0.0),
                       *window, np.asarray(angle if angle is not None else [], dtype=float),
                       np.asarray(torque if torque is not None else [], dtype=float), unit_id, tightening_id)
