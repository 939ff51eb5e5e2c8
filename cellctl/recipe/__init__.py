"""Recipes: YAML step trees (pick, place, screw, move, wait, inspect, reject; sequence,
parallel, fallback, retry) and their static validation against a cell."""

from cellctl.recipe.loader import load_recipe, parse_recipe
from cellctl.recipe.model import Recipe, Step

__all__ = ["Recipe", "Step", "load_recipe", "parse_recipe"]
