"""Set-up of the website tests (tests/classroom/test_book_site.py).

These tests need the built website (``make book``), so a plain ``pytest tests`` (``make unit``)
lists them as skipped; ``make classroom-test`` runs them (it sets ``CLASSROOM_TESTS=1``), as does
naming this folder on pytest's command line. Their ``chromium`` fixture is tests/conftest.py's:
without Chromium they are skipped with install advice, unless ``REQUIRE_BROWSER_TEST=1`` (CI).
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
    if os.environ.get("CLASSROOM_TESTS") == "1" or _targeted(config):
        return
    skip = pytest.mark.skip(reason="website browser tests: `make classroom-test`")
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(skip)
