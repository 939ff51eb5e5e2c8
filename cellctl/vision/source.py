"""A real camera's image of a unit, from a file or URL named in the cell description (``source``).

``source`` is a path pattern or URL with ``{serial}`` (and ``{camera}``) replaced, e.g.
``images/{serial}.png`` or ``http://camera.local/snap?unit={serial}``; a path without fields is a
directory holding ``<serial>.png``. Relative paths resolve against the cell file's directory.
"""

from __future__ import annotations

import io
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from cellctl.config.model import CameraSpec

__all__ = ["load_image", "image_location", "ImageError", "TIMEOUT"]

TIMEOUT = 5.0
"""Seconds an HTTP camera may take to answer."""


class ImageError(RuntimeError):
    """The unit's image cannot be had (missing file, unreachable URL, wrong size, not an image)."""


def image_location(camera: CameraSpec, serial: str) -> str:
    """The path or URL of the unit's image."""
    assert camera.source is not None
    text = camera.source.format(serial=serial, camera=camera.name)
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("file://"):
        text = urllib.parse.unquote(urllib.parse.urlparse(text).path)
    path = Path(text) if Path(text).is_absolute() else camera.base_dir / text
    if text == camera.source.removeprefix("file://") and "{" not in camera.source:  # no fields: a directory
        path = path / f"{serial}.png"
    return str(path)


def load_image(camera: CameraSpec, serial: str) -> np.ndarray:
    """The unit's RGB image (H, W, 3) uint8, checked against the camera's resolution.

    Raises:
        ImageError: one line naming the camera, where it looked and what is wrong.
    """
    import matplotlib.image

    if camera.source is None:
        raise ImageError(f"camera {camera.name} has no 'source' in the cell description; give a path or URL of its "
                         "images, e.g. source: images/{serial}.png")
    where = image_location(camera, serial)
    try:
        if where.startswith(("http://", "https://")):
            with urllib.request.urlopen(where, timeout=TIMEOUT) as reply:  # noqa: S310 - a URL the cell names
                data = io.BytesIO(reply.read())
            image = matplotlib.image.imread(data, format="png")
        else:
            image = matplotlib.image.imread(where)
    except FileNotFoundError:
        raise ImageError(f"camera {camera.name}: no image of unit {serial} at {where}") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"camera {camera.name}: cannot read the image of unit {serial} at {where} ({exc})") from None
    pixels = np.asarray(image)
    if pixels.dtype.kind == "f":
        pixels = np.round(pixels * 255.0)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    pixels = pixels[:, :, :3].astype(np.uint8)
    if pixels.shape[1::-1] != camera.resolution:
        raise ImageError(f"camera {camera.name}: the image at {where} is {pixels.shape[1]} x {pixels.shape[0]} px, "
                         f"the cell says {camera.resolution[0]} x {camera.resolution[1]}; fix 'resolution' or the "
                         "camera's settings")
    return pixels
