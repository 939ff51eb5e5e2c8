"""``cellctl validate RECIPE --cell CELL``: static checks only; nothing moves."""

from __future__ import annotations

import argparse
from pathlib import Path

from cellctl.cli.loading import checked, load


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("validate", help="check a recipe against a cell without moving anything",
                            description=__doc__)
    p.add_argument("recipe", type=Path, help="recipe YAML")
    p.add_argument("--cell", type=Path, required=True, help="cell description YAML")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    recipe, cell = load(args.recipe, args.cell)
    result = checked(recipe, cell)
    print(f"{args.recipe}: valid for cell {cell.name!r}: {len(recipe.leaves())} steps, {result.motions} motions "
          f"planned, estimated cycle time {result.cycle_time_s:.1f} s")
    for zone, users in sorted(result.zone_steps.items()):
        print(f"  interlock zone {zone!r}: {len(users)} steps take it, one arm at a time")
    return 0
