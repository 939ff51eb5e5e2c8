"""The operator page's web server (aiohttp), on a thread and event loop of its own.

It never touches the supervisor. It reads the cell as every viewer does, by subscribing to the
status and the journal's topics (:class:`~cellctl.service.web.live.LiveState` keeps what the
page shows), and commands it as ``cellctl pause`` does, by calling the cell's services with the
token the operator typed into the page: the service loop takes the request between two control
cycles on the hardware thread, checks the token (:class:`~cellctl.service.access.Access`,
constant time) and journals the command with its origin (``web-page@ADDRESS``).

``GET /`` is the page, ``GET /static/NAME`` its script and style, ``GET /ws`` the WebSocket:
the server sends ``state`` (the whole picture but the curves, when it changed: at once for a
new status, else at most :data:`MAX_RATE` times a second) and ``curve`` messages (each
torque-angle curve once); the page sends ``{"id", "command", "token", "units"}`` and gets
``{"type": "reply", "id", "ok", "message"}``.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import ipaddress
import json
import re
import threading
from typing import Any

from aiohttp import WSMsgType, web

from cellctl.cli.run import MAX_UNITS
from cellctl.service import interfaces as ifc
from cellctl.service.client import CellClient
from cellctl.service.server import COMMANDS
from cellctl.service.web.live import LiveState
from cellctl.service.wire import NoCell, ServiceFailed

MAX_RATE = 10.0
"""``state`` messages per second at most for steps, results and curves (a unit's steps can change
faster than a person reads); a new status is sent at once."""
SEND_TIMEOUT = 2.0  # s: a browser that does not take a message within this is dropped
PAGE_COMMANDS = ("start", "check", *COMMANDS)
"""What the page may ask: build units, check its token, and the cell's Trigger services."""
_TOKEN = re.compile(r"[0-9A-Za-z_\-]{1,256}")
_FILES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}


def _static() -> dict[str, tuple[bytes, str]]:
    folder = importlib.resources.files(__package__) / "static"
    return {name: ((folder / name).read_bytes(), kind) for name, kind in _FILES.items()}


