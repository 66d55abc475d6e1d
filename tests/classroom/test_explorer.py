"""The hover explorer of notebook 06 works in a real JupyterLab, offline, in headless Chromium.

The explorer is the code cell tagged ``explorer`` (``ah.interactive_map`` + ``ah.show_interactive``,
bokeh with BokehJS inline). The test copies notebook 06 up to and including that cell, without
outputs, into a temporary folder served by its own JupyterLab (temporary config, data, runtime
and settings folders; nothing is written into the repository), opens it in headless Chromium
with every request that is not to that server blocked and recorded, runs all cells, then moves
the mouse over the map until a tooltip shows a digit's image (a ``data:image/png`` picture) and
its label, and taps the point to check the digit is pinned beside the map. No request may try to
leave the machine. A screenshot of the hover goes to screenshots/explorer-hover.png (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import nbformat
import pytest
from classroom_common import CHROMIUM_ARGS, ROOT

NOTEBOOK = ROOT / "notebooks" / "06_scatter_and_colormaps.ipynb"
SCREENSHOTS = ROOT / "screenshots"
TAG = "explorer"
RUN_TIMEOUT_S = float(os.environ.get("BROWSER_TEST_TIMEOUT", "240"))
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False,
                                                    "fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "kernelShutdown": True},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}


def explorer_index(notebook: nbformat.NotebookNode) -> int:
    found = [i for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]
    assert found, (f"{NOTEBOOK.name} has no code cell tagged {TAG!r}: the hover explorer "
                   "(ah.interactive_map) belongs after its first full map")
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[tuple[str, str,
                                                                                 int]]:
    """JupyterLab serving a copy of 06 up to its explorer; yields (base url, token, index)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    index = explorer_index(notebook)
    notebook.cells = notebook.cells[:index + 1]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    home = tmp_path_factory.mktemp("explorer")
    root = home / "notebooks"
    root.mkdir()
    nbformat.write(notebook, root / "explorer.ipynb")
    for plugin_id, values in LAB_SETTINGS.items():
        package, plugin = plugin_id.split(":")
        path = home / "settings" / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"),
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.allow_root=True", "--ServerApp.terminals_enabled=False",
               f"--LabApp.user_settings_dir={home / 'settings'}",
               f"--LabApp.workspaces_dir={home / 'workspaces'}"]
    log = (home / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (home / "server.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, "JupyterLab did not start in 120 s"
            time.sleep(0.5)
        yield base, token, index
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_hovering_a_point_shows_its_digit(lab: tuple[str, str, int], chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    base, token, index = lab
    outside: list[str] = []

    def route(route) -> None:  # noqa: ANN001 (playwright's Route)
        if route.request.url.startswith((base, "data:", "blob:", "ws://127.0.0.1")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}")
            cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
            page.wait_for_function(
                "n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
                arg=index + 1)
            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).click()
            page.locator(".lm-Menu-item:not(.lm-mod-disabled)").filter(
                has=page.locator(".lm-Menu-itemLabel",
                                 has_text=re.compile(r"^\s*Run All Cells\s*$"))).click()
            explorer = cells.nth(index)
            canvas = explorer.locator(".jp-OutputArea-output canvas").first
            canvas.wait_for(state="visible", timeout=RUN_TIMEOUT_S * 1000)
            errors = explorer.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
            assert errors.count() == 0, errors.all_inner_texts()
            explorer.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            box = canvas.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200, box
            # bokeh may attach its tooltip outside the cell; the notebook's figures are
            # data:image/png pictures too, so the tooltip's image is found by its alt text.
            tooltip_image = page.locator('img[alt^="the 8x8 image of item"][src^="data:image/png"]')
            hit = None
            for fy in [i / 24 for i in range(3, 22)]:
                for fx in [i / 24 for i in range(3, 22)]:
                    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
                    page.mouse.move(x, y)
                    page.wait_for_timeout(60)
                    if tooltip_image.count() and tooltip_image.first.is_visible():
                        hit = (x, y)
                        break
                if hit:
                    break
            SCREENSHOTS.mkdir(exist_ok=True)
            if not hit:
                page.screenshot(path=SCREENSHOTS / "explorer-hover-failed.png")
            assert hit, ("no tooltip with a digit's image appeared anywhere over the map "
                         "(screenshots/explorer-hover-failed.png)")
            image = tooltip_image.first
            size = image.evaluate("i => [i.complete, i.naturalWidth, i.width]")
            assert size[0] and size[1] == 8 and size[2] >= 48, size
            label = page.locator(".digit-tooltip").first
            assert re.search(r"label \d\s+item \d+", label.inner_text()), label.inner_text()
            page.screenshot(path=SCREENSHOTS / "explorer-hover.png")
            # tap (click) pins the digit beside the map
            page.mouse.click(*hit)
            pinned = page.locator('img[width="96"][alt^="the 8x8 image of item"]')
            pinned.first.wait_for(state="attached", timeout=10_000)
        finally:
            browser.close()
    assert not outside, "requests that tried to leave the machine:\n" + "\n".join(outside)
