"""Build an nbgrader course from the committed notebooks: one assignment per notebook.

``make assignments`` runs ``python tools/make_assignments.py --release``: it writes ``course/``
(gitignored) with nbgrader's layout and then runs ``nbgrader generate_assignment`` for every
assignment, so ``course/release/<assignment>/`` holds what learners get. docs/grading.md says how
a teacher releases, collects and grades with nbgrader's own commands.

Each notebook ``notebooks/NN_name.ipynb`` becomes ``course/source/NN_name/NN_name.ipynb``:

- a *code* cell tagged ``solution`` becomes an nbgrader solution cell whose whole source is one
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region (the release shows
  ``# Your solution here`` instead);
- a *markdown* cell tagged ``solution`` becomes a manually graded answer cell (nbgrader stops on
  a markdown solution cell that is not graded) worth its ``metadata.grading.points`` (default
  1, so formgrader lists it for grading); the release shows "Your answer here." and the teacher
  reads and scores what the learner wrote;
- a cell tagged ``autograde`` (the hidden asserts that follow an exercise's worked solution)
  becomes a locked, autograded test cell worth its ``metadata.grading.points`` (default 1;
  docs/grading.md, "Points and wrong answers") whose body lies inside
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, after one visible comment line, so the
  release keeps a runnable cell that says what happens after submission;
- a cell tagged ``check`` (a check that exists only for CI) is left out, as in student copies;
- outputs, execution counts and ``metadata.widgets`` are cleared; every other cell is unchanged.

Links keep working in nbgrader's folders (``source/``, ``release/``, ``submitted/<student>/``,
``autograded/<student>/`` and a learner's fetched copy all put assignments side by side):
``02_x.ipynb#part`` becomes ``../02_x/02_x.ipynb#part``, ``../README.md#the-notebooks`` becomes
``README.md#the-notebooks``, a contents page written into every assignment from
notebooks/series.toml, and any other relative link to a file of the repository is copied into the
assignment folder under the same relative path and pointed there.

Usage::

    python tools/make_assignments.py                      # every notebook -> course/source/
    python tools/make_assignments.py --release            # ... and nbgrader generate_assignment
    python tools/make_assignments.py --course DIR 01_data_format.ipynb
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SERIES_FILE = NOTEBOOKS / "series.toml"
DEFAULT_COURSE = ROOT / "course"
COURSE_ID = "autoencoders"
KERNEL_NAME = "autoenc-viz"
DEFAULT_POINTS = 1

SOLUTION_TAG = "solution"
AUTOGRADE_TAG = "autograde"
CHECK_TAG = "check"
CODE_STUB = "# Your solution here"
TEXT_STUB = "Your answer here."
TEST_HEADER = "# Hidden tests check your answer to the exercise above when your work is graded."
CONTENTS_FILE = "README.md"

NBGRADER_CONFIG = f'''\
# nbgrader settings for this course; written by tools/make_assignments.py (do not edit here).
import os

c = get_config()  # noqa: F821 (nbgrader defines get_config)
c.CourseDirectory.course_id = "{COURSE_ID}"
c.ClearSolutions.code_stub = {{"python": "{CODE_STUB}"}}
c.ClearSolutions.text_stub = "{TEXT_STUB}"
# Grade in the learners' kernel (make setup installs it), whatever a submission says.
c.Execute.kernel_name = "{KERNEL_NAME}"
c.Execute.timeout = 600
# The exchange folder for release_assignment, collect and release_feedback: $NBGRADER_EXCHANGE,
# else nbgrader's default. It must exist and be writable by the teacher and every learner.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
'''

LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def read_series(series_file: Path = SERIES_FILE) -> list[dict]:
    """Return the ``[[notebook]]`` tables of series.toml, in reading order.

    Raises ``FileNotFoundError`` if the file is missing and ``ValueError`` if it lists no notebook.
    """
    with series_file.open("rb") as handle:
        series = tomllib.load(handle).get("notebook", [])
    if not series:
        raise ValueError(f"{series_file} lists no [[notebook]]")
    return series


def tags_of(cell: nbformat.NotebookNode) -> list[str]:
    """Return the cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def points_of(cell: nbformat.NotebookNode) -> int:
    """Return the points a graded cell is worth: ``metadata.grading.points`` (default 1).

    Raises ``ValueError`` naming the cell when the value is not a non-negative whole number.
    """
    points = cell.get("metadata", {}).get("grading", {}).get("points", DEFAULT_POINTS)
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValueError(f"cell {cell.get('id')!r}: grading.points must be a whole number >= 0, "
                         f"not {points!r}")
    return points


