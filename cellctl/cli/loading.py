"""Loading cells and recipes for a command, turning every error into usage-error output."""

from __future__ import annotations

import sys
from pathlib import Path

from cellctl.config import CellDescription, ConfigError, load_cell
from cellctl.motion.urdf import URDFError
from cellctl.recipe import Recipe, load_recipe
from cellctl.recipe.validate import Validation, validate


class UsageError(Exception):
    """Bad command-line input, cell or recipe: exit code 2. ``lines`` go to stderr as they are."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load(recipe_path: str | Path, cell_path: str | Path | None) -> tuple[Recipe, CellDescription]:
    """Read both files; raise UsageError with one FILE:LINE:COL line per problem."""
    try:
        cell = load_cell(cell_path)
        recipe = load_recipe(recipe_path)
    except (ConfigError, URDFError) as exc:
        raise UsageError([str(exc)]) from None
    return recipe, cell


def checked(recipe: Recipe, cell: CellDescription) -> Validation:
    """Static validation; UsageError listing every problem when the recipe is not valid."""
    result = validate(recipe, cell)
    if not result.ok:
        raise UsageError([str(p) for p in result.problems])
    return result


def print_problems(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)
