"""The operator page: one web page (plain HTML, CSS and JavaScript shipped in ``static/``) served by
``cellctl serve --http [HOST:]PORT``, fed live over a WebSocket. The web server is a client of the
cell like any other (it calls the same services and subscribes to the same topics, with the
operator's token), on its own thread and event loop. See ``docs/operator_page.md``."""

from __future__ import annotations

import argparse

DEFAULT_HOST = "127.0.0.1"


def parse_http_address(text: str) -> tuple[str, int]:
    """``PORT``, ``HOST:PORT`` or ``[V6HOST]:PORT`` → (host, port); loopback when no host is given.
    Port 0 lets the system choose a free one."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]") if sep else DEFAULT_HOST
    try:
        port = int(port_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be [HOST:]PORT with PORT a whole number 0 .. 65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be in 0 .. 65535, got {port}")
    if not host:
        raise argparse.ArgumentTypeError(f"empty host in {text!r}; give HOST:PORT or PORT")
    return host, port
