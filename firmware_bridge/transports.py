"""Byte transports of the controller emulator: a pseudo-terminal and a TCP listener.

Both are non-blocking and behave like a UART nobody listens to when the host is away: bytes that
cannot be written are dropped (and counted), never queued without bound.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import tty

__all__ = ["PtyTransport", "TcpTransport", "Transport"]


class Transport:
    """Interface the emulator loop uses: ``fileno()`` (or -1), ``read()``, ``write()``, ``close()``."""

    name = "transport"
    dropped_bytes = 0

    def fileno(self) -> int:
        """A file descriptor to select on for reading, or -1 when there is none right now."""
        raise NotImplementedError

    def read(self) -> bytes:
        """Bytes available now (b"" when none)."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        """Write what fits now; drop and count the rest."""
        raise NotImplementedError

    def disconnect(self) -> None:
        """Simulate the cable being pulled (fault injection)."""
        raise NotImplementedError

    def reconnect(self) -> None:
        """End a simulated disconnect."""

    def close(self) -> None:
        """Release everything."""
        raise NotImplementedError

    def accept_ready(self, fd: int) -> bool:
        """Handle readiness of an auxiliary descriptor (e.g. a listening socket); True if it was one."""
        return False

    def extra_fds(self) -> list[int]:
        """Auxiliary descriptors to select on."""
        return []


def _write_nonblocking(fd: int, data: bytes) -> int:
    """Write as much of ``data`` as fits; return the number of bytes that did not."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            break
        except OSError as exc:
            if exc.errno in (errno.EIO, errno.EPIPE, errno.ECONNRESET, errno.EBADF):
                break
            raise
        view = view[written:]
    return len(view)


class PtyTransport(Transport):
    """A pseudo-terminal; the host opens :attr:`path` (or the stable symlink :attr:`link`)."""

    name = "pty"

    def __init__(self, link: str | None = None) -> None:
        self.link = link
        self.master = -1
        self.slave = -1
        self.path = ""
        self._open()

    def _open(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        if self.link:
            temporary = f"{self.link}.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            os.symlink(self.path, temporary)
            os.replace(temporary, self.link)

    def fileno(self) -> int:
        return self.master

    def read(self) -> bytes:
        if self.master < 0:
            return b""
        try:
            return os.read(self.master, 65536)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise

    def write(self, data: bytes) -> None:
        if self.master < 0:
            self.dropped_bytes += len(data)
            return
        self.dropped_bytes += _write_nonblocking(self.master, data)

    def disconnect(self) -> None:
        """Close the pty and remove the symlink, as a vanished USB adapter takes its device node."""
        self._close_fds()
        self._unlink()

    def reconnect(self) -> None:
        if self.master < 0:
            self._open()

    def _close_fds(self) -> None:
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1

    def _unlink(self) -> None:
        if self.link and os.path.islink(self.link):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)

    def close(self) -> None:
        self._close_fds()
        self._unlink()


class TcpTransport(Transport):
    """A TCP listener on 127.0.0.1; the newest client connection is the active one."""

    name = "tcp"

    def __init__(self, port: int = 0) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(1)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._client: socket.socket | None = None
        self._refusing = False

    def fileno(self) -> int:
        return self._client.fileno() if self._client is not None else -1

    def extra_fds(self) -> list[int]:
        return [self._listener.fileno()]

    def accept_ready(self, fd: int) -> bool:
        if fd != self._listener.fileno():
            return False
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return True
        if self._refusing:
            client.close()
            return True
        self._drop_client()
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._client = client
        return True

    def read(self) -> bytes:
        if self._client is None:
            return b""
        try:
            data = self._client.recv(65536)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            self._drop_client()
        return data

    def write(self, data: bytes) -> None:
        if self._client is None:
            self.dropped_bytes += len(data)
            return
        self.dropped_bytes += _write_nonblocking(self._client.fileno(), data)

    def disconnect(self) -> None:
        self._drop_client()
        self._refusing = True

    def reconnect(self) -> None:
        self._refusing = False

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def close(self) -> None:
        self._drop_client()
        self._listener.close()
