"""The demo cell's screw program and seat angle, for tests that run the screw process model."""

from cellctl.config import demo_cell_path, load_cell

CELL = load_cell(demo_cell_path())
HOLE = next(iter(CELL.holes.values()))
PROGRAM = HOLE.program
SEAT = CELL.screws[HOLE.screw].seat_angle
