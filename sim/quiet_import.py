"""Import PyBullet without its build banner.

PyBullet's C extension prints ``pybullet build time: ...`` (through C stdio, on file
descriptor 2 in current builds, 1 in older ones) when it is first imported. That line is noise
in every run, and on stdout it would corrupt ``--json`` output. So the first import happens
here with fds 1 and 2 pointed at a temporary file; C stdio is flushed before they are
restored (a buffered banner cannot leak out later), and anything else the import printed is
passed on to stderr. Every later ``import pybullet`` gets the module from ``sys.modules``.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from types import ModuleType

BANNER = "pybullet build time:"


def _flush_c_stdio() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to reach: nothing buffered to lose
        pass


def import_pybullet() -> ModuleType:
    """``pybullet``, imported once with its banner discarded."""
    if "pybullet" in sys.modules:
        return sys.modules["pybullet"]
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile() as capture:
        try:
            for fd in saved:
                os.dup2(capture.fileno(), fd)
            import pybullet
        finally:
            _flush_c_stdio()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
        capture.seek(0)
        other = [line for line in capture.read().decode(errors="replace").splitlines() if not line.startswith(BANNER)]
    if other:
        print("\n".join(other), file=sys.stderr)
    return pybullet
