"""Digits (and other square images) as pictures: PNG bytes and ``data:`` URIs, no library."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from _autoenc import checks
from _autoenc.checks import PIXEL_MAX


def png_gray(image: np.ndarray) -> bytes:
    """Encode a 2-D uint8 array as an 8-bit greyscale PNG (no library needed)."""
    height, width = image.shape
    rows = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def png_uri(raw: np.ndarray, scale: int = 1) -> str:
    """One square image of raw grey levels 0-16 (flat, k * k values) as a PNG ``data:`` URI:
    dark ink on white, each pixel a ``scale`` x ``scale`` block."""
    side = int(round(np.sqrt(raw.size)))
    grey = (255 - np.rint(raw.reshape(side, side) * 255 / PIXEL_MAX)).astype(np.uint8)
    big = np.kron(grey, np.ones((scale, scale), dtype=np.uint8))
    return "data:image/png;base64," + base64.b64encode(png_gray(big)).decode("ascii")


def digit_png_uri(row: np.ndarray, scale: int = 1) -> str:
    """Return one image as a ``data:image/png;base64,...`` URI, dark ink on white. Behind
    ``interactive_map`` (06).

    ``row``: k*k pixel values (64 for a digit), raw (0-16) or scaled (0-1); each pixel becomes a
    ``scale`` x ``scale`` block. Raises ``ValueError`` for values out of range or not a square
    count, or ``scale`` < 1.
    """
    scale = checks.whole_number("scale", scale)
    return png_uri(checks.raw_row(row), scale)
