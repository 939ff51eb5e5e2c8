"""Who may command the cell: a secret token for everything that moves or stops motion; reading is free.

``serve`` writes a fresh token at start into a file only its user can read (mode 0600), or uses
the one in the file the operator gives. Clients send it with each command (as the query parameter
``token``, next to ``origin``: who is asking); a missing or wrong token is refused and journaled.
"""

from __future__ import annotations

import getpass
import hmac
import os
import re
import secrets
import socket
from pathlib import Path


def default_token_file(domain: int) -> Path:
    """``$XDG_RUNTIME_DIR/cellctl/domain-D.token``, or under ``~/.cellctl`` without a runtime dir."""
    base = Path(os.environ["XDG_RUNTIME_DIR"]) / "cellctl" if os.environ.get("XDG_RUNTIME_DIR") else Path.home() / ".cellctl"
    return base / f"domain-{domain}.token"


def write_new_token(path: Path) -> str:
    """Generate a token and write it to ``path``, readable and writable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    return token


def read_token(path: Path) -> str:
    """The token in ``path``.

    Raises:
        OSError: the file is missing or unreadable, or holds no token (one clear line).
    """
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise OSError(f"token file {path}: {exc.strerror or exc}; give the file 'cellctl serve' wrote "
                      "with --token-file") from None
    if not re.fullmatch(r"[0-9A-Za-z_\-]{16,256}", text):
        raise OSError(f"token file {path}: does not hold a token (16-256 letters, digits, '-' or '_')")
    return text


def origin() -> str:
    """Who is asking, as a key-safe word: ``user@host:pid``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return re.sub(r"[^\w@.:\-]", "_", f"{user}@{socket.gethostname()}:{os.getpid()}")


class Access:
    """Checks the token a command carries."""

    def __init__(self, token: str, token_file: Path | None) -> None:
        self._token, self.token_file = token, token_file

    def refusal(self, given: str | None) -> str | None:
        """Why a command with token ``given`` is refused, or None when it may run."""
        where = f" (the file 'cellctl serve' wrote: {self.token_file})" if self.token_file else ""
        if not given:
            return f"refused: this command moves or stops the cell and needs the cell's token; pass --token-file{where}"
        if not hmac.compare_digest(given.encode(), self._token.encode()):
            return f"refused: wrong token; pass --token-file with the file of the running 'cellctl serve'{where}"
        return None