def _loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebServer:
    """Serves the page on ``host:port`` for the cell ``client`` reaches (see module docstring)."""

    def __init__(self, client: CellClient, host: str, port: int, live: LiveState | None = None) -> None:
        self.client, self.host, self.port = client, host, port
        self.live = live or LiveState()
        self.url = ""
        self._files = _static()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._sockets: dict[web.WebSocketResponse, set[str]] = {}  # each page and the curves it has
        self._tasks: set[asyncio.Task] = set()
        self._subscriptions: list[Any] = []

    # ------------------------------------------------------------------ life
    def start(self, timeout: float = 10.0) -> str:
        """Bind and serve; returns the page's URL.

        Raises:
            OSError: the address cannot be bound (one clear line).
        """
        self._thread = threading.Thread(target=self._main, name="cellctl-web", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise OSError(f"the operator page did not come up within {timeout:g} s")
        if self._error is not None:
            raise OSError(f"cannot serve the operator page on {self.host}:{self.port}: "
                          f"{getattr(self._error, 'strerror', None) or self._error}; choose another --http port") from None
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        """Close every page's socket and the server; returns when the thread has ended (bounded)."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def _main(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            runner = loop.run_until_complete(self._up())
        except BaseException as exc:  # noqa: BLE001 - handed to start(), which raises it as one line
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._down(runner))
            loop.close()

    async def _up(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/", self._page)
        app.router.add_get("/static/{name}", self._file)
        app.router.add_get("/ws", self._socket)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        host, port = runner.addresses[0][:2]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        changed, urgent = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        self._subscribe(changed, urgent, loop)
        self._spawn(self._broadcast(changed, urgent))
        self._spawn(self._first_status(changed))
        return runner

    async def _down(self, runner: web.AppRunner) -> None:
        for subscription in self._subscriptions:
            subscription.undeclare()
        for task in self._tasks:
            task.cancel()
        for socket in list(self._sockets):
            await socket.close()
        await runner.cleanup()
        await asyncio.get_running_loop().shutdown_default_executor()  # calls to the cell end within their timeout

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ the cell's topics
    def _subscribe(self, changed: asyncio.Event, urgent: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
        """Feed :attr:`live` from the cell's topics; a new status is ``urgent`` too (an e-stop shows at once)."""
        topics = {"status": ("~/status", "cellctl_msgs/msg/CellStatus")}
        topics.update({kind: (f"~/{topic}", type_name) for kind, (topic, type_name) in ifc.EVENTS.items()})
        for kind, (name, type_name) in topics.items():
            events = (changed, urgent) if kind == "status" else (changed,)

            def on_message(message: dict[str, Any], _sent: int | None, kind: str = kind,
                           events: tuple[asyncio.Event, ...] = events) -> None:
                self.live.apply(kind, message)  # on a Zenoh thread
                try:
                    for event in events:
                        loop.call_soon_threadsafe(event.set)
                except RuntimeError:  # the loop is closing
                    pass
            self._subscriptions.append(self.client.subscribe(name, type_name, on_message))

    async def _first_status(self, changed: asyncio.Event) -> None:
        """The latched status, until the cell answers (a page opened before the cell is up waits)."""
        while self.live.status is None:
            try:
                status = await asyncio.to_thread(self.client.latest_status)
            except NoCell:
                status = None
            if status is not None and self.live.status is None:
                self.live.apply("status", status)
                changed.set()
            await asyncio.sleep(0.5)

    async def _broadcast(self, changed: asyncio.Event, urgent: asyncio.Event) -> None:
        """Send the news when something changed: at most :data:`MAX_RATE` times a second, except
        that a new status (the cell's state; published only when it changes) goes out at once."""
        while True:
            await changed.wait()
            changed.clear()
            urgent.clear()
            for socket in list(self._sockets):
                await self._send_news(socket)
            try:
                await asyncio.wait_for(urgent.wait(), 1.0 / MAX_RATE)
            except asyncio.TimeoutError:
                pass

    async def _send_news(self, socket: web.WebSocketResponse) -> None:
        """The curves this page has not had yet, then the state."""
        sent = self._sockets.get(socket)
        if sent is None:
            return
        messages = [c for c in self.live.curves_shown() if c["key"] not in sent]
        sent.update(c["key"] for c in messages)
        messages.append(self.live.snapshot())
        try:
            for message in messages:
                await asyncio.wait_for(socket.send_str(json.dumps(message)), SEND_TIMEOUT)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            self._sockets.pop(socket, None)
            await socket.close()

    # ------------------------------------------------------------------ HTTP
    async def _page(self, request: web.Request) -> web.Response:
        return self._reply("index.html")

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self._files or name == "index.html":
            raise web.HTTPNotFound()
        return self._reply(name)

    def _reply(self, name: str) -> web.Response:
        body, kind = self._files[name]
        return web.Response(body=body, content_type=kind, charset="utf-8", headers={"Cache-Control": "no-cache"})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.split("://", 1)[-1] != request.host:
            raise web.HTTPForbidden(text="the operator page's socket answers its own page only")
        if _loopback(self.host) and not _loopback(request.url.host or ""):
            # a page served on loopback is reached by a loopback name only: another name pointing
            # here (DNS rebinding) would make a foreign web site 'same origin'
            raise web.HTTPForbidden(text="the operator page on loopback answers loopback names only")
        socket = web.WebSocketResponse(heartbeat=10.0, max_msg_size=65536)
        await socket.prepare(request)
        self._sockets[socket] = set()
        peer = re.sub(r"[^\w.:\-]", "_", request.remote or "unknown")
        try:
            await self._send_news(socket)
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._spawn(self._answer(socket, message.data, peer))  # an e-stop never waits behind a start
        finally:
            self._sockets.pop(socket, None)
        return socket

    # ------------------------------------------------------------------ commands
    async def _answer(self, socket: web.WebSocketResponse, text: str, peer: str) -> None:
        try:
            request = json.loads(text)
            ident, command = request.get("id"), request["command"]
        except (ValueError, KeyError, TypeError, AttributeError):
            ident, ok, message = None, False, "bad request: send JSON {id, command, token, units}"
        else:
            ok, message = await self._command(command, request, peer)
        if not socket.closed:
            await socket.send_str(json.dumps({"type": "reply", "id": ident, "ok": ok, "message": message}))

    async def _command(self, command: object, request: dict[str, Any], peer: str) -> tuple[bool, str]:
        """Carry one command to the cell with the page's token; (ok, what the cell said)."""
        if command not in PAGE_COMMANDS:
            return False, f"unknown command {command!r}; valid: {', '.join(PAGE_COMMANDS)}"
        token = request.get("token")
        if isinstance(token, str) and token and not _TOKEN.fullmatch(token):
            token = "malformed"  # refused (and journaled) by the cell like any wrong token
        client = self.client.as_user(token if isinstance(token, str) and token else None, f"web-page@{peer}")
        units = request.get("units", 1)
        if command == "start" and (not isinstance(units, int) or not 1 <= units <= MAX_UNITS):
            return False, f"units must be a whole number 1 .. {MAX_UNITS}, got {units!r}"

        def act() -> tuple[bool, str]:
            if command == "start":
                client.start(units)
                return True, f"building {units} unit(s)"
            if command == "check":  # an empty SetParameters: refused exactly when the token is
                client.call("~/set_parameters", ifc.SET_PARAMETERS, {"parameters": []}, authorised=True)
                return True, "token accepted"
            response = client.command(str(command))
            return bool(response["success"]), str(response["message"])
        try:
            return await asyncio.to_thread(act)
        except (ServiceFailed, NoCell) as exc:
            return False, str(exc)
