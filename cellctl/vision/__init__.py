"""Placement inspection by camera: a pinhole camera model, sub-pixel edges, parts measured in mm.

One piece of code for every backend: the simulation renders the camera's image, a real cell
reads it from a file or URL (:mod:`cellctl.vision.source`); both are measured here. numpy only
(matplotlib for the annotated picture). See docs/quality.md, "Placement inspection".
"""

from cellctl.vision.camera import PinholeCamera
from cellctl.vision.edges import EdgePoint, Line, fit_line, step_edge
from cellctl.vision.judge import Tolerance, Verdict, judge
from cellctl.vision.measure import PartMeasurement, PartTarget, measure_part

__all__ = ["PinholeCamera", "EdgePoint", "Line", "fit_line", "step_edge", "Tolerance", "Verdict", "judge",
           "PartMeasurement", "PartTarget", "measure_part"]
