"""Where the series reads its data and keeps its trained models: folders a teacher can move.

Both are looked up each time they are asked for (not once at import), so a setting made in a
notebook, a kernel or a JupyterHub spawner takes effect without reinstalling anything:

``AUTOENC_DATA_DIR``
    The folder holding ``digits_uci_test_1797.txt``, ``iris.csv`` and ``README.md``. Default:
    ``data/`` beside ``autoenc_helpers.py`` in a clone of the repository (also with an editable
    install), else the copy that ``pip install .`` puts in ``<environment>/share/autoenc-viz/data``.
``AUTOENC_MODELS_DIR``
    Where notebooks save trained models (``ah.MODELS_DIR``; notebook 04 saves, 05 and 07 load).
    Default: ``models/`` beside ``autoenc_helpers.py`` in a clone that the user can write to (so a
    learner's own clone keeps its models with the notebooks), else a per-user cache folder,
    ``platformdirs.user_cache_path("autoenc-viz") / "models"`` (``~/.cache/autoenc-viz/models``
    on Linux, or below ``$XDG_CACHE_HOME``; ``~/Library/Caches/autoenc-viz/models`` on macOS;
    ``%LOCALAPPDATA%\\autoenc-viz\\Cache\\models`` on Windows), so that the students of a shared
    installation never share, or fail to write, one folder.

A value of ``~`` or ``~user`` at the start of either setting is expanded; a relative one is taken
from the current working folder. Neither folder is created here: saving a model creates the
models folder; a data folder that does not exist gives ``FileNotFoundError`` when a file is read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
"""The folder holding ``autoenc_helpers.py``: a clone of the repository, or site-packages."""

DATA_ENV = "AUTOENC_DATA_DIR"
MODELS_ENV = "AUTOENC_MODELS_DIR"
APP_NAME = "autoenc-viz"
INSTALLED_DATA = Path("share") / APP_NAME / "data"
"""Where ``pip install .`` puts data/, below the environment's prefix (pyproject data-files)."""


def _from_environment(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().absolute() if value else None


def is_clone(root: Path | None = None) -> bool:
    """Return True if ``root`` (default: ``PACKAGE_ROOT``) is the repository itself: it has
    pyproject.toml and data/."""
    root = PACKAGE_ROOT if root is None else root
    return (root / "pyproject.toml").is_file() and (root / "data").is_dir()


def data_dir() -> Path:
    """Return the data folder: ``$AUTOENC_DATA_DIR``, the clone's ``data/``, or the installed
    copy below ``sys.prefix`` (see the module docstring). Read at each call."""
    chosen = _from_environment(DATA_ENV)
    if chosen is not None:
        return chosen
    if is_clone():
        return PACKAGE_ROOT / "data"
    return Path(sys.prefix) / INSTALLED_DATA


def models_dir() -> Path:
    """Return the models folder: ``$AUTOENC_MODELS_DIR``, a writable clone's ``models/``, or the
    user's cache folder (see the module docstring). Read at each call."""
    chosen = _from_environment(MODELS_ENV)
    if chosen is not None:
        return chosen
    if is_clone() and os.access(PACKAGE_ROOT, os.W_OK):
        return PACKAGE_ROOT / "models"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False) / "models"
