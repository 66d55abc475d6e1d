"""Every notebook runs in a real JupyterLab, in headless Chromium, the way a reader runs it.

``make browser-test`` (part of ``make test``) runs this file alone; ``make unit`` leaves it out.

The notebooks are shared out between pytest-xdist workers (``make browser-test`` runs two, so a
2-core machine runs two notebooks at a time; each worker and the kernels its server starts
compute on one thread, see tests/support.py). In each worker, one JupyterLab server (from this
environment, on a free localhost port, with a random token) serves a temporary copy of
notebooks/, with its own temporary Jupyter config, data, runtime and settings folders, so nothing
is written into the repository. The settings turn autosave off,
keep the news pop-up away, attach every cell to the page (``windowingMode: none``, so off-screen
cells can be checked) and shut a notebook's kernel down when its tab closes.

The worker's headless Chromium, driven by Playwright, then opens each notebook from the file
browser and clicks the menus a reader would: Edit > Clear Outputs of All Cells (so the committed
outputs cannot pass for new ones), then Run > Run All Cells. When the kernel is idle and every
cell has run, it checks that

- no cell shows an error or anything on stderr;
- each cell shows as many figures (loaded PNG images) as the committed notebook holds;
- each widget the committed notebook displays is a live control on the page, and no output
  says "Error displaying widget";
- in 02, moving the digit browser's "item" slider with the keyboard changes the digit shown;
- in 06, hovering over the bokeh explorer shows a digit's 8x8 image and label in a tooltip, and
  tapping the point pins it beside the map (screenshot: screenshots/explorer-hover.png);
- in 04, the map-forming animation plays: Play changes the frame, and the last frame is not the
  first (screenshots: map-animation-first.png, map-animation-last.png);
- in 08, pointing at an empty place of the "why is this digit here?" map shows the decoder's
  picture of that place, and pointing at a digit shows it, its reconstruction and its
  neighbours (screenshots: why-here-empty.png, why-here-digit.png);
- the outputs JupyterLab produced match the committed ones exactly as ``pytest --nbval``
  (strict, with tests/nbval_sanitize.cfg) would judge them: the notebook model is read from the
  page (``window.jupyterapp``, exposed by ``--LabApp.expose_app_in_browser``, nothing is saved)
  and compared by nbval's own code (tests/browser/nbval_compare.py). So each notebook is
  executed once for both checks, and ``make test`` does not run nbval separately.

Every request the page makes that is not to the test's own server is blocked and recorded, and
each notebook's test fails if there was any: the series, the explorer's BokehJS included, works
offline. A screenshot of each notebook that fails goes to screenshots/ (gitignored), of every
notebook with ``BROWSER_TEST_SCREENSHOTS=all`` (each costs about 2 s); the tab is then closed
without saving, and the notebook's file, in the served copy and in notebooks/, must be unchanged.
The servers and the browsers are shut down even when a test fails. The summary ends with each
notebook's seconds per phase (open, run, checks, screenshot, close; tests/browser/conftest.py).

Without Chromium the tests are skipped, saying how to install it; with ``REQUIRE_BROWSER_TEST=1``
(set by .ci/run) a missing Chromium is a failure instead. ``BROWSER_TEST_TIMEOUT`` (seconds,
default 600) bounds each notebook's run (a guard against hangs: this run is now the only one
``make test`` makes, and on a busy 2-core machine notebooks 04-09 took over 240 s each);
``BROWSER_TEST_NOTEBOOKS`` points the test at another folder of notebooks (e.g. student/).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbval_compare import compare_notebooks
from playwright.sync_api import Locator, Page, sync_playwright
from support import CHROMIUM_ARGS, offline_context, play_to_the_last_frame

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = Path(os.environ.get("BROWSER_TEST_NOTEBOOKS", ROOT / "notebooks")).resolve()
# The order in which the notebooks are handed to the lanes (pytest-xdist workers): the longest
# first (from the phase table of a `make test` run), then the rest by name, so that the two lanes
# end at roughly the same time (xdist hands each worker two tests at the start and keeps about two
# queued, so the balance is only rough). Only that balance depends on the order, never a verdict:
# each notebook runs in its own kernel, and none depends on another having run. A test checks
# that every name here is a notebook.
LONGEST_FIRST = ["08_a_better_map", "04_training", "07_comparing_methods", "09_your_own_data",
                 "12_parametric_maps", "10_training_speed", "05_saving_and_loading",
                 "06_scatter_and_colormaps"]
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"), key=lambda path: (
    LONGEST_FIRST.index(path.stem) if path.stem in LONGEST_FIRST else len(LONGEST_FIRST),
    path.name))
SCREENSHOTS = ROOT / "screenshots"
SCREENSHOT_ALL = os.environ.get("BROWSER_TEST_SCREENSHOTS", "") == "all"  # else: failures only
SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"
RUN_TIMEOUT_S = float(os.environ.get("BROWSER_TEST_TIMEOUT", "600"))
SERVER_START_TIMEOUT_S = 120
VIEWPORT = {"width": 1400, "height": 1000}
MAX_SCREENSHOT_HEIGHT = 16_000

LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False,
                                                    "fetchNews": "false"},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "kernelShutdown": True},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}

STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Lab:
    """A running JupyterLab server."""

    base_url: str
    token: str
    root: Path
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}?token={self.token}"

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API; return the decoded JSON answer (None if empty)."""
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(folder: Path) -> None:
    """Write user settings (``<plugin>.jupyterlab-settings`` files) that override the defaults."""
    for plugin_id, values in LAB_SETTINGS.items():
        package, plugin = plugin_id.split(":")
        path = folder / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def file_hash(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``, or None where there is none."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def file_hashes(folder: Path) -> dict[str, str | None]:
    return {p.name: file_hash(p) for p in folder.glob("*.ipynb")}


@pytest.fixture(scope="module")
def on_disk_before() -> dict[str, str | None]:
    """The notebooks' hashes before anything ran."""
    return file_hashes(NOTEBOOK_DIR)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, chromium: str,
        on_disk_before: dict[str, str | None]) -> Iterator[Lab]:
    """A JupyterLab server on a temporary copy of the notebooks; shut down afterwards."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_lab_settings(home / "settings")
    port, token = free_port(), secrets.token_hex(24)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.allow_root=True", "--ServerApp.terminals_enabled=False",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        # window.jupyterapp: the test reads the executed notebook from the page, unsaved
        "--LabApp.expose_app_in_browser=True",
    ]
    server = Lab(f"http://127.0.0.1:{port}", token, root, home / "server.log")
    with server.log.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.url("/lab"), timeout=10) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/lab did not answer 200 in {SERVER_START_TIMEOUT_S} s:\n"
                            f"{server.log_tail()}")
            time.sleep(0.5)
        yield server
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (it shuts its kernels down), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the browser --------------------------------------------------------------------------------


# Requests the page tried to send anywhere but the test's own server (blocked; every notebook's
# test fails while this list is not empty): the series must work offline, BokehJS included.
OUTSIDE_REQUESTS: list[str] = []


@pytest.fixture(scope="module")
def page(lab: Lab, chromium: str) -> Iterator[Page]:
    """One Chromium tab showing JupyterLab, shared by all notebooks; requests that would leave
    the machine are blocked and recorded in OUTSIDE_REQUESTS."""
    local = (lab.base_url, lab.base_url.replace("http://", "ws://"), "data:", "blob:")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            tab = offline_context(browser, local, OUTSIDE_REQUESTS, VIEWPORT).new_page()
            tab.set_default_timeout(60_000)
            tab.goto(lab.url("/lab"))
            tab.locator(".jp-DirListing-item").first.wait_for()
            yield tab
        finally:
            browser.close()


def exactly(text: str) -> re.Pattern[str]:
    """A pattern for Playwright's ``has_text`` that matches ``text`` and nothing more."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def click_menu(page: Page, menu: str, item: str) -> None:
    """Open ``menu`` in JupyterLab's menu bar and click ``item``, as a person would."""
    page.locator(".lm-MenuBar-item").filter(has_text=exactly(menu)).click()
    label = page.locator(".lm-Menu-itemLabel", has_text=exactly(item))
    page.locator(".lm-Menu .lm-Menu-item:not(.lm-mod-disabled)").filter(has=label).click()


