"""The operator command line: ``cellctl <command>`` (see ``cellctl --help``).

The entry point is :func:`cellctl.cli.main.main` (the console script, ``python -m cellctl``
and ``python -m cellctl.cli.main``). This package imports nothing itself, so that running
``cellctl.cli.main`` as a module does not import it twice.
"""
