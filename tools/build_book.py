"""Build the series as a static website with Jupyter Book 1: ``_build/html/`` (``make book``).

The site is built from the notebooks' committed outputs (nothing is re-executed: nbval already
proves they are current), with Sphinx warnings as errors, and loads nothing from outside:

1. the repository's tracked files are copied to ``_build/book_src/`` (``git ls-files``; without
   git, every file outside generated folders), so links from the README, TEACHING.md and the
   notebooks to other files of the repository resolve;
2. in the copied notebooks, each output that needs a live kernel to show anything (an ipywidgets
   view, a bokeh plot) is replaced by a one-line note: the notebooks follow such cells with a
   static figure for readers without a kernel;
3. ``_toc.yml`` is written there from notebooks/series.toml (core track, then advanced), after
   README.md as the home page, then TEACHING.md and docs/grading.md for teachers, then every
   other tracked markdown file;
4. ``jupyter-book build`` runs with ``-W --keep-going`` and the settings in book/_config.yml.

Usage::

    python tools/build_book.py            # prints the build time; exit status 1 on any warning
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STAGE = BUILD / "book_src"
HTML = BUILD / "html"
CONFIG = ROOT / "book" / "_config.yml"
SKIP_DIRS = {".git", ".venv", "_build", "course", "student", "models", "figures", "screenshots",
             "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "build"}

# Output types that show nothing without a live kernel (widget state is not saved).
LIVE_MIME_TYPES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.bokehjs_load.v0+json",
    "application/vnd.bokehjs_exec.v0+json",
)
LIVE_NOTE = (
    "Interactive: this control appears when the notebook runs in JupyterLab with a live Python "
    "kernel. A website cannot run Python, so the figure that follows shows what it draws."
)
def tracked_files(root: Path = ROOT) -> list[Path]:
    """Return the repository's files to publish, relative to ``root``."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True,
                                 capture_output=True).stdout.decode()
        files = [Path(name) for name in listing.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            files += [Path(dirpath, name).relative_to(root) for name in filenames]
    return [name for name in files if (root / name).is_file()]


def is_live_output(output: nbformat.NotebookNode) -> bool:
    """Return True if ``output`` needs a live kernel or saved widget state to show anything."""
    data = output.get("data", {})
    if any(mime in data for mime in LIVE_MIME_TYPES):
        return True
    html = data.get("text/html", "")
    html = "".join(html) if isinstance(html, list) else html
    return "Bokeh" in html and "<script" in html


def with_static_fallbacks(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Replace, in place, each live output (see ``is_live_output``) by a short note; return
    the notebook. A cell's other outputs (text, figures) stay."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs, noted = [], False
        for output in cell.get("outputs", []):
            if not is_live_output(output):
                outputs.append(output)
            elif not noted:
                outputs.append(nbformat.v4.new_output(
                    "display_data",
                    data={"text/html": f'<p class="live-only"><em>{LIVE_NOTE}</em></p>',
                          "text/plain": LIVE_NOTE}))
                noted = True
        cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return notebook


def table_of_contents(stage: Path, series: list[dict]) -> str:
    """Return _toc.yml (jb-book format) for the files present in ``stage``."""
    def chapters(files: list[str]) -> list[str]:
        return [f"      - file: {Path(name).with_suffix('').as_posix()}" for name in files]

    lines = ["# Written by tools/build_book.py from notebooks/series.toml; do not edit.",
             "format: jb-book", "root: README", "parts:"]
    tracks = [("core", "The series"), ("advanced", "Advanced (optional)")]
    listed = {"README.md"}
    for track, caption in tracks:
        files = [f"notebooks/{entry['file']}" for entry in series
                 if entry.get("track", "core") == track and (stage / "notebooks" /
                                                               entry["file"]).is_file()]
        if files:
            lines += [f"  - caption: {caption}", "    chapters:", *chapters(files)]
            listed |= set(files)
    teachers = [name for name in ("TEACHING.md", "docs/grading.md") if (stage / name).is_file()]
    if teachers:
        lines += ["  - caption: For teachers", "    chapters:", *chapters(teachers)]
        listed |= set(teachers)
    others = sorted(path.relative_to(stage).as_posix() for path in stage.rglob("*.md")
                    if not path.relative_to(stage).as_posix().startswith(("_", "book/", ".")))
    others = [name for name in others if name not in listed]
    if others:
        lines += ["  - caption: Reference", "    chapters:", *chapters(others)]
    return "\n".join(lines) + "\n"


def stage_sources(root: Path = ROOT, stage: Path = STAGE) -> Path:
    """Copy the book's sources into ``stage`` (replaced) and return it."""
    if stage.exists():
        shutil.rmtree(stage)
    for name in tracked_files(root):
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.suffix == ".ipynb":
            notebook = with_static_fallbacks(nbformat.read(root / name, as_version=4))
            nbformat.write(notebook, target)
        else:
            shutil.copy2(root / name, target)
    # The book's own files, also when they are not committed yet.
    for extra in ("book/_config.yml", "book/_ext/offline_site.py", "docs/grading.md"):
        if (root / extra).is_file():
            (stage / extra).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / extra, stage / extra)
    with (root / "notebooks" / "series.toml").open("rb") as handle:
        series = tomllib.load(handle)["notebook"]
    (stage / "_toc.yml").write_text(table_of_contents(stage, series), encoding="utf-8")
    return stage


def build(root: Path = ROOT, output: Path = BUILD) -> int:
    """Stage the sources and run Jupyter Book; return its exit status."""
    stage = stage_sources(root, output / "book_src")
    html = output / "html"
    if html.exists():
        shutil.rmtree(html)
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
               "--config", str(root / "book" / "_config.yml"), "--toc", str(stage / "_toc.yml"),
               "--path-output", str(output.parent), "--builder", "html",
               "-W", "--keep-going", "--quiet"]
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    result = subprocess.run(command, cwd=stage, env=env)
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build, then print the time taken and where the site is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    started = time.perf_counter()
    status = build()
    seconds = time.perf_counter() - started
    if status != 0:
        print(f"book: build failed after {seconds:.1f} s (see the warnings above)",
              file=sys.stderr)
        return status
    pages = len(list(HTML.rglob("*.html")))
    print(f"book: {pages} pages in {HTML.relative_to(ROOT)}/ built in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