def grade_id(cell: nbformat.NotebookNode, kind: str, number: int) -> str:
    """Return a unique nbgrader grade id for ``cell`` from its kind and position."""
    base = re.sub(r"[^A-Za-z0-9_-]", "-", str(cell.get("id", "")))
    return f"{kind}-{number}-{base}" if base else f"{kind}-{number}"


def nbgrader_meta(cell_id: str, *, solution: bool, grade: bool, locked: bool,
                  points: float | None = None) -> dict:
    """Return the ``metadata.nbgrader`` dict of one cell (schema version 3)."""
    meta = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points if points is not None else 0
    return meta


def rewrite_link(target: str, stems: set[str], source_dir: Path,
                 copies: dict[str, Path]) -> str:
    """Return ``target`` (a markdown link in a notebook of ``source_dir``) as seen from its
    assignment folder; record files that must be copied beside it in ``copies``."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "/")):
        return target
    path, hash_, fragment = target.partition("#")
    suffix = hash_ + fragment
    if path.endswith(".ipynb") and "/" not in path and Path(path).stem in stems:
        stem = Path(path).stem
        return f"../{stem}/{stem}.ipynb{suffix}"
    resolved = (source_dir / path).resolve()
    if resolved == (ROOT / "README.md").resolve():
        return CONTENTS_FILE + suffix
    try:
        relative = resolved.relative_to(ROOT)
    except ValueError:
        return target
    if not resolved.is_file():
        return target
    copies[relative.as_posix()] = resolved
    return relative.as_posix() + suffix


def to_source_notebook(master: nbformat.NotebookNode, stems: set[str],
                       source_dir: Path = NOTEBOOKS,
                       copies: dict[str, Path] | None = None) -> nbformat.NotebookNode:
    """Return the nbgrader source version of ``master`` (left unchanged); see the module doc.

    ``stems`` names the notebooks that are assignments of the course (for links); files that
    links point to are added to ``copies`` (relative path -> file).
    """
    copies = {} if copies is None else copies
    notebook = copy.deepcopy(master)
    cells = []
    counts = {"solution": 0, "answer": 0, "tests": 0}
    for cell in notebook.cells:
        tags = tags_of(cell)
        if CHECK_TAG in tags and AUTOGRADE_TAG not in tags and SOLUTION_TAG not in tags:
            continue
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(
                lambda m: m.group(1) + rewrite_link(m.group(2), stems, source_dir, copies)
                + m.group(3), cell.source)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if AUTOGRADE_TAG in tags and cell.cell_type == "code":
            counts["tests"] += 1
            cell.source = (f"{TEST_HEADER}\n### BEGIN HIDDEN TESTS\n{cell.source.rstrip()}\n"
                           "### END HIDDEN TESTS")
            cell.metadata["nbgrader"] = nbgrader_meta(
                grade_id(cell, "tests", counts["tests"]), solution=False, grade=True,
                locked=True, points=points_of(cell))
            # Learners should see that the cell is there and what it is for.
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if not cell.metadata.get("jupyter", True):
                del cell.metadata["jupyter"]
        elif SOLUTION_TAG in tags and cell.cell_type == "code":
            counts["solution"] += 1
            cell.source = f"### BEGIN SOLUTION\n{cell.source.rstrip()}\n### END SOLUTION"
            cell.metadata["nbgrader"] = nbgrader_meta(
                grade_id(cell, "solution", counts["solution"]), solution=True, grade=False,
                locked=False)
        elif SOLUTION_TAG in tags and cell.cell_type == "markdown":
            counts["answer"] += 1
            cell.metadata["nbgrader"] = nbgrader_meta(
                grade_id(cell, "answer", counts["answer"]), solution=True, grade=True,
                locked=False, points=points_of(cell))
        cells.append(cell)
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)
    return notebook


def contents_page(series: list[dict], stems: set[str]) -> str:
    """Return the course's contents page (markdown) with links that work inside an assignment."""
    lines = [
        "# Autoencoders for seeing data: the assignments",
        "",
        "Each notebook of the series is one assignment, in its own folder beside the others.",
        "Work through them in order.",
        "",
        "## The notebooks",
        "",
        "| notebook | track | what it teaches |",
        "|---|---|---|",
    ]
    for entry in series:
        stem = Path(entry["file"]).stem
        if stem not in stems:
            continue
        number = stem.split("_", 1)[0]
        link = f"[{number} · {entry['title']}](../{stem}/{stem}.ipynb)"
        lines.append(f"| {link} | {entry.get('track', '')} | {entry.get('summary', '')} |")
    return "\n".join(lines) + "\n"


