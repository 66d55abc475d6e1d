"""Build the series as a static website with Jupyter Book 1: ``_build/html/`` (``make book``).

The site is built from the notebooks' committed outputs (nothing is re-executed: nbval already
proves they are current), with Sphinx warnings as errors, and loads nothing from outside:

1. the repository's tracked files are copied to ``_build/book_src/`` (``git ls-files``; without
   git, every file outside generated folders), so links from the README, TEACHING.md and the
   notebooks to other files of the repository resolve;
2. in the copied notebooks, each ipywidgets view (it needs a live kernel) is replaced by a
   one-line note (the notebooks follow such cells with a static figure), and each bokeh plot
   becomes a stand-alone one, BokehJS inline, so the hover explorer works in the static page;
3. for students (the default), worked solutions are folded away: a code solution cell (input and
   output) behind a "Show the worked solution" toggle, a written one in a closed dropdown; CI
   and grading cells (tags ``check``, ``autograde``) are removed; the teacher build
   (``--teacher``) shows solutions open;
4. ``_toc.yml`` is written there from notebooks/series.toml (core track, then advanced), after
   book/index.md, the learners' front page (its list of lessons written here too), then
   README.md, TEACHING.md and docs/grading.md for teachers, then every other tracked markdown
   file;
5. ``jupyter-book build`` runs with ``-W --keep-going`` and the settings in book/_config.yml
   (maths typeset by a bundled MathJax 3, see book/_ext/offline_site.py);
6. each page's download button serves the student copy of its notebook
   (tools/make_student_copies.py; the teacher build serves the full notebooks), and the theme's
   unrendered template ``_static/webpack-macros.html`` is removed.

Usage::

    python tools/build_book.py            # students' site in _build/html/
    python tools/build_book.py --teacher  # solutions open, teacher pages: _build/teacher/html/
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_student_copies import make_student_notebook  # noqa: E402

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
)
BOKEH_EXEC = "application/vnd.bokehjs_exec.v0+json"
CONTENTS_MARK = "<!-- contents: written by tools/build_book.py from notebooks/series.toml -->"
SOLUTION_PROMPT = "Show the worked solution"
HIDDEN_TAGS = {"check", "autograde"}
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


@functools.cache
def bokeh_js() -> str:
    """Return BokehJS (core and widgets) as one inline script's text."""
    from bokeh.resources import Resources

    return "\n".join(Resources(mode="inline", components=["bokeh", "bokeh-widgets"]).js_raw)


def standalone_bokeh(cell: nbformat.NotebookNode) -> bool:
    """Turn, in place, the bokeh plot a notebook shows (its ``<div>`` output and the embedding
    script beside the bokehjs exec output) into one HTML output that works in a static page:
    BokehJS inline, then ``Bokeh.embed.embed_items``. Return True if the cell had a plot."""
    exec_outputs = [o for o in cell.get("outputs", []) if BOKEH_EXEC in o.get("data", {})]
    if not exec_outputs:
        return False
    divs = [o for o in cell.outputs if "data-root-id" in str(o.get("data", {}).get("text/html"))]
    script = exec_outputs[0].data["application/javascript"]
    if not divs or "embed_items_notebook(" not in script:
        raise ValueError(f"cell {cell.get('id')}: a bokeh output without its <div> or script")
    script = script.replace("embed_items_notebook(", "embed_items(")
    html = (divs[0].data["text/html"] + '<script type="text/javascript">' + bokeh_js()
            + "</script>\n" + '<script type="text/javascript">' + script + "</script>\n")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    return True


