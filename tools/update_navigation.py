"""Write the series' navigation and contents from one list, notebooks/series.toml.

From the list (file, title, track, summary of every notebook, in reading order) this writes:

- in every notebook, the first and the last cell: markdown cells tagged ``navigation`` holding
  the previous/next links and a link to the contents (the first one also marks notebooks of the
  advanced track as optional);
- in every notebook, ``metadata.kernelspec``: the project's kernel, ``autoenc-viz``
  (``share/jupyter/kernels/autoenc-viz``: it keeps TensorFlow's log lines out of cells);
- the contents between the markers ``<!-- series:start -->`` and ``<!-- series:end -->`` in
  README.md, TEACHING.md and the notebook 00_start_here.ipynb;
- the list of exercises between ``<!-- exercises:start -->`` and ``<!-- exercises:end -->`` in
  TEACHING.md, read from the notebooks themselves: each ``### Exercise N: title`` heading, the
  sentence after ``*Practises:``, and "(autograded)" where a cell tagged ``autograde`` follows it.

The "Contents" link of every notebook points to the section of the first notebook that holds
the table (``00_start_here.ipynb#the-series``): a link inside the folder JupyterLab serves, so it
works there, in the built site and in student copies alike (00 links to its own section).

A notebook listed in series.toml whose file does not exist yet is skipped, with a message: the
links then join the notebooks that exist, and running the tool again once the file is there
links it in. A notebook file that series.toml does not list is an error.

Usage::

    .venv/bin/python tools/update_navigation.py           # rewrite what is stale
    .venv/bin/python tools/update_navigation.py --check   # exit 1 and list what is stale
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
SERIES = NOTEBOOK_DIR / "series.toml"
NAV_TAG = "navigation"
START, END = "<!-- series:start -->", "<!-- series:end -->"
EXERCISES_START, EXERCISES_END = "<!-- exercises:start -->", "<!-- exercises:end -->"
CONTENTS_ANCHOR = "#the-series"  # the heading of the section that holds the table, in 00
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+): (.+?)\s*$", flags=re.MULTILINE)
PRACTISES = re.compile(r"\*Practises:(\*?)\s*(.+?)(?:\n\s*\n|$)", flags=re.DOTALL)
KERNELSPEC = {"name": "autoenc-viz", "display_name": "Python (autoenc-viz)", "language": "python"}
TRACKS = ("core", "advanced")
ADVANCED_NOTE = (
    "**Advanced track (optional).** This notebook builds on the core path (notebooks 00-09) "
    "and goes further; skip it on a first pass, nothing in the core path needs it."
)


class Entry(NamedTuple):
    """One notebook of the series, as series.toml lists it."""

    file: str
    title: str
    track: str
    summary: str

    @property
    def number(self) -> str:
        return self.file[:2]

    @property
    def label(self) -> str:
        """``NN · Title``: the notebook's heading and the text of links to it."""
        return f"{self.number} · {self.title}"


