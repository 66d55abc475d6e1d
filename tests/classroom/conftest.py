"""Set-up of the website tests (tests/classroom): the built site and a local server for it.

These tests need the built website (``make book``), so a plain ``pytest tests`` (``make unit``)
lists them as skipped; ``make classroom-test`` runs them (it sets ``CLASSROOM_TESTS=1``), as does
naming this folder on pytest's command line. Their ``chromium`` fixture is tests/conftest.py's:
without Chromium they are skipped with install advice, unless ``REQUIRE_BROWSER_TEST=1`` (CI).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT, skip_folder_unless_asked

HERE = Path(__file__).resolve().parent
SITE = ROOT / "_build" / "html"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless asked for (see the module docstring)."""
    skip_folder_unless_asked(config, items, HERE, "CLASSROOM_TESTS",
                             "website browser tests: `make classroom-test`")


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail("no website in _build/html/: run `make book` first")
    return SITE


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """A local HTTP server for the site, on a free port of 127.0.0.1."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
