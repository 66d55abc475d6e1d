"""Every validation rule of ``autoenc_helpers``, each written once.

Each public helper that needs a rule calls the function here, so a fix reaches all of them:

- ``whole_number``: counts and sizes (epochs, batch sizes, colours, digits to draw, ...);
- ``finite``: no NaN or infinite value, with the count and the first row and column;
- ``labels_for``: one label per item, none NaN;
- ``map_points``: points of a 2-D map, shape (n, 2), real and finite;
- ``same_items``: arrays that describe the same items (data, points, labels);
- ``raw_pixels``: the pixel-scale rule (raw 0-16, or scaled 0-1) and square images;
- ``layer_sizes``: a symmetric list of layer widths with the code in the middle.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

N_PIXELS = 64
"""Pixels per UCI digit (8 x 8)."""
PIXEL_MAX = 16
"""The largest raw pixel value of the UCI digits (grey levels 0-16)."""


def whole_number(name: str, value: Any, minimum: int | None = 1) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` unless it is a whole number
    (Python or NumPy integer, not a bool) of at least ``minimum`` (no lower limit if None)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or (
            minimum is not None and value < minimum):
        wanted = "a whole number" + ("" if minimum is None else f" of at least {minimum}")
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)


def positive_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise ``ValueError`` unless it is a finite real number
    above 0 (Python or NumPy, a 0-d array too; not a bool or a string)."""
    number = value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value
    if isinstance(number, bool) or not isinstance(number, int | float | np.integer | np.floating) \
            or not np.isfinite(number) or not number > 0:
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return float(number)


def real_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a NumPy array of real numbers, or raise ``ValueError`` naming it."""
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise ValueError(f"{name} must be real numbers, got dtype {array.dtype}")
    return array


def finite(name: str, array: np.ndarray, advice: str = "") -> np.ndarray:
    """Return ``array`` unchanged, or raise ``ValueError`` when it holds NaN or infinite values.

    The message gives how many values are bad and where the first one is (row, and column for
    a 2-D array), since one such value spreads through every later computation; ``advice`` is
    appended. Nothing is ever dropped silently.
    """
    bad = ~np.isfinite(array)
    if not bad.any():
        return array
    first = tuple(int(i[0]) for i in np.nonzero(bad))
    where = f"row {first[0]}" + (f", column {first[1]}" if len(first) > 1 else "")
    raise ValueError(
        f"{name} hold {int(bad.sum())} NaN or infinite value(s), the first at {where}: "
        f"{array[first]}" + (f". {advice}" if advice else "")
    )


def labels_for(labels: Any, n: int, name: str = "labels") -> np.ndarray:
    """Return one label per item as a 1-D array of length ``n``; refuse NaN labels."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"got {n} points but {name} of shape {labels.shape}")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError(f"{name} contain NaN; give every point a label")
    return labels


