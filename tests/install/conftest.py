"""Set-up of the class-install test (tests/install/test_class_install.py).

It builds and installs the project into a fresh virtual environment and runs a notebook there
(about 20-30 s), so a plain ``pytest tests`` (``make unit``) lists it as skipped; ``make
install-test`` runs it (it sets ``INSTALL_TESTS=1``), as does naming this folder on pytest's
command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import skip_folder_unless_asked

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless asked for (see the module docstring)."""
    skip_folder_unless_asked(config, items, HERE, "INSTALL_TESTS",
                             "class-install test (about 30 s): `make install-test`")