def open_notebook(page: Page, name: str, n_cells: int) -> Locator:
    """Double-click ``name`` in the file browser; return its panel once all cells are shown."""
    page.locator(".jp-DirListing-itemText").filter(has_text=exactly(name)).dblclick()
    panel = page.locator(".jp-NotebookPanel")
    panel.locator(".jp-Notebook").wait_for()
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length === n",
        arg=n_cells,
    )
    return panel


def kernel_status(panel: Locator) -> str | None:
    return panel.locator(".jp-Notebook-ExecutionIndicator").get_attribute("data-status")


def wait_for_kernel_idle(page: Page, panel: Locator, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while kernel_status(panel) != "idle":
        assert time.monotonic() < deadline, f"kernel not idle after {timeout_s} s"
        page.wait_for_timeout(250)


# Per cell: its prompt, the figures and live widgets among its top-level outputs, and whether
# it is a code cell. Nested outputs (inside an Output widget) are not counted.
CELL_STATE_JS = """
panel => [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => {
  const outputs = [...cell.querySelectorAll(
      ':scope .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output')];
  const figures = outputs.filter(o => o.getAttribute('data-mime-type') === 'image/png')
      .filter(o => [...o.querySelectorAll('img')].some(i => i.complete && i.naturalWidth > 0));
  const widgets = outputs.filter(o => [...o.querySelectorAll('.jupyter-widgets')].some(w => {
      const box = w.getBoundingClientRect(); return box.width > 0 && box.height > 0; }));
  const prompt = cell.querySelector('.jp-InputPrompt');
  return {code: cell.classList.contains('jp-CodeCell'),
          prompt: prompt ? prompt.textContent.trim() : '',
          figures: figures.length, widgets: widgets.length};
})
"""


def cell_states(panel: Locator) -> list[dict[str, Any]]:
    return panel.evaluate(CELL_STATE_JS)


def error_texts(panel: Locator) -> list[str]:
    return [text[:500] for text in panel.locator(STDERR).all_inner_texts()]


# Each cell's execution count as JupyterLab's notebook model holds it (null: not run, or not code).
# Read from the model, not from the prompts: a cell whose input is collapsed (``source_hidden``,
# the series' check cells) has no prompt in the page.
EXECUTION_COUNTS_JS = """
() => { const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        if (!panel || !panel.content || !panel.content.model) { return null; }
        const cells = panel.content.model.cells, counts = [];
        for (let i = 0; i < cells.length; i++) {
            const cell = cells.get(i);
            counts.push(cell.type === 'code' ? (cell.executionCount ?? null) : null);
        }
        return counts; }
"""


def wait_until_run_finished(page: Page, panel: Locator, committed: nbformat.NotebookNode,
                            timeout_s: float) -> None:
    """Wait until the kernel is idle, nothing is queued and every non-empty code cell has run
    (or an error stopped the run); the state must hold for two polls in a row."""
    must_run = [c.cell_type == "code" and c.source.strip() != "" for c in committed.cells]
    deadline = time.monotonic() + timeout_s
    settled = 0
    while settled < 2:
        states = cell_states(panel)
        queued = any("*" in s["prompt"] for s in states)
        counts = page.evaluate(EXECUTION_COUNTS_JS)  # from the model: hidden inputs show no prompt
        not_run = [i for i, s in enumerate(states) if must_run[i] and (
            counts[i] is None if counts is not None
            else not re.search(r"\[\d+\]", s["prompt"]))]
        done = (kernel_status(panel) == "idle" and not queued
                and (not not_run or panel.locator(STDERR).count() > 0))
        settled = settled + 1 if done else 0
        if time.monotonic() > deadline:
            pytest.fail(f"not finished after {timeout_s:.0f} s: kernel {kernel_status(panel)!r}, "
                        f"cells still to run: {not_run}; errors so far: {error_texts(panel)}")
        page.wait_for_timeout(500)


def run_all_cells(page: Page, panel: Locator, start_timeout_s: float = 30) -> None:
    """Click Run > Run All Cells and wait until the first cell is queued or running.

    Rarely (seen on a loaded 2-core machine) the click is lost: no cell is ever queued. Only
    then, when no cell shows ``[*]`` or a number yet, is the click repeated (once), so no cell
    can run twice. A busy kernel alone is no sign that the run started: clearing a big
    notebook's outputs (04's animation) can keep it busy for a moment while nothing is queued.
    """
    for attempt in range(2):
        click_menu(page, "Run", "Run All Cells")
        deadline = time.monotonic() + start_timeout_s
        while time.monotonic() < deadline:
            prompts = [s["prompt"] for s in cell_states(panel) if s["code"]]
            if any(re.search(r"\[[\d*]+\]", p) for p in prompts):
                return
            page.wait_for_timeout(250)
        print(f"Run All Cells started nothing in {start_timeout_s:.0f} s (attempt {attempt + 1})")
    pytest.fail(f"Run All Cells started no cell, twice, within {start_timeout_s:.0f} s each")


def expected_counts(committed: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """(figures, widgets) among each committed cell's outputs."""
    counts = []
    for cell in committed.cells:
        outputs = cell.get("outputs", [])
        counts.append((sum("image/png" in o.get("data", {}) for o in outputs),
                       sum(WIDGET_VIEW in o.get("data", {}) for o in outputs)))
    return counts


def check_figures_and_widgets(page: Page, panel: Locator,
                              committed: nbformat.NotebookNode) -> None:
    """Every committed figure and widget is on the page (images may need a moment to load)."""
    expected = expected_counts(committed)
    deadline = time.monotonic() + 20
    while True:
        states = cell_states(panel)
        found = [(s["figures"], s["widgets"]) for s in states]
        if found == expected or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    wrong = [
        f"cell {i} ({committed.cells[i].source.strip()[:50]!r}): "
        f"{want[0]} figures and {want[1]} widgets expected, "
        f"{got[0]} loaded figures and {got[1]} live widgets shown"
        for i, (want, got) in enumerate(zip(expected, found, strict=True)) if want != got
    ]
    hint = ""
    if any(got[1] < want[1] for want, got in zip(expected, found, strict=True)):
        hint = ("\n(widgets shown as text: is the widget extension installed and enabled? "
                "`jupyter labextension list` should show @jupyter-widgets/jupyterlab-manager "
                "enabled OK)")
    assert not wrong, "figures or widgets missing:\n" + "\n".join(wrong) + hint


# --- interactions that only some notebooks offer ------------------------------------------------


def check_digit_browser(page: Page, panel: Locator) -> None:
    """02: moving the "item" slider (keyboard, as a person might) changes the digit shown."""
    item_slider = page.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=exactly("item")))
    slider = panel.locator(item_slider)
    assert slider.count() == 1, "the digit browser's 'item' slider is not on the page"
    output = panel.locator(".jp-Cell-outputArea > .jp-OutputArea-child").filter(has=item_slider)
    handle = slider.locator(".noUi-handle")

    def shown() -> str:
        """The text of the browser's output without the slider's own label and readout."""
        return output.evaluate(
            """o => { const copy = o.cloneNode(true);
                      copy.querySelectorAll('.widget-slider').forEach(s => s.remove());
                      return copy.innerText.trim(); }"""
        )

    def press_and_wait(key: str, before: str) -> str:
        handle.focus()
        handle.press(key)
        deadline = time.monotonic() + 30
        while (after := shown()) == before:
            assert time.monotonic() < deadline, f"the digit shown did not change after {key}"
            page.wait_for_timeout(250)
        return after

    first = shown()
    assert re.search(r"(^|\n)([0-9A-G] ){7}[0-9A-G]($|\n)", first), (
        f"no 8x8 hex grid in the digit browser: {first!r}"
    )
    second = press_and_wait("ArrowRight", first)
    assert handle.get_attribute("aria-valuenow") in ("1", "1.0")
    last = press_and_wait("End", second)
    assert last not in (first, second)