def with_static_fallbacks(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Make, in place, each live output work or explain itself in a static page; return the
    notebook. A bokeh plot becomes stand-alone (``standalone_bokeh``); every other live output
    (see ``is_live_output``) is replaced by a short note; a cell's other outputs stay."""
    for cell in notebook.cells:
        if cell.cell_type != "code" or standalone_bokeh(cell):
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


def with_folded_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Fold, in place, each worked solution away for students and remove CI and grading cells;
    return the notebook. A code solution (input and output) hides behind a toggle, a written
    one (markdown) in a closed dropdown."""
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if HIDDEN_TAGS & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
        if "solution" not in tags:
            continue
        if cell.cell_type == "code":
            tags.append("hide-cell")
            cell.metadata.setdefault("mystnb", {})["code_prompt_show"] = SOLUTION_PROMPT
        elif cell.cell_type == "markdown":
            fence = ":" * max(4, max((len(run) for run in re.findall(r"^:{3,}", cell.source,
                                                                      re.M)), default=0) + 1)
            cell.source = (f"{fence}{{dropdown}} Worked answer\n:class-container: solution\n\n"
                           f"{cell.source}\n{fence}")
    return notebook


def lesson_list(series: list[dict]) -> str:
    """Return the front page's list of lessons (markdown), core track then advanced."""
    lines = []
    for track, caption in (("core", "Core lessons"), ("advanced", "Advanced lessons (optional)")):
        entries = [e for e in series if e.get("track", "core") == track]
        if entries:
            lines += ["", f"**{caption}**", ""]
            lines += [f"- [{Path(e['file']).stem[:2]} · {e['title']}](notebooks/{e['file']}): "
                      f"{e['summary']}" for e in entries]
    return "\n".join(lines).lstrip("\n") + "\n"


def table_of_contents(stage: Path, series: list[dict]) -> str:
    """Return _toc.yml (jb-book format) for the files present in ``stage``."""
    def chapters(files: list[str]) -> list[str]:
        return [f"      - file: {Path(name).with_suffix('').as_posix()}" for name in files]

    lines = ["# Written by tools/build_book.py from notebooks/series.toml; do not edit.",
             "format: jb-book", "root: index", "parts:"]
    tracks = [("core", "The series"), ("advanced", "Advanced (optional)")]
    listed = {"index.md"}
    for track, caption in tracks:
        files = [f"notebooks/{entry['file']}" for entry in series
                 if entry.get("track", "core") == track and (stage / "notebooks" /
                                                               entry["file"]).is_file()]
        if files:
            lines += [f"  - caption: {caption}", "    chapters:", *chapters(files)]
            listed |= set(files)
    lines += ["  - caption: About the series", "    chapters:", *chapters(["README.md"])]
    listed.add("README.md")
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


def stage_sources(root: Path = ROOT, stage: Path = STAGE, teacher: bool = False) -> Path:
    """Copy the book's sources into ``stage`` (replaced) and return it; solutions folded
    away unless ``teacher``."""
    if stage.exists():
        shutil.rmtree(stage)
    for name in tracked_files(root):
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.suffix == ".ipynb":
            notebook = with_static_fallbacks(nbformat.read(root / name, as_version=4))
            if not teacher:
                with_folded_solutions(notebook)
            nbformat.write(notebook, target)
        else:
            shutil.copy2(root / name, target)
    # The book's own files, also when they are not committed yet.
    for extra in ("book/_config.yml", "book/_ext/offline_site.py", "book/index.md",
                  "docs/grading.md"):
        if (root / extra).is_file():
            (stage / extra).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / extra, stage / extra)
    with (root / "notebooks" / "series.toml").open("rb") as handle:
        series = tomllib.load(handle)["notebook"]
    index = (stage / "book" / "index.md").read_text(encoding="utf-8")
    (stage / "index.md").write_text(index.replace(CONTENTS_MARK, lesson_list(series)),
                                    encoding="utf-8")
    (stage / "_toc.yml").write_text(table_of_contents(stage, series), encoding="utf-8")
    return stage


def finish_site(html: Path, notebooks: Path, teacher: bool = False) -> None:
    """After the build: downloads serve student copies (unless ``teacher``); the theme's
    unrendered ``webpack-macros.html`` (a Jinja template, its links point nowhere) goes."""
    (html / "_static" / "webpack-macros.html").unlink(missing_ok=True)
    if teacher:
        return
    sources = html / "_sources" / "notebooks"
    for master_path in sorted(notebooks.glob("*.ipynb")):
        student = make_student_notebook(nbformat.read(master_path, as_version=4))
        nbformat.validate(student)
        nbformat.write(student, sources / master_path.name)


def build(root: Path = ROOT, teacher: bool = False) -> tuple[int, Path]:
    """Stage the sources and run Jupyter Book; return its exit status and the site's folder
    (``_build/html/``, or ``_build/teacher/html/`` for the teacher build)."""
    work = root / "_build" / "teacher" if teacher else root  # Jupyter Book adds _build/
    stage = stage_sources(root, work / "_build" / "book_src", teacher)
    html = work / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage),
               "--config", str(root / "book" / "_config.yml"), "--toc", str(stage / "_toc.yml"),
               "--path-output", str(work), "--builder", "html",
               "-W", "--keep-going", "--quiet"]
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    result = subprocess.run(command, cwd=stage, env=env)
    if result.returncode == 0:
        finish_site(html, root / "notebooks", teacher)
    if teacher and html.exists():
        site = root / "_build" / "teacher" / "html"
        if site.exists():
            shutil.rmtree(site)
        html.rename(site)
        html = site
    return result.returncode, html


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build, then print the time taken and where the site is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher", action="store_true",
                        help="solutions shown open, teacher pages, full notebooks as downloads; "
                             "built in _build/teacher/html/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    status, html = build(ROOT, args.teacher)
    seconds = time.perf_counter() - started
    if status != 0:
        print(f"book: build failed after {seconds:.1f} s (see the warnings above)",
              file=sys.stderr)
        return status
    pages = len(list(html.rglob("*.html")))
    print(f"book: {pages} pages in {html.relative_to(ROOT)}/ built in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