def read_series(path: Path = SERIES) -> list[Entry]:
    """The notebooks of series.toml, in order; ValueError if an entry is malformed."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for i, item in enumerate(data.get("notebook", []), start=1):
        missing = {"file", "title", "track", "summary"} - set(item)
        if missing:
            raise ValueError(f"{path.name}: notebook {i} lacks {sorted(missing)}")
        if item["track"] not in TRACKS:
            raise ValueError(f"{path.name}: {item['file']}: track must be one of {TRACKS}")
        if not re.fullmatch(r"\d\d_\w+\.ipynb", item["file"]):
            raise ValueError(f"{path.name}: {item['file']!r} is not named NN_name.ipynb")
        entries.append(Entry(item["file"], item["title"], item["track"], item["summary"]))
    files = [e.file for e in entries]
    if len(set(files)) != len(files):
        raise ValueError(f"{path.name}: a notebook is listed twice")
    if not entries:
        raise ValueError(f"{path.name}: no [[notebook]] entries")
    return entries


# --- what the generated text looks like ------------------------------------------------------


def nav_line(entries: list[Entry], index: int) -> str:
    """``[← prev](prev.ipynb) | [Contents](...) | [next →](next.ipynb)`` for ``entries[index]``."""
    parts = []
    if index > 0:
        prev = entries[index - 1]
        parts.append(f"[← {prev.label}]({prev.file})")
    contents = "" if index == 0 else entries[0].file  # the first notebook holds the table
    parts.append(f"[Contents]({contents}{CONTENTS_ANCHOR})")
    if index + 1 < len(entries):
        nxt = entries[index + 1]
        parts.append(f"[{nxt.label} →]({nxt.file})")
    return " | ".join(parts)


def top_cell_text(entries: list[Entry], index: int) -> str:
    text = nav_line(entries, index)
    if entries[index].track == "advanced":
        text += "\n\n" + ADVANCED_NOTE
    return text


def bottom_cell_text(entries: list[Entry], index: int) -> str:
    return nav_line(entries, index)


def _table_rows(entries: list[Entry], prefix: str) -> list[str]:
    return [f"| [{e.label}]({prefix}{e.file}) | {e.summary} |" for e in entries]


def contents_markdown(entries: list[Entry], prefix: str) -> str:
    """Two tables, the core path and the advanced track, linking with ``prefix`` + file."""
    core = [e for e in entries if e.track == "core"]
    advanced = [e for e in entries if e.track == "advanced"]
    lines = ["**The core path**, in order:", "", "| notebook | what it teaches |", "|---|---|"]
    lines += _table_rows(core, prefix)
    if advanced:
        lines += ["", "**The advanced track** (optional; each builds on the core path):", "",
                  "| notebook | what it teaches |", "|---|---|"]
        lines += _table_rows(advanced, prefix)
    return "\n".join(lines)


def replace_between_markers(text: str, body: str, where: str,
                            start: str = START, end: str = END) -> str:
    """``text`` with everything between ``start`` and ``end`` replaced by ``body``."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{where}: needs exactly one {start} ... {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def _practises(text: str) -> str:
    """The sentence after ``*Practises:`` in an exercise's text, without the asterisks."""
    found = PRACTISES.search(text)
    if not found:
        return ""
    body = found.group(2)
    if not found.group(1):  # *Practises: what it practises.* -> up to the closing asterisk
        body = body.split("*", 1)[0]
    return " ".join(body.replace("*", "").split())


