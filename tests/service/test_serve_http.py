"""``cellctl serve --http``: the page and its socket over plain HTTP (no browser; tests/browser
drives the page itself), and a taken port refused with one line."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from _cli import CELLCTL, cli_env
from _serve import DEMO_RECIPE, start_serve

from cellctl.config import demo_cell_path
from cellctl.service.access import read_token

pytestmark = [pytest.mark.process, pytest.mark.sim]


async def _exchange(url: str, token: str) -> tuple[dict, list[dict], list[int]]:
    """The first state on the socket, the replies to token checks and bad commands, and the
    handshake statuses of sockets opened from a foreign origin and through a foreign host name."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async with session.get(url) as page:
            assert page.status == 200 and "text/html" in page.headers["Content-Type"]
            assert 'id="estop"' in await page.text()
        for name in ("app.js", "style.css"):
            async with session.get(f"{url}static/{name}") as asset:
                assert asset.status == 200 and len(await asset.read()) > 1000
        async with session.get(f"{url}static/../server.py") as missing:
            assert missing.status == 404
        foreign = []
        for headers in ({"Origin": "http://evil.example"},  # another site's page
                        {"Host": "rebound.example"}):  # a name rebound to this machine (DNS rebinding)
            try:
                async with session.ws_connect(f"{url}ws", headers=headers):
                    foreign.append(101)
            except aiohttp.WSServerHandshakeError as exc:
                foreign.append(exc.status)
        async with session.ws_connect(f"{url}ws") as ws:
            state = None
            deadline = time.monotonic() + 60
            while state is None or state["status"] is None:
                assert time.monotonic() < deadline, "no state with a status on the socket"
                message = json.loads((await ws.receive(timeout=60)).data)
                state = message if message["type"] == "state" else state
            replies = []
            for ident, request in enumerate(({"command": "check", "token": "x" * 32},
                                             {"command": "check", "token": token},
                                             {"command": "check", "token": "a;origin=forged"},
                                             {"command": "start", "token": token, "units": 0},
                                             {"command": "fly", "token": token})):
                await ws.send_str(json.dumps({"id": ident, **request}))
                while True:
                    message = json.loads((await ws.receive(timeout=60)).data)
                    if message["type"] == "reply":
                        replies.append(message)
                        break
    return state, replies, foreign


def test_the_page_its_files_and_its_socket(tmp_path: Path) -> None:
    served = start_serve(tmp_path, "--pace", "3", "--http", "0")
    try:
        url = re.search(r"operator page (http://127\.0\.0\.1:\d+/)", served.log.read_text()).group(1)  # type: ignore[union-attr]
        state, replies, foreign = asyncio.run(_exchange(url, read_token(served.token_file)))
    finally:
        assert served.stop() == 0
    assert foreign == [403, 403], "a page of another origin, or a rebound name, opened the socket"
    assert state["status"]["state"] == "idle" and state["progress"]["planned"] == 16
    wrong, right, forged, zero, unknown = replies
    assert not wrong["ok"] and "wrong token" in wrong["message"]
    assert right == {"type": "reply", "id": 1, "ok": True, "message": "token accepted"}
    assert not forged["ok"] and "wrong token" in forged["message"]  # no parameter smuggled in the token
    assert not zero["ok"] and "1 .. 1000000" in zero["message"]
    assert not unknown["ok"] and "unknown command 'fly'" in unknown["message"]
    from _serve import origin_events
    refused = [d for kind, d in origin_events(served.db) if kind == "command_refused"]
    assert sum("web-page@127.0.0.1" in d for d in refused) == 2, refused
    assert not any("forged" in d for d in refused)


def test_a_taken_port_is_refused_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*CELLCTL, "serve", "--cell", str(demo_cell_path()), "--recipe", str(DEMO_RECIPE),
                               "--db", str(tmp_path / "j.db"), "--listen", "tcp/127.0.0.1:0", "--domain", "201",
                               "--token-file", str(tmp_path / "t"), "--http", str(port)],
                              capture_output=True, text=True, timeout=120, env=cli_env())
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot serve the operator page on 127.0.0.1:{port}" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
