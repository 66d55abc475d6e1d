"""Set-up shared by the classroom browser tests (the website and the hover explorer).

These tests need the built website (``make book``) and take a minute, so a plain ``pytest tests``
(``make unit``) lists them as skipped; ``make classroom-test`` runs them (it sets
``CLASSROOM_TESTS=1``), as does naming this folder on pytest's command line. Without Chromium
they are skipped with install advice, unless ``REQUIRE_BROWSER_TEST=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from classroom_common import INSTALL_HINT

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
    skip = pytest.mark.skip(reason="website and explorer browser tests: `make classroom-test`")
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium (skip, or fail under REQUIRE_BROWSER_TEST=1, without)."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("REQUIRE_BROWSER_TEST") == "1":
            pytest.fail(INSTALL_HINT + " (REQUIRE_BROWSER_TEST=1 makes this a failure)")
        pytest.skip(INSTALL_HINT)
    return path
