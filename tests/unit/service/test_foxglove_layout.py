"""The Foxglove layout shipped in docs/ is the one the code writes for the demo's arms."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellctl.config import demo_cell_path, load_cell
from cellctl.service.layout import foxglove_layout

pytestmark = pytest.mark.unit

SHIPPED = Path(__file__).resolve().parents[3] / "docs" / "foxglove-demo-layout.json"


def test_the_shipped_demo_layout_is_the_generated_one() -> None:
    arms = list(load_cell(demo_cell_path()).arms)
    assert SHIPPED.read_text() == foxglove_layout(arms) + "\n", (
        "regenerate: cellctl replay A_DEMO_RECORDING.mcap --layout docs/foxglove-demo-layout.json")
