"""``cellctl serve --cell CELL --recipe RECIPE``: run the cell as a long-lived service on Zenoh.

The supervisor comes up (configure, activate) and waits, idle; clients (``cellctl start``,
``pause`` …, or any ROS 2 node on rmw_zenoh) build units through its BuildUnits action and
services. A NOK unit, a fault or an e-stop leave the service running: reset, then start again.
SIGTERM or Ctrl-C ends it: a unit in progress is aborted with a controlled stop first.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cellctl.cli.argtypes import number_in
from cellctl.cli.backends import parse_injections
from cellctl.cli.execute import (EXIT_FAULT, EXIT_OK, RunOptions, build_supervisor,
                                 refuse_if_journal_unfinished)
from cellctl.cli.loading import checked, load
from cellctl.cli.run import add_record_option
from cellctl.cli.terminal import paint
from cellctl.hw import HardwareError
from cellctl.rt import State

if TYPE_CHECKING:
    import zenoh

    from cellctl.recipe import Recipe
    from cellctl.service.web.server import WebServer

DEFAULT_DB = "cellctl-journal.db"


_domain = number_in(0, 232, whole=True)
"""A ROS domain id, as ``--domain`` and ``ROS_DOMAIN_ID`` take it."""


def add_endpoint_options(p: argparse.ArgumentParser) -> None:
    """``--connect``, ``--domain``: shared by ``serve`` and the clients."""
    from cellctl.service import DEFAULT_ENDPOINT
    p.add_argument("--connect", action="append", default=[], metavar="ENDPOINT",
                   help=f"Zenoh endpoint to connect to, e.g. tcp/HOST:7447 for a router (clients default: "
                        f"{DEFAULT_ENDPOINT}, where serve listens)")
    p.add_argument("--domain", type=_domain, default=_domain(os.environ.get("ROS_DOMAIN_ID", "0")),
                   help="ROS domain id, the first chunk of every key (default: $ROS_DOMAIN_ID or 0)")
    p.add_argument("--token-file", type=Path, default=None,
                   help="file holding the cell's token (default: the one serve writes for this domain)")


def add_parser(commands: argparse._SubParsersAction) -> None:
    from cellctl.service import DEFAULT_ENDPOINT
    p = commands.add_parser("serve", help="run the cell as a service (operate it with start, pause, status ...)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cell", type=Path, required=True, help="cell description YAML")
    p.add_argument("--recipe", type=Path, required=True, help="recipe YAML")
    p.add_argument("--backend", default="sim", help="sim, or serial:URL / serial:ARM=URL,... as for 'run'")
    p.add_argument("--db", type=Path, default=Path(DEFAULT_DB), help="production journal (default: %(default)s)")
    p.add_argument("--resume", action="store_true",
                   help="the first start finishes the unit an interruption left open (no screw tightened twice)")
    p.add_argument("--listen", action="append", default=[], metavar="ENDPOINT",
                   help=f"Zenoh endpoint to listen on (default: {DEFAULT_ENDPOINT}, loopback only)")
    add_endpoint_options(p)
    p.add_argument("--pace", type=number_in(0.0, 100.0), default=1.0,
                   help="simulation only: cell seconds per wall second (default 1 = real time; 0 = as fast as it goes)")
    p.add_argument("--joint-rate", type=number_in(10.0, 2000.0), default=100.0,
                   help="joint states published per second and arm (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="simulation seed (default: %(default)s)")
    p.add_argument("--inject", metavar="HOLE=FAILURE,...", default=None, help="simulation only: force screw failures")
    add_record_option(p)
    from cellctl.service.web import parse_http_address
    p.add_argument("--http", type=parse_http_address, default=None, metavar="[HOST:]PORT",
                   help="serve the operator web page (loopback unless HOST is given; port 0: a free one)")
    p.set_defaults(run=serve)


def serve(args: argparse.Namespace) -> int:
    from cellctl.service.access import Access, default_token_file, read_token, write_new_token
    from cellctl.service.feed import ObservedJournal
    from cellctl.service.recording import recording
    from cellctl.service.server import CellService
    from cellctl.service.wire import DEFAULT_ENDPOINT, WireNode, open_session

    recipe, cell = load(args.recipe, args.cell)
    checked(recipe, cell)
    options = RunOptions(backend=args.backend, db=args.db, resume=args.resume, seed=args.seed,
                         inject=parse_injections(args.inject))
    if not args.resume:  # as for 'run': never start over an unfinished unit
        refuse_if_journal_unfinished(cell, options, serve=True)
    token_file = args.token_file or default_token_file(args.domain)
    token = read_token(token_file) if args.token_file and token_file.exists() else write_new_token(token_file)
    listen = args.listen or ([] if args.connect else [DEFAULT_ENDPOINT])
    session = open_session(listen, args.connect)  # first: a taken port is found before the cell loads
    try:
        system, journal, supervisor = build_supervisor(recipe, cell, options,
                                                       ObservedJournal)
    except BaseException:
        session.close()
        raise
    service = None
    try:
        if supervisor.configure() is not State.INACTIVE or supervisor.activate() is not State.ACTIVE:
            print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: the {args.backend} backend did not "
                  "come up; check the connection and the controller, then try again", file=sys.stderr)
            return EXIT_FAULT
        node = WireNode(session, args.domain, "/cell", "supervisor")
        with recording(args.record, supervisor, journal,  # type: ignore[arg-type]
                       foxglove=args.foxglove) as sample:
            service = CellService(supervisor, system, cell, journal, node, Access(token, token_file),  # type: ignore[arg-type]
                                  pace=(args.pace or None) if args.backend == "sim" else None,
                                  joint_rate=args.joint_rate, on_tick=sample)

            def stop(signum: int, frame: FrameType | None) -> None:
                service.stop_requested = True  # type: ignore[union-attr]
            previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            web = _start_web(args, session, recipe)
            journal.event("serve_started", f"domain {args.domain}, listening on {', '.join(listen) or '-'}, "
                          f"connected to {', '.join(args.connect) or '-'}", system.now())
            print(f"cellctl serve: cell {cell.name!r} ready (domain {args.domain}, listening on "
                  f"{', '.join(listen) or '-'}); token in {token_file}"
                  + (f"; operator page {web.url}" if web else ""), file=sys.stderr, flush=True)
            try:
                service.run()
            finally:
                if web is not None:
                    web.stop()
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
            journal.event("serve_stopped", "signal", system.now())
        return EXIT_OK
    except HardwareError as exc:
        print(f"cellctl: {paint('hardware fault', 'red', sys.stderr)}: {exc}", file=sys.stderr)
        return EXIT_FAULT
    finally:
        if service is not None:
            service.close()
        supervisor.shutdown()
        session.close()
        journal.close()


def _start_web(args: argparse.Namespace, session: zenoh.Session, recipe: Recipe) -> WebServer | None:
    """The operator page's server (``--http``) on its own thread, or None; a client of the cell
    on serve's own Zenoh session."""
    if args.http is None:
        return None
    from cellctl.service.client import CellClient
    from cellctl.service.web.live import LiveState, nominal_steps
    from cellctl.service.web.server import WebServer
    client = CellClient(domain=args.domain, session=session)
    web = WebServer(client, *args.http, live=LiveState(nominal_steps(recipe.root)))
    web.start()
    return web
