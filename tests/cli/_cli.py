"""Shared helpers of the CLI tests: how to run the installed ``cellctl`` and what a run returns."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass


def _command() -> list[str]:
    script = shutil.which("cellctl")
    # The installed console script is what users run; fall back to the module only if the
    # script is not on PATH (e.g. a virtualenv that is not activated).
    return [script] if script else [sys.executable, "-m", "cellctl"]


CELLCTL = _command()


def cli_env() -> dict[str, str]:
    """The user's environment, minus anything that would colour or page the output."""
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


@dataclass(repr=False)
class Result:
    """A finished ``cellctl`` command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest when an assertion on a result fails
        return (f"cellctl {' '.join(self.args)} -> exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}"
                f"\n--- stderr\n{self.stderr[-3000:]}")

    @property
    def last_json(self) -> dict:
        """The JSON object on the last stdout line (``--json``)."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"no stdout: {self}"
        return json.loads(lines[-1])


def frame_and_screws_recipe(name: str, prefix: str, holes: tuple[str, ...], *, revision: str = "T.1",
                            then: tuple[str, ...] = ()) -> str:
    """A short recipe on the demo cell: the frame into the nest, the loader home, the holes screwed,
    the screwer home, then the ``then`` steps (YAML lines of the sequence) — quicker than a unit."""
    steps = ["- pick: {arm: loader, part: mid_frame}",
             "- place: {arm: loader, part: mid_frame, station: nest, slot: unit}",
             "- move: {arm: loader, to: home}",
             *(f"- screw: {{arm: screwer, hole: {hole}}}" for hole in holes),
             "- move: {arm: screwer, to: home}", *then]
    body = "".join(f"    {step}\n" for step in steps)
    return (f'version: 1\nrecipe: {name}\nrevision: "{revision}"\nserial_prefix: {prefix}\n'
            f"steps:\n  sequence:\n{body}")
