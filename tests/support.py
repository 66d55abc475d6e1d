"""Shared pieces the test modules import by name (``from support import ...``).

Not in ``conftest.py``: tests/browser and tests/classroom have a ``conftest.py`` of their own, and
``from conftest import ...`` would find whichever of them pytest loaded first.
"""

import contextlib
import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The learner's own settings must not change a verdict: matplotlib, Keras, IPython
# and Jupyter read theirs from .test-config/ instead of the home folder, as the Makefile's test
# targets arrange (its TEST_ENV; tests/test_settings_isolation.py checks the two agree).
TEST_CONFIG = ROOT / ".test-config"
ISOLATED_SETTINGS = {
    "MPLCONFIGDIR": f"{TEST_CONFIG}/matplotlib",
    "MATPLOTLIBRC": f"{TEST_CONFIG}/matplotlib",
    "KERAS_HOME": f"{TEST_CONFIG}/keras",
    "IPYTHONDIR": f"{TEST_CONFIG}/ipython",
    "JUPYTER_CONFIG_DIR": f"{TEST_CONFIG}/jupyter",
    "JUPYTER_DATA_DIR": f"{TEST_CONFIG}/jupyter-data",
    "JUPYTERLAB_SETTINGS_DIR": f"{TEST_CONFIG}/jupyter/lab/user-settings",
    "JUPYTERLAB_WORKSPACES_DIR": f"{TEST_CONFIG}/jupyter/lab/workspaces",
    "MPLBACKEND": "",
    "KERAS_BACKEND": "tensorflow",
    "AUTOENC_VERBOSE": "0",
}


# Under pytest-xdist (`make test` runs two workers) each worker, and each notebook kernel its
# JupyterLab starts, computes on one thread: thread pools that spin while they wait (OpenMP in
# scikit-learn's t-SNE, OpenBLAS, TensorFlow's) slow everything down when two lanes share two
# cores (measured: notebook 07 took 3x as long). One lane alone keeps the libraries' defaults.
ONE_THREAD_PER_LANE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


def in_several_lanes() -> bool:
    """True inside a pytest-xdist worker of a run with more than one worker."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1


def load_module(path: Path) -> ModuleType:
    """Import the Python file ``path`` as a module named after it (for folders of scripts)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tool(name: str) -> ModuleType:
    """Import tools/<name>.py (tools/ is a folder of scripts, not a package)."""
    return load_module(ROOT / "tools" / f"{name}.py")


def offline_context(browser: Any, local: tuple[str, ...], blocked: list[str],
                    viewport: dict[str, int]) -> Any:
    """A Playwright browser context in which only addresses starting with one of ``local`` load.

    Every other request is aborted and its URL appended to ``blocked``, so a test can fail on it:
    the series and its website must work with no network at all.
    """

    def route(route: Any) -> None:
        if route.request.url.startswith(local):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport=viewport)
    context.route("**/*", route)
    return context


# --- headless Chromium (tests/browser and tests/classroom) ----------------------------------------

# The machine has no network: without these flags Chromium keeps trying to reach Google.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CHROMIUM_HINT = (
    "Chromium is not installed, so the browser tests (JupyterLab, the website) cannot run. "
    "Install it with `apt-get install chromium` (Debian/Ubuntu), then run `make test` (or "
    "`make classroom-test` for the website)."
)


def chromium_path() -> str:
    """The path of Debian's Chromium; skip the test without it (fail under REQUIRE_BROWSER_TEST=1,
    which .ci/run sets, so CI can never pass by skipping)."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("REQUIRE_BROWSER_TEST") == "1":
            pytest.fail(CHROMIUM_HINT + " (REQUIRE_BROWSER_TEST=1 makes this a failure)")
        pytest.skip(CHROMIUM_HINT)
    return path


def skip_folder_unless_asked(config: Any, items: list[Any], folder: Path, variable: str,
                             reason: str) -> None:
    """Mark the tests of ``folder`` skipped unless ``$variable`` is 1 or the folder (or a file in
    it) is named on pytest's command line: for slow test folders run by their own make target."""
    if os.environ.get(variable) == "1" or any(
            folder in (path := Path(arg.split("::")[0]).resolve()).parents or path == folder
            for arg in config.args):
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if folder in Path(item.fspath).resolve().parents:
            item.add_marker(skip)


@contextlib.contextmanager
def offline_site_page(chromium: str, server: str, outside: list[str],
                      errors: list[str]) -> Iterator[Any]:
    """A Chromium page that may load only from ``server`` (and data:/blob: URLs): every other
    request is blocked and recorded in ``outside``, JavaScript errors go to ``errors``. For the
    website tests (tests/classroom)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = offline_context(browser, (server, "data:", "blob:"), outside,
                                      {"width": 1300, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page
        finally:
            browser.close()


def play_to_the_last_frame(page: Any, player: Any, frame: Any, first: str) -> None:
    """Press Play on matplotlib's JavaScript animation ``player``: the ``frame`` (its <img>) must
    change from the ``first`` src within 20 s; then go to the last frame, which must differ from
    the first."""
    player.locator('button[title="Play"]').click()
    deadline = time.monotonic() + 20
    while frame.get_attribute("src") == first:
        assert time.monotonic() < deadline, "pressing Play did not change the frame"
        page.wait_for_timeout(100)
    player.locator('button[title="Last frame"]').click()
    page.wait_for_timeout(300)
    assert frame.get_attribute("src") not in (first, None), "the last frame is the first"
