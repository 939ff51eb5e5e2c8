"""Argument parsing and dispatch for the ``cellctl`` command.

Exit codes are a contract: 0 every unit OK; 1 NOK units or aborted; 2 usage, cell or
recipe errors; 3 hardware or link fault. User errors print clear lines, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from cellctl import __version__
from cellctl.cli import demo, emulator, lifecycle, operate, plot, replay, report, run, serve, sweep, validate
from cellctl.cli.execute import EXIT_NOK, EXIT_USAGE
from cellctl.cli.loading import UsageError, print_problems
from cellctl.cli.terminal import OneLineLog, error

EPILOG = """exit codes: 0 every unit OK, 1 NOK units or aborted, 2 usage/cell/recipe error,
3 hardware or link fault"""


class Parser(argparse.ArgumentParser):
    """An argument parser whose help shows docstrings as plain text (no reST ````literal```` marks).

    Sub-command parsers are made from their parent's class, so every command gets this.
    """

    def format_help(self) -> str:
        return super().format_help().replace("``", "")

    def format_usage(self) -> str:
        return super().format_usage().replace("``", "")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cellctl", description="Controller for a lights-out robotic assembly cell.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"cellctl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (demo, run, sweep, validate, report, plot, emulator, lifecycle, serve, operate, replay):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cellctl`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not logging.getLogger().handlers:  # library warnings as one line each, not tracebacks
        logging.getLogger().addHandler(OneLineLog())
    try:
        return int(args.run(args))
    except KeyboardInterrupt:  # Ctrl-C before a run installs its own handler (loading, validating)
        error(args.command, "interrupted")
        return EXIT_NOK
    except BrokenPipeError:  # the reader went away (``cellctl report ... | head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 0
    except UsageError as exc:
        print_problems(exc.lines)
        return EXIT_USAGE
    except (ValueError, OSError) as exc:
        error(args.command, str(exc))
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
