"""Argument parsing and dispatch for the ``cellctl`` command.

Exit codes are a contract: 0 all OK, 1 NOK units or aborted, 2 usage/cell/recipe errors,
3 hardware or link fault. User errors print one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from cellctl import __version__
from cellctl.cli import demo

EXIT_OK, EXIT_NOK, EXIT_USAGE, EXIT_FAULT = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cellctl",
        description="Controller for a lights-out robotic assembly cell.",
    )
    parser.add_argument("--version", action="version", version=f"cellctl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cellctl`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except ValueError as exc:
        print(f"cellctl {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"cellctl {args.command}: interrupted", file=sys.stderr)
        return EXIT_NOK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
