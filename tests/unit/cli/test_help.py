"""What ``cellctl COMMAND --help`` tells a person (in-process: argparse only)."""

from __future__ import annotations

import argparse

import pytest

from cellctl.cli.main import build_parser

pytestmark = pytest.mark.unit


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _help(command: str) -> str:
    return _commands()[command].format_help()


def test_every_command_has_help() -> None:
    assert {"demo", "run", "validate", "report", "plot", "emulator"} <= set(_commands())


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_shows_no_markup(command: str) -> None:
    text = _help(command)
    assert "``" not in text and ":class:" not in text, text


def test_the_top_level_help_shows_no_markup() -> None:
    assert "``" not in build_parser().format_help()


@pytest.mark.parametrize("command", ["run", "demo"])
def test_run_help_says_what_ctrl_c_does(command: str) -> None:
    text = " ".join(_help(command).split())
    assert "Ctrl-C" in text
    assert "pauses" in text and "aborts" in text
