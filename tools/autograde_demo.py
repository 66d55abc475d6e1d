"""Show nbgrader grading one notebook end to end: release, two submissions, autograde.

``make autograde-demo`` runs this. In a scratch course (``_build/autograde-demo/``, gitignored)
it builds the assignment for one notebook with tools/make_assignments.py, releases it with
``nbgrader generate_assignment``, and hands in two submissions the way learners would:

- ``solved``: the released notebook with every ``# Your solution here`` cell filled in with the
  worked solution (taken from the master notebook);
- ``untouched``: the released notebook as it was handed out.

``nbgrader autograde`` then runs both (with the hidden tests put back) and the gradebook gives
each submission's score on the autograded test cells. The last line printed is::

    autograde: solved X/Y, untouched 0/Y

and the exit status is 0 only when Y > 0, X = Y and the untouched copy scores 0.

Usage::

    python tools/autograde_demo.py                       # notebook 01
    python tools/autograde_demo.py 06_scatter_and_colormaps.ipynb --course DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_assignments as ma  # noqa: E402

ROOT = ma.ROOT
DEFAULT_NOTEBOOK = "01_data_format.ipynb"
DEFAULT_COURSE = ROOT / "_build" / "autograde-demo"
STUDENTS = ("solved", "untouched")


def solved_copy(released: nbformat.NotebookNode,
                source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``released`` with each solution cell's stub replaced by the worked solution of
    the cell with the same grade id in ``source`` (the solution markers removed).

    Raises ``KeyError`` when a released solution cell has no counterpart in ``source``.
    """
    solutions = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            solutions[meta["grade_id"]] = "\n".join(lines)
    notebook = nbformat.from_dict(released)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = solutions[meta["grade_id"]]
    return notebook


def submit(course: Path, student: str, stem: str, notebook: nbformat.NotebookNode) -> None:
    """Put ``notebook`` where ``nbgrader collect`` would: submitted/<student>/<stem>/."""
    folder = course / "submitted" / student / stem
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(course / "release" / stem, folder)
    nbformat.write(notebook, folder / f"{stem}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-01 09:00:00.000000 UTC\n", encoding="utf-8")


def autograded_scores(course: Path, stem: str) -> dict[str, tuple[float, float]]:
    """Return {student: (score, max score)} over the autograded test cells of ``stem``."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            submission = gradebook.find_submission_notebook(stem, stem, student)
            score = max_score = 0.0
            for grade in submission.grades:
                if grade.cell.cell_type == "code" and grade.auto_score is not None:
                    score += grade.score
                    max_score += grade.max_score
            scores[student] = (score, max_score)
    return scores


def run_demo(notebook: str = DEFAULT_NOTEBOOK, course: Path = DEFAULT_COURSE) -> tuple[
        float, float, float]:
    """Run the whole demo; return (solved score, untouched score, max score)."""
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    stem = Path(notebook).stem
    started = time.perf_counter()
    ma.build_course(course, [notebook])
    ma.release(course, [stem])
    released = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
    stubs = sum(cell.source.strip() == ma.CODE_STUB for cell in released.cells)
    tests = sum(bool(cell.metadata.get("nbgrader", {}).get("grade"))
                and cell.cell_type == "code" for cell in released.cells)
    print(f"released {stem}: {stubs} solution cells stubbed, {tests} autograded test cells")
    submit(course, "solved", stem, solved_copy(released, source))
    submit(course, "untouched", stem, released)
    for student in STUDENTS:
        ma.nbgrader(course, "db", "student", "add", student, "--log-level=WARN", quiet=True)
    ma.nbgrader(course, "autograde", stem, "--force", "--log-level=WARN", quiet=True)
    scores = autograded_scores(course, stem)
    print(f"graded in {time.perf_counter() - started:.1f} s")
    return scores["solved"][0], scores["untouched"][0], scores["solved"][1]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; the last line printed is the demo's result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default=DEFAULT_NOTEBOOK,
                        help=f"notebook file name in notebooks/ (default: {DEFAULT_NOTEBOOK})")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                        help="scratch course folder, replaced on each run")
    args = parser.parse_args(argv)
    solved, untouched, max_score = run_demo(args.notebook, args.course)
    print(f"autograde: solved {solved:g}/{max_score:g}, untouched {untouched:g}/{max_score:g}")
    return 0 if max_score > 0 and solved == max_score and untouched == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