def check_hover_explorer(page: Page, panel: Locator) -> None:
    """06: hovering over the bokeh map shows a digit's 8x8 image and its label in a tooltip,
    and tapping the point pins the digit beside the map. Screenshot: explorer-hover.png."""
    cells = panel.locator(".jp-Notebook .jp-Cell")
    explorer = cells.filter(has=page.locator(".jp-OutputArea-output canvas")).first
    canvas = explorer.locator(".jp-OutputArea-output canvas").first
    canvas.wait_for(state="visible", timeout=30_000)
    explorer.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, f"the map is too small: {box}"
    # bokeh may attach its tooltip outside the cell, and the notebook's figures are
    # data:image/png pictures too, so the tooltip's image is found by its alt text.
    tooltip_image = page.locator('img[alt^="the 8x8 image of item"][src^="data:image/png"]')
    hit = None
    for fy in [i / 24 for i in range(3, 22)]:
        for fx in [i / 24 for i in range(3, 22)]:
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            page.mouse.move(x, y)
            page.wait_for_timeout(40)
            if tooltip_image.count() and tooltip_image.first.is_visible():
                hit = (x, y)
                break
        if hit:
            break
    assert hit, "no tooltip with a digit's image appeared anywhere over the explorer's map"
    size = tooltip_image.first.evaluate("i => [i.complete, i.naturalWidth, i.width]")
    assert size[0] and size[1] == 8 and size[2] >= 48, f"the tooltip's image: {size}"
    label = page.locator(".digit-tooltip").first.inner_text()
    assert re.search(r"label \d\s+item \d+", label), f"the tooltip's text: {label!r}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "explorer-hover.png")
    page.mouse.click(*hit)  # a tap pins the digit beside the map
    page.locator('img[width="96"][alt^="the 8x8 image of item"]').first.wait_for(
        state="attached", timeout=10_000)


