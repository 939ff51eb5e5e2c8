"""The operator command line: ``cellctl <command>`` (see ``cellctl --help``)."""

from cellctl.cli.main import main

__all__ = ["main"]
