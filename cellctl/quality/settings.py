"""The recipe's ``quality:`` section: what the charts watch and what an alarm makes the cell do.

::

    quality:
      on_alarm: pause            # warn (status topic and journal only), pause (end of the unit), or
                                 # maintain: run the recipe's maintenance branch after the unit
      maintenance: bit_change    # with maintain: which branch of the recipe's maintenance: section
      learn: 25                  # good results per hole that set its chart's limits
      rules: [1, 2, 3, 4, ewma, mr]   # which checks raise alarms
      zone: 5.5                  # rule 1's limit in sigmas (rules 2, 3 and the moving range scale with it)
      run: 18                    # rule 4's run length
      ewma: {lambda: 0.2, width: 4.5}
      curves: {learn: 40, alpha: 1.0e-5, margin: 2.5, seat_window: 45}   # or curves: false
      limits:                    # optional: given limits (a capability study) instead of learned ones
        m14_standard: {center: 0.1527, sigma: 0.0019}

The defaults are set for a lights-out cell with several charts (docs/quality.md): a chart with
the classical settings (zone 3, run 8, EWMA width 2.962) false-alarms once every ~90 points,
which on four holes stops the cell every ~20 units for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellctl.config.errors import ConfigError, Mark
from cellctl.config.schema import MapReader, as_map, as_number, as_seq, as_string

__all__ = ["QualitySettings", "CurveSettings", "GivenLimits", "read_quality", "REACTIONS", "CHECKS"]

REACTIONS = ("warn", "pause", "maintain")
CHECKS = ("1", "2", "3", "4", "ewma", "mr")


@dataclass(frozen=True)
class CurveSettings:
    """Curve-shape model: good curves to learn from, limit quantile and margin, seating window (°)."""

    learn: int = 40
    alpha: float = 1e-5
    margin: float = 2.5
    seat_window: float = 45.0


@dataclass(frozen=True)
class GivenLimits:
    """Chart limits written in the recipe for a program (every hole of it)."""

    center: float
    sigma: float
    mark: Mark | None = field(default=None, compare=False)
    """Where the program's name is written (for the recipe check against the cell)."""


@dataclass(frozen=True)
class QualitySettings:
    """See module docstring."""

    on_alarm: str = "warn"
    learn: int = 25
    checks: tuple[str, ...] = CHECKS
    zone: float = 5.5
    run: int = 18
    ewma_lambda: float = 0.2
    ewma_width: float = 4.5
    curves: CurveSettings | None = field(default_factory=CurveSettings)
    limits: dict[str, GivenLimits] = field(default_factory=dict)
    maintenance: str | None = None
    """The maintenance branch ``on_alarm: maintain`` runs (a name under the recipe's ``maintenance:``)."""
    maintenance_mark: Mark | None = field(default=None, compare=False)
    """Where that name is written (the recipe check that the branch exists points there)."""

    @property
    def rules(self) -> tuple[int, ...]:
        """The Western Electric rules in use."""
        return tuple(int(c) for c in self.checks if c.isdigit())


def read_quality(r: MapReader) -> QualitySettings:
    """Read a ``quality:`` mapping (range-checked; unknown keys fail with their line)."""
    d = QualitySettings()
    on_alarm = r.string("on_alarm", REACTIONS, default=d.on_alarm)
    learn = r.integer("learn", 5, 100000, default=d.learn)
    checks = _checks(r)
    zone = r.number("zone", 2.0, 8.0, "sigma", default=d.zone)
    run = r.integer("run", 6, 30, default=d.run)
    ewma = r.optional_mapping("ewma")
    lam = ewma.number("lambda", 0.01, 1.0, default=d.ewma_lambda) if ewma else d.ewma_lambda
    width = ewma.number("width", 1.0, 8.0, "sigma", default=d.ewma_width) if ewma else d.ewma_width
    if ewma:
        ewma.finish()
    curves = _curves(r)
    limits = {}
    given = r.optional_mapping("limits")
    if given is not None:
        for program, node in given.entries():
            m = as_map(node, given.child_path(program))
            limits[program] = GivenLimits(m.number("center", 0.0, 1000.0, "N·m"), m.number("sigma", 1e-9, 1000.0, "N·m"),
                                          given.key_mark(program))
            m.finish()
    maintenance = r.string("maintenance") if r.has("maintenance") else None
    if (on_alarm == "maintain") != (maintenance is not None):
        where = r.key_mark("maintenance") if maintenance is not None else r.key_mark("on_alarm")
        raise ConfigError(where, f"{r.path}: 'on_alarm: maintain' and 'maintenance: BRANCH' go together (the branch "
                          "of the recipe's maintenance: section the cell runs after an alarm's unit)")
    r.finish()
    return QualitySettings(on_alarm, learn, checks, zone, run, lam, width, curves, limits, maintenance,
                           r.key_mark("maintenance") if maintenance is not None else None)


def _checks(r: MapReader) -> tuple[str, ...]:
    node = r.optional("rules")
    if node is None:
        return CHECKS
    path = r.child_path("rules")
    items = [str(item.value) if hasattr(item, "value") else "" for item in as_seq(node, path).items]
    for item, value in zip(as_seq(node, path).items, items):
        if value not in CHECKS:
            as_string(item, path, CHECKS)  # raises with file:line and the valid choices
            raise ConfigError(item.mark, f"{path}: {value!r} is not a check; valid: {', '.join(CHECKS)}")
    if len(set(items)) != len(items):
        raise ConfigError(node.mark, f"{path} lists a check twice; valid: a list of {', '.join(CHECKS)}")
    return tuple(c for c in CHECKS if c in items)


def _curves(r: MapReader) -> CurveSettings | None:
    node = r.optional("curves")
    if node is None:
        return CurveSettings()
    if getattr(node, "value", None) is False:
        return None
    d = CurveSettings()
    m = as_map(node, r.child_path("curves"))
    settings = CurveSettings(m.integer("learn", 5, 100000, default=d.learn),
                             m.number("alpha", 1e-9, 0.1, default=d.alpha),
                             m.number("margin", 1.0, 100.0, default=d.margin),
                             m.number("seat_window", 5.0, 720.0, "°", default=d.seat_window))
    m.finish()
    return settings