def check_map_animation(page: Page, panel: Locator) -> None:
    """04: the map-forming animation plays (the frame shown changes) and its last frame is not
    its first. Screenshots: map-animation-first.png, map-animation-last.png."""
    cell = panel.locator(".jp-Notebook .jp-Cell").filter(has=page.locator(".anim-slider"))
    assert cell.count() == 1, "the map animation's player is not on the page"
    frame = cell.locator('img[id^="_anim_img"]')
    cell.scroll_into_view_if_needed()
    frame.wait_for(state="visible", timeout=30_000)
    first = frame.get_attribute("src")
    assert first and first.startswith("data:image/png"), "the animation shows no frame"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cell.screenshot(path=SCREENSHOTS / "map-animation-first.png")
    play_to_the_last_frame(page, cell, frame, first)
    cell.screenshot(path=SCREENSHOTS / "map-animation-last.png")


def check_why_here_explorer(page: Page, panel: Locator) -> None:
    """08: pointing at an empty place of the map shows the decoder's 8x8 picture of that place;
    pointing at a digit shows it, its reconstruction and its two rows of 5 neighbours.
    Screenshots: why-here-empty.png, why-here-digit.png."""
    cell = panel.locator(".jp-Notebook .jp-Cell").filter(has=page.locator(".why-here-panel"))
    assert cell.count() == 1, "the why-is-this-digit-here explorer is not on the page"
    canvas = cell.locator(".jp-OutputArea-output canvas").first
    canvas.wait_for(state="visible", timeout=30_000)
    cell.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, f"the map is too small: {box}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for view, pictures in (("why-empty", 1), ("why-digit", 12)):
        shown = cell.locator(f".{view}")
        for fy, fx in ((i / 20, j / 20) for i in range(2, 19) for j in range(2, 15)):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            page.wait_for_timeout(30)
            if shown.count():
                break
        assert shown.count(), f"pointing over the map never showed the {view} view"
        images = shown.first.locator("svg[role=img]")
        assert images.count() == pictures, f"{view}: {images.count()} pictures, not {pictures}"
        assert shown.first.locator("svg[role=img]").first.locator("rect").count() == 64
        cell.screenshot(path=SCREENSHOTS / f"{view.replace('why-', 'why-here-')}.png")