def build_course(course_dir: Path = DEFAULT_COURSE, names: list[str] | None = None,
                 notebook_dir: Path = NOTEBOOKS) -> list[Path]:
    """Write ``course_dir/source/<stem>/`` for the named notebooks (default: every notebook of
    series.toml that exists) and ``course_dir/nbgrader_config.py``; return the notebooks written.

    Stale assignment folders in ``source/`` are removed first. Raises ``FileNotFoundError`` for
    a named notebook that does not exist and ``ValueError`` when nothing is left to build.
    """
    series = read_series(notebook_dir / "series.toml")
    available = [entry["file"] for entry in series if (notebook_dir / entry["file"]).is_file()]
    if names:
        missing = [name for name in names if not (notebook_dir / name).is_file()]
        if missing:
            raise FileNotFoundError(f"no such notebook in {notebook_dir}: {', '.join(missing)}")
        chosen = list(names)
    else:
        chosen = available
    if not chosen:
        raise ValueError(f"no notebooks to build from {notebook_dir}")
    stems = {Path(name).stem for name in available} | {Path(name).stem for name in chosen}
    source_root = course_dir / "source"
    if source_root.exists():
        shutil.rmtree(source_root)
    written = []
    for name in chosen:
        stem = Path(name).stem
        folder = source_root / stem
        folder.mkdir(parents=True)
        copies: dict[str, Path] = {}
        master = nbformat.read(notebook_dir / name, as_version=4)
        notebook = to_source_notebook(master, stems, notebook_dir, copies)
        nbformat.validate(notebook)
        nbformat.write(notebook, folder / f"{stem}.ipynb")
        (folder / CONTENTS_FILE).write_text(contents_page(series, stems), encoding="utf-8")
        for relative, original in copies.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(original, folder / relative)
        written.append(folder / f"{stem}.ipynb")
    (course_dir / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    return written


def nbgrader(course_dir: Path, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course_dir`` with this Python's ``bin`` first on PATH (nbgrader
    runs ``alembic`` as a command). Raises ``subprocess.CalledProcessError`` when it fails."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(command, cwd=course_dir, env=env, text=True, capture_output=True)
    if result.returncode != 0 or not quiet:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
    result.check_returncode()
    return result


def release(course_dir: Path, stems: list[str]) -> None:
    """Run ``nbgrader generate_assignment`` for each assignment (``release/<stem>/``)."""
    for stem in stems:
        nbgrader(course_dir, "generate_assignment", stem, "--force", "--log-level=WARN",
                 quiet=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                        help="course folder to write (default: course/)")
    parser.add_argument("--release", action="store_true",
                        help="also run nbgrader generate_assignment (release/<assignment>/)")
    args = parser.parse_args(argv)
    try:
        written = build_course(args.course, args.notebooks or None)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} assignments to {args.course / 'source'}")
    if args.release:
        release(args.course, [path.stem for path in written])
        print(f"released {len(written)} assignments to {args.course / 'release'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
