"""``cellctl run`` over the serial backend when no controller answers: exit 3, a clear message.

No emulator here (nothing listens on the ports), so these are unit tests of the CLI's
link-fault path; the wait is the serial system's bounded handshake time (about 5 s).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.process


@pytest.mark.timeout(60)
def test_serial_backend_with_nothing_listening_is_a_link_fault(cellctl, demo_files, tmp_path: Path) -> None:
    ports = []
    for _ in range(2):  # free ports nobody listens on (bound, then released)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    recipe, cell = demo_files
    url = f"socket://127.0.0.1:{ports[0]}"
    backend = f"serial:loader={url},screwer=socket://127.0.0.1:{ports[1]}"
    started = time.monotonic()
    result = cellctl("run", recipe, "--cell", cell, "--backend", backend, "--db", "f.db", timeout=45)
    took = time.monotonic() - started
    assert result.returncode == 3, result
    assert took < 20.0, f"a dead link took {took:.1f} s to report"
    assert "hardware fault" in result.stderr
    assert url in result.stderr, "the message says which controller did not answer"
    assert "running" not in result.stderr  # no unit started
