"""Quality in real time: SPC of final torque per program and hole, curve-shape models, alarms.

See docs/quality.md. numpy only.
"""

from cellctl.quality.alarms import Alarm
from cellctl.quality.chart import IndividualsChart, Limits, Signal
from cellctl.quality.curves import CurveModel, fit_curve_model, resample
from cellctl.quality.ewma import Ewma
from cellctl.quality.monitor import Observation, QualityMonitor
from cellctl.quality.rules import violated
from cellctl.quality.settings import QualitySettings, read_quality

__all__ = ["Alarm", "IndividualsChart", "Limits", "Signal", "CurveModel", "fit_curve_model", "resample", "Ewma",
           "Observation", "QualityMonitor", "violated", "QualitySettings", "read_quality"]
