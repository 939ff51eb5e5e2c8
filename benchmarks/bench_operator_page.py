"""The operator page's added delay, against the cell's own Zenoh interface, measured in one run.

``cellctl serve --http 0`` on the simulated demo cell (idle, real-time pace) in its own process:

1. Command round trip: the page's token check (a WebSocket message → the web server → the cell's
   ``set_parameters`` service, answered between two control cycles → the reply on the socket)
   against the same ``set_parameters`` call made directly by a Zenoh client in this process.
2. State to the page: e-stop the cell from a Zenoh client, then time until the WebSocket shows
   ``estopped`` against the time until a Zenoh subscriber of the status topic sees it (reset in
   between). The page's ``state`` messages are throttled to 10 per second by design. Run:

    python benchmarks/bench_operator_page.py [--calls 200] [--stops 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cellctl.config import demo_cell_path  # noqa: E402
from cellctl.service import interfaces as ifc  # noqa: E402
from cellctl.service.access import read_token  # noqa: E402
from cellctl.service.client import CellClient  # noqa: E402

RECIPE = ROOT / "cellctl" / "config" / "demo" / "recipe.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def figures(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1e3
    return f"median {np.median(ms):6.2f} ms, p99 {np.percentile(ms, 99):6.2f} ms (n={len(ms)})"


async def page_side(url: str, token: str, calls: int, stops: int, client: CellClient,
                    zenoh_seen: dict[str, float]) -> tuple[list[float], ...]:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}ws") as ws:
        async def next_of(kind: str, predicate=lambda m: True) -> dict:
            while True:
                message = json.loads((await ws.receive(timeout=30)).data)
                if message["type"] == kind and predicate(message):
                    return message
        await next_of("state", lambda m: m["status"] is not None)
        trips, direct = [], []
        for i in range(calls):  # alternately: the page's call, the same call from a Zenoh client
            start = time.perf_counter()
            await ws.send_str(json.dumps({"id": i, "command": "check", "token": token}))
            reply = await next_of("reply")
            trips.append(time.perf_counter() - start)
            assert reply["ok"], reply
            start = time.perf_counter()
            await asyncio.to_thread(client.call, "~/set_parameters", ifc.SET_PARAMETERS, {"parameters": []},
                                    authorised=True)
            direct.append(time.perf_counter() - start)
        page_delay, zenoh_delay = [], []
        for _ in range(stops):
            zenoh_seen.clear()
            start = time.perf_counter()
            await asyncio.to_thread(client.command, "estop")
            await next_of("state", lambda m: m["status"]["state"] == "estopped")
            page_delay.append(time.perf_counter() - start)
            while "estopped" not in zenoh_seen:
                await asyncio.sleep(0.001)
            zenoh_delay.append(zenoh_seen["estopped"] - start)
            await asyncio.to_thread(client.command, "reset")
            await next_of("state", lambda m: m["status"]["state"] == "idle")
    return trips, direct, page_delay, zenoh_delay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--stops", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    endpoint, domain = f"tcp/127.0.0.1:{free_port()}", 150
    log = folder / "serve.log"
    argv = [sys.executable, "-m", "cellctl", "serve", "--cell", str(demo_cell_path()), "--recipe", str(RECIPE),
            "--db", str(folder / "j.db"), "--listen", endpoint, "--domain", str(domain),
            "--token-file", str(folder / "token"), "--http", "0"]
    with log.open("w") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while (match := re.search(r"operator page (\S+)", log.read_text())) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not come up:\n{log.read_text()}")
            time.sleep(0.1)
        url, token = match.group(1), read_token(folder / "token")
        client = CellClient([endpoint], domain, token)
        seen: dict[str, float] = {}
        lock = threading.Lock()

        def on_status(message: dict, _sent: int | None) -> None:
            with lock:
                seen.setdefault(message["state"], time.perf_counter())
        keep = client.subscribe("~/status", "cellctl_msgs/msg/CellStatus", on_status)  # noqa: F841
        trips, direct, page_delay, zenoh_delay = asyncio.run(page_side(url, token, args.calls, args.stops, client, seen))
        client.close()
    finally:
        process.terminate()
        process.wait(60)
    print(f"command round trip, page (WebSocket → web server → service): {figures(trips)}")
    print(f"command round trip, Zenoh client (same service):            {figures(direct)}")
    print(f"  ratio of medians: {np.median(trips) / np.median(direct):.2f}")
    print(f"e-stop to the page showing it:                               {figures(page_delay)}")
    print(f"e-stop to a Zenoh status subscriber seeing it:               {figures(zenoh_delay)}")
    print(f"  ratio of medians: {np.median(page_delay) / np.median(zenoh_delay):.2f}")


if __name__ == "__main__":
    main()
