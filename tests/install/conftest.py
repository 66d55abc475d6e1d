"""Set-up of the class-install test (tests/install/test_class_install.py).

It builds and installs the project into a fresh virtual environment and runs a notebook there
(about 20-30 s), so a plain ``pytest tests`` (``make unit``) lists it as skipped; ``make
install-test`` runs it (it sets ``INSTALL_TESTS=1``), as does naming this folder on pytest's
command line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _targeted(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless asked for (see the module docstring)."""
    if os.environ.get("INSTALL_TESTS") == "1" or _targeted(config):
        return
    skip = pytest.mark.skip(reason="class-install test (about 30 s): `make install-test`")
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(skip)
