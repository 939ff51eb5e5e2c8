"""``cellctl demo``: the built-in demo cell and recipe, in simulation (headless unless --gui).

A phone line: a Panda loader puts the mid-frame and the main board into the nest, a KUKA
screwer drives four M1.4 screws while the loader fetches the cover, the loader clips the
cover on and takes the phone to the OK tray (or the NOK tray). ``--export DIR`` writes the
cell and recipe YAML files to copy and edit.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from cellctl.cli.execute import execute
from cellctl.cli.loading import checked, load
from cellctl.cli.run import add_run_options, options_from
from cellctl.config import demo_cell_path

DEMO_RECIPE = Path(__file__).resolve().parents[1] / "config" / "demo" / "recipe.yaml"


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("demo", help="run the built-in demo cell in simulation", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(p)
    p.add_argument("--export", type=Path, default=None, metavar="DIR",
                   help="write the demo cell and recipe YAML files to DIR and exit")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cell_path = demo_cell_path()
    if args.export is not None:
        args.export.mkdir(parents=True, exist_ok=True)
        for source in (cell_path, DEMO_RECIPE):
            target = args.export / source.name
            shutil.copyfile(source, target)
            print(target)
        print(f"run them with: cellctl run {args.export / DEMO_RECIPE.name} --cell {args.export / cell_path.name}")
        return 0
    recipe, cell = load(DEMO_RECIPE, cell_path)
    checked(recipe, cell)
    if args.image is None:
        args.image = Path("cellctl-demo.png")
    return execute(recipe, cell, options_from(args, "cellctl-demo.db"))
