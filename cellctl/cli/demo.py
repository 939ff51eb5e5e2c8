"""``cellctl demo``: the built-in demo cell and recipe, in simulation (headless unless --gui).

A phone line: a Panda loader puts the mid-frame and the main board into the nest, a KUKA
screwer drives four M1.4 screws while the loader fetches the cover, the loader clips the
cover on and takes the phone to the OK tray (or the NOK tray). ``--export DIR`` writes the
cell and recipe YAML files to copy and edit; it never overwrites a file that differs from the
demo's (an edited copy) unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from cellctl.cli.execute import execute
from cellctl.cli.loading import UsageError, checked, load
from cellctl.cli.run import add_run_options, options_from
from cellctl.config import demo_cell_path

DEMO_RECIPE = Path(__file__).resolve().parents[1] / "config" / "demo" / "recipe.yaml"


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("demo", help="run the built-in demo cell in simulation", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_options(p)
    p.add_argument("--resume", action="store_true", help="first finish (or clear out) the unit an interruption left")
    p.add_argument("--export", type=Path, default=None, metavar="DIR",
                   help="write the demo cell and recipe YAML files to DIR and exit")
    p.add_argument("--force", action="store_true", help="with --export: overwrite files in DIR that differ from the demo's")
    p.set_defaults(run=run)


def _conflicts(sources: tuple[Path, ...], folder: Path) -> list[str]:
    """One line for each target in ``folder`` that exists and is not a copy of its source."""
    lines = []
    for source in sources:
        target = folder / source.name
        if target.is_dir():
            lines.append(f"{target}: is a folder; move it away or export to another folder")
        elif target.exists() and target.read_bytes() != source.read_bytes():
            lines.append(f"{target}: exists and differs from the demo's (edited?); not overwritten. Export to "
                         "another folder, or add --force to overwrite it")
    return lines


def export(folder: Path, force: bool) -> int:
    """Write the demo's cell and recipe into ``folder``; refuse (nothing written) to overwrite an edited file."""
    sources = (demo_cell_path(), DEMO_RECIPE)
    if folder.exists() and not folder.is_dir():
        raise UsageError([f"--export {folder}: is a file, not a folder; name a folder to write into"])
    conflicts = _conflicts(sources, folder) if folder.is_dir() else []
    if conflicts and (not force or any("is a folder" in line for line in conflicts)):
        raise UsageError(conflicts)
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        target = folder / source.name
        unchanged = target.is_file() and target.read_bytes() == source.read_bytes()
        if not unchanged:
            shutil.copyfile(source, target)
        print(f"{target}{' (unchanged)' if unchanged else ''}")
    print(f"run them with: cellctl run {folder / DEMO_RECIPE.name} --cell {folder / sources[0].name}")
    return 0


def run(args: argparse.Namespace) -> int:
    cell_path = demo_cell_path()
    if args.export is not None:
        return export(args.export, args.force)
    if args.force:
        raise UsageError(["--force only applies to --export DIR (overwrite edited files there)"])
    recipe, cell = load(DEMO_RECIPE, cell_path)
    checked(recipe, cell)
    if args.image is None:
        args.image = Path("cellctl-demo.png")
    return execute(recipe, cell, options_from(args, "cellctl-demo.db"))