def exercise_list(nb: nbformat.NotebookNode, entry: Entry) -> str:
    """``**NN · Title**`` and a numbered line per exercise of ``nb``: title, autograded, practises.

    Raises ValueError when exercise numbers do not run 1, 2, 3, ... or an exercise does not say
    what it practises.
    """
    found: list[tuple[int, str, str, int]] = []  # number, title, text after the heading, cell
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        headings = list(EXERCISE_HEADING.finditer(cell.source))
        for k, heading in enumerate(headings):
            stop = headings[k + 1].start() if k + 1 < len(headings) else len(cell.source)
            found.append((int(heading.group(1)), heading.group(2),
                          cell.source[heading.end():stop], index))
    numbers = [number for number, *_ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise ValueError(f"{entry.file}: exercises numbered {numbers}, expected 1, 2, 3, ...")
    lines = [f"**{entry.label}**" + (" (advanced track)" if entry.track == "advanced" else "")]
    for k, (number, title, text, cell_index) in enumerate(found):
        practises = _practises(text)
        if not practises:
            raise ValueError(f"{entry.file}: exercise {number} does not say what it practises")
        stop = found[k + 1][3] if k + 1 < len(found) else len(nb.cells)
        graded = any("autograde" in cell.get("metadata", {}).get("tags", [])
                     for cell in nb.cells[cell_index + 1:stop + (k + 1 == len(found))])
        title = title[0].upper() + title[1:].rstrip(".?!") + ("?" if title.endswith("?") else ".")
        line = (f"{number}. *{title}*{' (autograded)' if graded else ''} Practises "
                f"{practises[0].lower()}{practises[1:]}")
        lines.append(textwrap.fill(line, width=99, subsequent_indent="   ",
                                   break_on_hyphens=False, break_long_words=False))
    return "\n".join(lines)


# --- notebooks --------------------------------------------------------------------------------


def is_nav(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and NAV_TAG in cell.get("metadata", {}).get("tags", [])


def nav_cell(text: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": [NAV_TAG]})
    cell["id"] = cell_id
    return cell


OLD_NAV = re.compile(r"^(?:\[← [^\n]*\| )?\[Contents\]\((?:\.\./README\.md#the-notebooks|"
                     r"(?:\d\d_\w+\.ipynb)?#the-series)\)[^\n]*$")


def _strip_old_nav(cell: nbformat.NotebookNode) -> bool:
    """Remove a hand-written navigation line from the start of a markdown cell; True if found."""
    lines = cell.source.split("\n")
    if cell.cell_type == "markdown" and lines and OLD_NAV.match(lines[0].strip()):
        cell.source = "\n".join(lines[1:]).lstrip("\n")
        return True
    return False


def updated_notebook(nb: nbformat.NotebookNode, entries: list[Entry], index: int,
                     contents: str | None = None) -> nbformat.NotebookNode:
    """A copy of ``nb`` with fresh navigation cells, kernelspec and (if given) contents."""
    nb = copy.deepcopy(nb)
    cells = list(nb.cells)
    top, bottom = top_cell_text(entries, index), bottom_cell_text(entries, index)
    if cells and is_nav(cells[0]):
        cells[0].source = top
    else:
        if cells:
            _strip_old_nav(cells[0])
        cells.insert(0, nav_cell(top, "navigation-top"))
    if len(cells) > 1 and is_nav(cells[-1]):
        cells[-1].source = bottom
    else:
        if len(cells) > 1 and cells[-1].cell_type == "markdown" and OLD_NAV.match(
                cells[-1].source.strip()):
            cells.pop()
        cells.append(nav_cell(bottom, "navigation-bottom"))
    if contents is not None:
        holders = [c for c in cells if c.cell_type == "markdown" and START in c.source]
        if len(holders) != 1:
            raise ValueError(f"{entries[index].file}: needs one markdown cell with {START}")
        holders[0].source = replace_between_markers(holders[0].source, contents,
                                                    entries[index].file)
    nb.cells = cells
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


# --- the whole job ----------------------------------------------------------------------------


def plan(root: Path = ROOT) -> tuple[dict[Path, str], list[str]]:
    """Every file's fresh text, and messages about skipped notebooks.

    Raises ValueError when a notebook file is not listed in series.toml.
    """
    notebook_dir = root / "notebooks"
    listed = read_series(notebook_dir / "series.toml")
    unlisted = sorted({p.name for p in notebook_dir.glob("*.ipynb")} - {e.file for e in listed})
    if unlisted:
        raise ValueError(f"notebooks not listed in notebooks/series.toml: {unlisted}")
    messages = [f"skipped {e.file}: listed in series.toml, but the file does not exist yet"
                for e in listed if not (notebook_dir / e.file).exists()]
    entries = [e for e in listed if (notebook_dir / e.file).exists()]
    fresh: dict[Path, str] = {}
    notebooks = {e.file: nbformat.read(notebook_dir / e.file, as_version=4) for e in entries}
    for name, prefix in [("README.md", "notebooks/"), ("TEACHING.md", "notebooks/")]:
        path = root / name
        if path.exists():
            text = replace_between_markers(
                path.read_text(encoding="utf-8"), contents_markdown(entries, prefix), name)
            if name == "TEACHING.md" and EXERCISES_START in text:
                exercises = "\n\n".join(exercise_list(notebooks[e.file], e) for e in entries)
                text = replace_between_markers(text, exercises, name,
                                               EXERCISES_START, EXERCISES_END)
            fresh[path] = text
    for index, entry in enumerate(entries):
        path = notebook_dir / entry.file
        nb = notebooks[entry.file]
        contents = contents_markdown(entries, "") if index == 0 else None
        fresh[path] = nbformat.writes(updated_notebook(nb, entries, index, contents)) + "\n"
    return fresh, messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if any file is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        fresh, messages = plan(args.root)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for message in messages:
        print(message)
    stale = [path for path, text in fresh.items() if path.read_text(encoding="utf-8") != text]
    names = [path.relative_to(args.root).as_posix() for path in stale]
    if args.check:
        if stale:
            print("stale navigation or contents (run tools/update_navigation.py): "
                  + ", ".join(names), file=sys.stderr)
            return 1
        print(f"navigation and contents are up to date ({len(fresh)} files)")
        return 0
    for path in stale:
        path.write_text(fresh[path], encoding="utf-8")
    listing = ": " + ", ".join(names) if names else ""
    print(f"updated {len(stale)} of {len(fresh)} files{listing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