INTERACTIONS: dict[str, Callable[[Page, Locator], None]] = {
    "02_showing_a_digit.ipynb": check_digit_browser,
    "06_scatter_and_colormaps.ipynb": check_hover_explorer,
    "04_training.ipynb": check_map_animation,
    "08_a_better_map.ipynb": check_why_here_explorer,
}


# --- the outputs, compared as nbval strict compares them ----------------------------------------

EXECUTED_MODEL_JS = """
() => { const app = window.jupyterapp;
        if (!app) { return null; }
        const panel = app.shell.currentWidget;
        return panel && panel.context
            ? {path: panel.context.path, notebook: panel.context.model.toJSON()} : null; }
"""


def executed_notebook(page: Page, name: str) -> nbformat.NotebookNode:
    """The open notebook as JupyterLab holds it now (with this run's outputs), unsaved."""
    found = page.evaluate(EXECUTED_MODEL_JS)
    assert found is not None, ("cannot read the notebook from the page: "
                               "is JupyterLab started with --LabApp.expose_app_in_browser?")
    assert found["path"] == name, f"the current tab shows {found['path']}, not {name}"
    return nbformat.from_dict(found["notebook"])


def check_outputs_match_committed(page: Page, name: str,
                                  committed: nbformat.NotebookNode) -> None:
    """What ``pytest --nbval`` (strict, tests/nbval_sanitize.cfg) checks, on this run."""
    failures = compare_notebooks(committed, executed_notebook(page, name), SANITIZE_FILE)
    assert not failures, ("outputs differ from the committed ones (as nbval strict judges):\n"
                          + "\n\n".join(failures))


