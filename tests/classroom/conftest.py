"""Set-up of the website tests (tests/classroom/test_book_site.py).

These tests need the built website (``make book``), so a plain ``pytest tests`` (``make unit``)
lists them as skipped; ``make classroom-test`` runs them (it sets ``CLASSROOM_TESTS=1``), as does
naming this folder on pytest's command line. Their ``chromium`` fixture is tests/conftest.py's:
without Chromium they are skipped with install advice, unless ``REQUIRE_BROWSER_TEST=1`` (CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import skip_folder_unless_asked

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless asked for (see the module docstring)."""
    skip_folder_unless_asked(config, items, HERE, "CLASSROOM_TESTS",
                             "website browser tests: `make classroom-test`")
