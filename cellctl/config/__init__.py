"""Cell descriptions (YAML) with errors that point at ``FILE:LINE:COL``.

:func:`load_cell` reads a cell description into a :class:`CellDescription`; the building blocks
(:mod:`~cellctl.config.yaml_nodes`, :mod:`~cellctl.config.schema`) are shared with the
supervisor's recipe loader. See docs/cell_description.md for the format.
"""

from cellctl.config.cell_loader import demo_cell_path, load_cell, parse_cell
from cellctl.config.errors import ConfigError, Mark
from cellctl.config.model import (
    ArmSpec,
    CellDescription,
    HoleSpec,
    LimitsSpec,
    PartSpec,
    ScrewSpec,
    StationSpec,
    ToolSpec,
    ZoneSpec,
)
from cellctl.config.pose import Pose

__all__ = [
    "ArmSpec", "CellDescription", "ConfigError", "HoleSpec", "LimitsSpec", "Mark", "PartSpec", "Pose",
    "ScrewSpec", "StationSpec", "ToolSpec", "ZoneSpec", "demo_cell_path", "load_cell", "parse_cell",
]