# --- closing ------------------------------------------------------------------------------------


def save_screenshot(page: Page, panel: Locator, name: str) -> None:
    """Screenshot of the whole notebook: the window is made as tall as the notebook."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # scroll to the top, then measure from the top of the window to the bottom of the last cell
    bottom = panel.evaluate(
        """p => { const scroller = p.querySelector('.jp-WindowedPanel-outer');
                  if (scroller) { scroller.scrollTop = 0; }
                  const cells = p.querySelectorAll('.jp-Cell');
                  return cells.length ? cells[cells.length - 1].getBoundingClientRect().bottom
                                      : 0; }"""
    )
    height = max(VIEWPORT["height"], min(int(bottom) + 100, MAX_SCREENSHOT_HEIGHT))
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / f"{Path(name).stem}.png")
    page.set_viewport_size(VIEWPORT)


def discard_until_closed(page: Page, failure: str) -> None:
    """Answer "Discard" to every save prompt until no notebook tab is open (30 s at most)."""
    deadline = time.monotonic() + 30
    while page.locator(".jp-NotebookPanel").count():
        discard = page.locator(".jp-Dialog button", has_text=re.compile("^(Discard|Don't)"))
        if discard.count():
            discard.first.click()
        assert time.monotonic() < deadline, failure
        page.wait_for_timeout(250)


def close_without_saving(page: Page, lab: Lab) -> None:
    """Close the notebook tab, answering "Discard" to the save prompt; then have every session
    (and so its kernel) deleted, in the background."""
    page.keyboard.press("Escape")
    if page.locator(".jp-NotebookPanel").count():
        click_menu(page, "File", "Close Tab")
        discard_until_closed(page, "the notebook tab did not close")
    # Closing the tab already asks JupyterLab to shut the kernel down (``kernelShutdown``); the
    # sessions that remain are deleted in the background, so the next notebook need not wait
    # the seconds a TensorFlow kernel takes to exit.
    sessions = lab.api("GET", "/api/sessions")
    threading.Thread(target=delete_sessions, args=(lab, sessions), daemon=True).start()


def delete_sessions(lab: Lab, sessions: list[dict[str, Any]]) -> None:
    """Delete the given sessions (each one stops its kernel); the server may already be gone."""
    for session in sessions:
        with contextlib.suppress(OSError):
            lab.api("DELETE", f"/api/sessions/{session['id']}")


# --- the tests ----------------------------------------------------------------------------------


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"
    stale = set(LONGEST_FIRST) - {path.stem for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert not stale, f"LONGEST_FIRST names notebooks that do not exist: {sorted(stale)}"


class Phases:
    """Seconds spent in each phase of one notebook's test, for the summary (see conftest.py).

    ``next(phase)`` ends the phase in progress and starts ``phase``; a phase that fails is
    still charged its time when the next one (the screenshot, in ``finally``) starts. The times
    travel in the test report's ``user_properties``, so the summary sees them also when the
    notebooks run in several pytest-xdist workers."""

    def __init__(self, request: pytest.FixtureRequest, first: str):
        self.times: dict[str, float] = {}
        self._phase, self._start = first, time.monotonic()
        request.node.user_properties.append(("phase_seconds", self.times))

    def next(self, phase: str | None) -> None:
        now = time.monotonic()
        self.times[self._phase] = self.times.get(self._phase, 0.0) + now - self._start
        self._phase, self._start = phase or "", now


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS], ids=lambda n: Path(n).stem)
def test_notebook_runs_in_jupyterlab(name: str, page: Page, lab: Lab,
                                     on_disk_before: dict[str, str | None],
                                     request: pytest.FixtureRequest):
    committed = nbformat.read(lab.root / name, as_version=4)  # the copy JupyterLab serves
    phases = Phases(request, "open")
    (SCREENSHOTS / f"{Path(name).stem}.png").unlink(missing_ok=True)  # none left from before
    panel = open_notebook(page, name, len(committed.cells))
    failed = True
    try:
        wait_for_kernel_idle(page, panel, timeout_s=120)
        phases.next("run")
        click_menu(page, "Edit", "Clear Outputs of All Cells")
        run_all_cells(page, panel)
        wait_until_run_finished(page, panel, committed, RUN_TIMEOUT_S)
        phases.next("checks")
        errors = error_texts(panel)
        assert not errors, "error or stderr output:\n" + "\n---\n".join(errors)
        outputs_text = "\n".join(panel.locator(".jp-Cell-outputArea").all_inner_texts())
        assert "Error displaying widget" not in outputs_text, "a widget failed to display"
        check_outputs_match_committed(page, name, committed)
        check_figures_and_widgets(page, panel, committed)
        if name in INTERACTIONS:
            INTERACTIONS[name](page, panel)
        # checked after every notebook, so the verdict does not depend on which test runs last
        assert not OUTSIDE_REQUESTS, ("requests to outside the machine (blocked):\n"
                                      + "\n".join(sorted(set(OUTSIDE_REQUESTS))))
        failed = False
    finally:
        phases.next("screenshot")
        if failed or SCREENSHOT_ALL:
            try:
                save_screenshot(page, panel, name)
            except Exception as error:  # noqa: BLE001 - the test's own failure must stay visible
                warnings.warn(f"no screenshot of {name}: {error}", stacklevel=1)
        phases.next("close")
        close_without_saving(page, lab)
        phases.next(None)
    unchanged = on_disk_before[name]
    assert file_hash(lab.root / name) == unchanged, f"JupyterLab saved {name} (autosave on?)"
    assert file_hash(NOTEBOOK_DIR / name) == unchanged, f"{name} changed in {NOTEBOOK_DIR}"


def test_contents_link_opens_the_start_notebook(page: Page, lab: Lab):
    """The "Contents" link at the top of a notebook opens 00, which holds the table, in JupyterLab
    (a link outside the folder JupyterLab serves, such as ../README.md, would do nothing)."""
    name = "01_data_format.ipynb"
    committed = nbformat.read(lab.root / name, as_version=4)
    panel = open_notebook(page, name, len(committed.cells))
    try:
        panel.locator(".jp-MarkdownCell a", has_text=exactly("Contents")).first.click()
        page.locator(".lm-TabBar-tab", has_text=exactly("00_start_here.ipynb")).wait_for()
        start = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        start.locator(".jp-MarkdownCell h2", has_text="The series").first.wait_for()
        assert start.locator(".jp-MarkdownCell a", has_text="01 · The data format").count()
    finally:
        page.keyboard.press("Escape")
        click_menu(page, "File", "Close All Tabs")  # both notebooks, nothing changed in them
        discard_until_closed(page, "the notebook tabs did not close")
        delete_sessions(lab, lab.api("GET", "/api/sessions"))