def map_points(points: Any) -> np.ndarray:
    """Return the points of a map as float64 of shape (n, 2), n >= 1, every value finite.

    NaN or infinite points are refused with how many there are and the first row: a map
    cannot place them, and they are never dropped silently.
    """
    points = real_array("points", points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    if len(points) == 0:
        raise ValueError("no points to draw")
    with np.errstate(over="ignore"):
        points = points.astype(np.float64)
    rows = ~np.isfinite(points).all(axis=1)
    if rows.any():
        bad = np.flatnonzero(rows)
        raise ValueError(
            f"{len(bad)} of {len(points)} points are NaN or infinite (the first is row "
            f"{bad[0]}: {points[bad[0]].tolist()}); a map cannot place them, and they are not "
            "dropped silently. Check the model's training (a NaN loss?) or the input rows"
        )
    return points


def same_items(**arrays: Any) -> dict[str, np.ndarray]:
    """Convert the named arrays to NumPy and check that they describe the same items.

    Arrays whose name ends in ``labels`` must have shape (n,), all others shape (n, d) with
    real, finite values (a NaN in the data would silently turn results into NaN). All must
    have the same length n.
    """
    out = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in out.items():
        if name.endswith("labels"):
            if value.ndim != 1:
                raise ValueError(
                    f"{name} must be one label per item, shape (n,), got {value.shape}")
            continue
        if value.ndim != 2:
            raise ValueError(f"{name} must have shape (n, d), got {value.shape}")
        finite(name, real_array(name, value))
    lengths = {name: len(value) for name, value in out.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"all arrays must describe the same items, but {listed}")
    return out


def image_side(width: int) -> int | None:
    """The side k of a square image of ``width`` = k * k pixels, or None if not square."""
    side = math.isqrt(width)
    return side if side * side == width and side > 0 else None


def raw_pixels(values: Any, n: int | None = None) -> np.ndarray:
    """The pixel-scale rule: return images as float64 raw grey levels 0-16, shape (n, k * k).

    Accepts (n, k * k) or (n, k, k) arrays of square images, any side k (8 for the digits):
    raw values 0-16 or scaled values 0-1 (as ``load_digits_file`` and ``load_table`` return).
    The scale is decided once for the whole array: all values within [0, 1] means scaled
    (multiplied by 16). Raises ``ValueError`` for images that are not square, a count other
    than ``n``, NaN, or values outside 0-16 (e.g. 0-255 images: divide them by 255 first).
    """
    array = real_array("images", values).astype(np.float64)
    if array.ndim == 3 and array.shape[1] == array.shape[2]:
        array = array.reshape(len(array), -1)
    if array.ndim != 2 or image_side(array.shape[1]) is None:
        raise ValueError(
            f"images must have shape (n, {N_PIXELS}) or (n, 8, 8) for the digits, or (n, k*k) "
            f"or (n, k, k) for other square images, got {array.shape}")
    if n is not None and len(array) != n:
        raise ValueError(f"got {len(array)} images for {n} points")
    if np.isnan(array).any():
        raise ValueError("images contain NaN")
    if array.size and (array.min() < 0 or array.max() > PIXEL_MAX):
        hint = "; 8-bit images (0-255): divide them by 255 first" if array.max() <= 255 else ""
        raise ValueError(
            f"pixel values must lie in 0-{PIXEL_MAX} (raw) or 0-1 (scaled), got values from "
            f"{array.min():g} to {array.max():g}{hint}")
    if array.size and array.max() <= 1.0:
        array = array * PIXEL_MAX
    return array


def raw_row(row: Any) -> np.ndarray:
    """One image (any shape with k * k values) as raw grey levels 0-16, flat; see ``raw_pixels``.

    Raises ``ValueError`` naming the count for a row that is not a square number of values.
    """
    flat = real_array("pixel values", row).ravel()
    if image_side(flat.size) is None:
        raise ValueError(f"expected {N_PIXELS} pixel values (8x8), or another square count "
                         f"k*k, got {flat.size}")
    return raw_pixels(flat[None, :])[0]


def layer_sizes(sizes: Any) -> tuple[int, ...]:
    """Return a symmetric list of layer widths with the code in the middle as Python ints."""
    sizes = tuple(np.asarray(sizes).ravel().tolist()) if isinstance(sizes, np.ndarray) \
        else tuple(sizes)
    if len(sizes) < 3:
        raise ValueError(f"layer_sizes needs at least 3 sizes (input, bottleneck, output): {sizes}")
    if len(sizes) % 2 == 0:
        raise ValueError(
            f"layer_sizes must have an odd length so one bottleneck sits in the middle: {sizes}")
    if any(isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1 for n in sizes):
        raise ValueError(f"layer sizes must be positive integers: {sizes}")
    sizes = tuple(int(n) for n in sizes)
    if sizes != sizes[::-1]:
        raise ValueError(f"layer_sizes must be symmetric (read the same backwards): {sizes}")
    return sizes
