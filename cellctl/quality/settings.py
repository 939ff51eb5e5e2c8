"""The recipe's ``quality:`` section: what the charts watch and what an alarm makes the cell do.

::

    quality:
      on_alarm: pause            # warn (status topic and journal only) or pause (end of the unit)
      learn: 20                  # good units whose results set each chart's limits
      rules: [1, 2, 3, 4]        # Western Electric rules in use
      ewma: {lambda: 0.2, width: 2.962}
      curves: {learn: 20, alpha: 0.0005, seat_window: 45}   # or curves: false
      limits:                    # optional: given limits instead of learned ones
        m14_standard: {center: 0.1525, sigma: 0.0019}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellctl.config.errors import ConfigError
from cellctl.config.schema import MapReader, as_map, as_seq, as_number

__all__ = ["QualitySettings", "CurveSettings", "GivenLimits", "read_quality", "REACTIONS"]

REACTIONS = ("warn", "pause")


@dataclass(frozen=True)
class CurveSettings:
    """Curve-shape model: good curves to learn from, false-alarm rate per curve, seating window (°)."""

    learn: int = 20
    alpha: float = 0.0005
    seat_window: float = 45.0


@dataclass(frozen=True)
class GivenLimits:
    """Chart limits written in the recipe for a program (every hole of it)."""

    center: float
    sigma: float


@dataclass(frozen=True)
class QualitySettings:
    """See module docstring."""

    on_alarm: str = "warn"
    learn: int = 20
    rules: tuple[int, ...] = (1, 2, 3, 4)
    ewma_lambda: float = 0.2
    ewma_width: float = 2.962
    curves: CurveSettings | None = field(default_factory=CurveSettings)
    limits: dict[str, GivenLimits] = field(default_factory=dict)


def read_quality(r: MapReader) -> QualitySettings:
    """Read a ``quality:`` mapping (range-checked; unknown keys fail with their line)."""
    on_alarm = r.string("on_alarm", REACTIONS, default="warn")
    learn = r.integer("learn", 5, 10000, default=20)
    rules = _rules(r)
    ewma = r.optional_mapping("ewma")
    lam = ewma.number("lambda", 0.01, 1.0, default=0.2) if ewma else 0.2
    width = ewma.number("width", 1.0, 6.0, default=2.962) if ewma else 2.962
    if ewma:
        ewma.finish()
    curves = _curves(r)
    limits = {}
    given = r.optional_mapping("limits")
    if given is not None:
        for program, node in given.entries():
            m = as_map(node, given.child_path(program))
            limits[program] = GivenLimits(m.number("center", 0.0, 1000.0, "N·m"), m.number("sigma", 1e-9, 1000.0, "N·m"))
            m.finish()
    r.finish()
    return QualitySettings(on_alarm, learn, rules, lam, width, curves, limits)


def _rules(r: MapReader) -> tuple[int, ...]:
    node = r.optional("rules")
    if node is None:
        return (1, 2, 3, 4)
    items = as_seq(node, r.child_path("rules")).items
    rules = tuple(int(as_number(item, r.child_path("rules"), 1, 4, integer=True)) for item in items)
    if len(set(rules)) != len(rules):
        raise ConfigError(node.mark, f"{r.child_path('rules')} lists a rule twice; valid: a list of 1, 2, 3, 4")
    return tuple(sorted(rules))


def _curves(r: MapReader) -> CurveSettings | None:
    node = r.optional("curves")
    if node is None:
        return CurveSettings()
    if getattr(node, "value", None) is False:
        return None
    m = as_map(node, r.child_path("curves"))
    settings = CurveSettings(m.integer("learn", 5, 10000, default=20), m.number("alpha", 1e-6, 0.1, default=0.0005),
                             m.number("seat_window", 5.0, 720.0, "°", default=45.0))
    m.finish()
    return settings
