"""The trained book model, saved once and checked before it is reused.

A damaged file (empty, truncated, not a .keras zip, unreadable by Keras, another architecture,
NaN weights) is never used; a file is written under a temporary name and renamed into place,
so a crash mid-write never leaves a half-written file at the final path.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np


def load_checked(path: Path, expected: Any) -> tuple[Any | None, str]:
    """Load a cached model; return ``(model, "")``, or ``(None, what is wrong with the file)``.

    ``expected`` is a freshly built model of the architecture the file must hold.
    """
    import keras

    size = path.stat().st_size
    if size == 0:
        return None, "it is empty (0 bytes)"
    if not zipfile.is_zipfile(path):
        return None, f"it is not a .keras (zip) file ({size} bytes; truncated or overwritten?)"
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
        if broken is not None:
            return None, f"its part {broken!r} is corrupt"
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - any failure to load means a damaged cache
        return None, f"Keras cannot load it ({type(error).__name__}: {str(error)[:200]})"
    got = [tuple(w.shape) for w in model.weights]
    want = [tuple(w.shape) for w in expected.weights]
    if got != want or model.input_shape != expected.input_shape:
        return None, f"it holds another architecture (weight shapes {got}, expected {want})"
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        return None, "its weights contain NaN or infinite values"
    return model, ""


def save_atomically(model: Any, path: Path) -> None:
    """Save ``model`` to ``path`` under a temporary name in the same folder, then rename it
    into place (``os.replace``); the temporary file is removed on error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partial-{os.getpid()}.keras")
    try:
        model.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
