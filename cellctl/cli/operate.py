"""Operator commands for a running ``cellctl serve``: status, start, pause, resume, abort, estop,
reset and param. Exit codes as for ``run``: 0 done, 1 NOK / aborted / nothing to do, 2 usage
(including a missing or wrong token), 3 no cell answered or a hardware fault. Reading needs no
token; everything that moves or stops the cell does. A client that exits or dies changes nothing."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from cellctl.cli.execute import EXIT_FAULT, EXIT_NOK, EXIT_OK, EXIT_USAGE
from cellctl.cli.serve import add_endpoint_options
from cellctl.cli.terminal import error

COMMAND_HELP = {"pause": "controlled stop on the path (resume continues there)",
                "resume": "continue after a pause", "abort": "controlled stop, then the unit ends ABORTED",
                "estop": "emergency stop: nothing moves until reset"}
# ``reset`` of a running cell is ``cellctl reset`` without --cell (cellctl.cli.lifecycle).


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = _common(commands.add_parser("status", help="show the state of a running cell"))
    p.add_argument("--watch", action="store_true", help="keep showing every change (Ctrl-C ends)")
    p.add_argument("--for", dest="seconds", type=float, default=None, help="with --watch: stop after SECONDS")
    p.set_defaults(run=status)
    p = _common(commands.add_parser("start", help="build units on a running cell"))
    p.add_argument("--units", type=int, default=1, help="units to build; 0 = until stopped (default: %(default)s)")
    p.add_argument("--detach", action="store_true", help="return once the cell accepted the goal")
    p.add_argument("--reconnect", type=float, default=120.0, metavar="SECONDS",
                   help="if the cell goes away (a restart), wait this long for it and send the goal again "
                        "(0: give up at once; default: %(default)s)")
    p.set_defaults(run=start)
    for name, text in COMMAND_HELP.items():
        _common(commands.add_parser(name, help=text)).set_defaults(run=trigger(name))
    p = _common(commands.add_parser("param", help="read or set a parameter of a running cell"))
    p.add_argument("action", choices=("get", "set"))
    p.add_argument("name", help="e.g. speed_override")
    p.add_argument("value", nargs="?", help="with set: the new value")
    p.set_defaults(run=param)


def _common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    add_endpoint_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    return p


def _client(args: argparse.Namespace, token: bool):
    from cellctl.service.access import default_token_file, read_token
    from cellctl.service.client import CellClient
    path = args.token_file or default_token_file(args.domain)
    secret = read_token(path) if token else None
    return CellClient(args.connect, args.domain, secret)


def _guarded(command: str, body: Callable[[], int]) -> int:
    """Run a client command; no cell → exit 3, a refusal → exit 2, each with one line."""
    from cellctl.service.wire import NoCell, ServiceFailed
    try:
        return body()
    except NoCell as exc:
        error(command, f"{exc}; is 'cellctl serve' running, and are --connect / --domain the ones it uses?")
        return EXIT_FAULT
    except ServiceFailed as exc:
        error(command, str(exc))
        return EXIT_USAGE


def _line(status: dict[str, Any]) -> str:
    arms = "; ".join(f"{a['arm']}: {a['activity']}" for a in status["arms"]) or "-"
    total = "until stopped" if status["units_total"] == 0 and status["unit"] else str(status["units_total"])
    unit = f"unit {status['unit_index']}/{total} {status['unit']}" if status["unit"] else "no unit"
    text = (f"{status['state']:<8} ({status['lifecycle']}) {unit}; {status['units_ok']} OK, "
            f"{status['units_nok']} NOK; {arms}")
    return text + (f"  {status['message']}" if status["message"] else "")


def _show(status: dict[str, Any], as_json: bool) -> None:
    if as_json:
        record = {k: v for k, v in status.items() if k != "stamp"}
        print(json.dumps(record), flush=True)
    else:
        print(_line(status), flush=True)


def status(args: argparse.Namespace) -> int:
    def body() -> int:
        with _client(args, token=False) as client:
            current = client.status()
            _show(current, args.json)
            if not args.watch:
                return EXIT_OK
            changed = threading.Event()
            latest: list[dict[str, Any]] = []

            def on_status(message: dict[str, Any], _sent: int | None) -> None:
                latest.append(message)
                changed.set()
            subscription = client.subscribe("~/status", "cellctl_msgs/msg/CellStatus", on_status)
            end = None if args.seconds is None else time.monotonic() + args.seconds
            try:
                while end is None or time.monotonic() < end:
                    if changed.wait(0.2):
                        changed.clear()
                        while latest:
                            _show(latest.pop(0), args.json)
            except KeyboardInterrupt:
                pass
            finally:
                subscription.undeclare()
            return EXIT_OK
    return _guarded("status", body)


def start(args: argparse.Namespace) -> int:
    from cellctl.service import interfaces as ifc
    if args.units < 0:
        error("start", f"--units must be 0 (until stopped) or more, got {args.units}")
        return EXIT_USAGE

    def body() -> int:
        client = _client(args, token=True)
        try:
            goal_id = client.start(args.units)
            if args.detach:
                print(json.dumps({"goal": goal_id.hex(), "accepted": True}) if args.json
                      else f"started: goal {goal_id.hex()}", flush=True)
                return EXIT_OK
            print(f"building {args.units or 'until stopped'} unit(s); goal {goal_id.hex()} "
                  "(Ctrl-C leaves the cell working)", file=sys.stderr, flush=True)
            try:
                client, code, result = _follow(args, client, goal_id)
            except KeyboardInterrupt:
                print("detached; the cell goes on ('cellctl status' shows it)", file=sys.stderr)
                return EXIT_OK
        finally:
            client.close()
        if args.json:
            print(json.dumps({"goal": goal_id.hex(), **result}))
        else:
            print(f"{result['units_ok']} OK, {result['units_nok']} NOK, {result['units_aborted']} aborted: "
                  f"{', '.join(result['serials']) or 'no units'}; cell {result['state']}"
                  + (f": {result['message']}" if result["message"] else ""))
        if result["state"] == "faulted" and "hardware" in result["message"]:
            return EXIT_FAULT
        return EXIT_OK if code == ifc.STATUS_SUCCEEDED else EXIT_NOK
    return _guarded("start", body)


RESULT_POLL = 5.0  # s a result request waits before it is asked again (a lost cell shows within this)


def _follow(args: argparse.Namespace, client: Any, goal_id: bytes) -> tuple[Any, int, dict[str, Any]]:
    """Wait for the goal's result, showing its steps. If the cell goes away (a restart), wait up to
    ``--reconnect`` seconds for it to come back and send the goal again, for the units not yet
    begun: a ``serve --resume`` finishes the open unit first. Returns (client, status, result)."""
    from cellctl.service.wire import CallTimeout, NoCell
    units: list[str] = []

    def on_feedback(message: dict[str, Any], _sent: int | None) -> None:
        if bytes(message["goal_id"]["uuid"]) == goal_id:
            f = message["feedback"]
            if f["unit"] and f["unit"] not in units:
                units.append(f["unit"])
            print(f"  {f['unit']} {f['step']}: {f['step_result']}", file=sys.stderr, flush=True)
    while True:
        feedback = client.subscribe(ACTION_FEEDBACK, "cellctl_msgs/action/BuildUnits_FeedbackMessage", on_feedback)
        try:
            while True:
                try:
                    code, result = client.result(goal_id, timeout=RESULT_POLL)
                    return client, code, result
                except CallTimeout:
                    continue  # the goal is still running
        except NoCell:
            if args.reconnect <= 0:
                raise
        finally:
            feedback.undeclare()
        client = _reconnect(args, client)
        remaining = 0 if args.units == 0 else max(1, args.units - max(0, len(units) - 1))
        client.start(remaining, goal_id)
        print(f"the cell is back; goal sent again for {remaining or 'until stopped'} unit(s)", file=sys.stderr,
              flush=True)


def _reconnect(args: argparse.Namespace, lost: Any) -> Any:
    """A new client once the cell answers again (NoCell after ``--reconnect`` seconds)."""
    from cellctl.service.wire import NoCell
    print(f"lost the cell; waiting up to {args.reconnect:g} s for it to come back (Ctrl-C detaches)",
          file=sys.stderr, flush=True)
    lost.close()
    deadline = time.monotonic() + args.reconnect
    while True:
        client = _client(args, token=True)
        try:
            client.status()
            return client
        except NoCell:
            client.close()
            if time.monotonic() > deadline:
                raise


ACTION_FEEDBACK = "~/build_units/_action/feedback"


def trigger(name: str) -> Callable[[argparse.Namespace], int]:
    """The client command that calls a running cell's ``name`` service (needs the token)."""
    def run(args: argparse.Namespace) -> int:
        def body() -> int:
            with _client(args, token=True) as client:
                response = client.command(name)
            if args.json:
                print(json.dumps(response))
            else:
                print(response["message"])
            return EXIT_OK if response["success"] else EXIT_NOK
        return _guarded(name, body)
    return run


def param(args: argparse.Namespace) -> int:
    def body() -> int:
        if args.action == "get":
            with _client(args, token=False) as client:
                value = client.get_parameter(args.name)
            print(json.dumps({"name": args.name, "value": value}) if args.json else f"{args.name} = {value}")
            return EXIT_OK
        if args.value is None:
            error("param", "set needs a value: cellctl param set NAME VALUE")
            return EXIT_USAGE
        with _client(args, token=True) as client:
            ok, reason = client.set_parameter(args.name, _number(args.value))
        if args.json:
            print(json.dumps({"name": args.name, "successful": ok, "reason": reason}))
        elif ok:
            print(f"{args.name} = {args.value}")
        else:
            error("param", reason)
        return EXIT_OK if ok else EXIT_USAGE
    return _guarded("param", body)


def _number(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)
