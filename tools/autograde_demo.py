"""Run the grading guide's nbgrader commands on one notebook: release to grades and feedback.

``make autograde-demo`` runs this. In a scratch course (``_build/autograde-demo/``, gitignored,
built with tools/make_assignments.py) it runs the commands of docs/grading.md exactly as written
there (``TEACHER_COMMANDS``, ``STUDENT_COMMANDS``; tests/test_grading_guide.py checks that the
guide names no other nbgrader command), with an exchange folder inside the scratch course:

1. the teacher generates and releases the assignment into the exchange;
2. a learner (this machine's user) fetches it, fills in every ``# Your solution here`` cell with
   the worked solution (taken from the source notebook) and submits it;
3. the teacher collects, autogrades, generates and releases feedback (the learner fetches it)
   and exports the grades to ``grades.csv``;
4. a second learner, ``untouched``, hands in the released notebook unchanged by the guide's
   route without an exchange (a folder in ``submitted/`` with a ``timestamp.txt``); the teacher
   autogrades, generates feedback and exports the grades again.

The gradebook then gives each submission's score on the autograded test cells. The last line
printed is::

    autograde: solved X/Y, untouched 0/Y

and the exit status is 0 only when Y > 0, X = Y, the untouched copy scores 0, both learners
have feedback and grades.csv lists both.

Usage::

    python tools/autograde_demo.py                       # notebook 01
    python tools/autograde_demo.py 06_scatter_and_colormaps.ipynb --course DIR
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_assignments as ma  # noqa: E402

ROOT = ma.ROOT
DEFAULT_NOTEBOOK = "01_data_format.ipynb"
DEFAULT_COURSE = ROOT / "_build" / "autograde-demo"
UNTOUCHED = "untouched"
# docs/grading.md's commands, word for word ({assignment} filled in); run in course/ ...
TEACHER_RELEASE = (
    "nbgrader generate_assignment {assignment} --force",
    "nbgrader release_assignment {assignment} --force",
)
# ... in the learner's own folder ...
STUDENT_FETCH = ('nbgrader fetch_assignment {assignment} --course autoencoders '
                    '--Exchange.root="$NBGRADER_EXCHANGE"')
STUDENT_SUBMIT = ('nbgrader submit {assignment} --course autoencoders '
                    '--Exchange.root="$NBGRADER_EXCHANGE"')
STUDENT_FEEDBACK = ('nbgrader fetch_feedback {assignment} --course autoencoders '
                    '--Exchange.root="$NBGRADER_EXCHANGE"')
# ... and in course/ again.
TEACHER_GRADE = (
    "nbgrader collect {assignment}",
    "nbgrader autograde {assignment}",
    "nbgrader generate_feedback {assignment}",
    "nbgrader release_feedback {assignment}",
    "nbgrader export",
)
TEACHER_BY_HAND = (
    "nbgrader autograde {assignment}",
    "nbgrader generate_feedback {assignment}",
    "nbgrader export",
)
TEACHER_COMMANDS = (*TEACHER_RELEASE, *TEACHER_GRADE, *TEACHER_BY_HAND)
STUDENT_COMMANDS = (STUDENT_FETCH, STUDENT_SUBMIT, STUDENT_FEEDBACK)


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


def shell(command: str, cwd: Path, exchange: Path) -> None:
    """Run one of the guide's commands in ``cwd`` (bash, the project's bin first on PATH and
    ``NBGRADER_EXCHANGE`` set as the guide says). Raises ``CalledProcessError`` if it fails."""
    env = dict(os.environ, NBGRADER_EXCHANGE=str(exchange))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    print(f"$ {command}", flush=True)
    result = subprocess.run(["bash", "-c", command + " --log-level=WARN"], cwd=cwd, env=env,
                            text=True, capture_output=True)
    for line in (result.stdout + result.stderr).splitlines():
        if "Kernel is running over TCP" not in line:
            print("  " + line)
    result.check_returncode()


def hand_in(course: Path, student: str, stem: str, notebook: nbformat.NotebookNode) -> None:
    """Put ``notebook`` where the guide's route without an exchange says: submitted/<student>/
    <stem>/ with a timestamp.txt (release_feedback needs it)."""
    folder = course / "submitted" / student / stem
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(course / "release" / stem, folder)
    nbformat.write(notebook, folder / f"{stem}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-01 09:00:00.000000 UTC\n", encoding="utf-8")


def autograded_scores(course: Path, stem: str,
                      students: list[str]) -> dict[str, tuple[float, float]]:
    """Return {student: (score, max score)} over the autograded test cells of ``stem``."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
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
    """Run the whole demo; return (solved score, untouched score, max score).

    Raises ``RuntimeError`` when feedback or the exported grades miss a learner.
    """
    from nbgrader.utils import get_username

    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    exchange, home = course / "exchange", course / "learner"
    exchange.mkdir(mode=0o777)
    home.mkdir()
    stem = Path(notebook).stem
    learner = get_username()
    started = time.perf_counter()
    ma.build_course(course, [notebook])
    for command in TEACHER_RELEASE:
        shell(command.format(assignment=stem), course, exchange)
    source = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
    shell(STUDENT_FETCH.format(assignment=stem), home, exchange)
    fetched = home / stem / f"{stem}.ipynb"
    released = nbformat.read(fetched, as_version=4)
    stubs = sum(cell.source.strip() == ma.CODE_STUB for cell in released.cells)
    print(f"released {stem}: {stubs} solution cells stubbed")
    nbformat.write(solved_copy(released, source), fetched)
    shell(STUDENT_SUBMIT.format(assignment=stem), home, exchange)
    for command in TEACHER_GRADE:
        shell(command.format(assignment=stem), course, exchange)
    shell(STUDENT_FEEDBACK.format(assignment=stem), home, exchange)
    # The guide's route without an exchange (release_feedback needs what collect writes, so
    # hand-collected submissions get their feedback files handed out instead).
    hand_in(course, UNTOUCHED, stem, released)
    for command in TEACHER_BY_HAND:
        shell(command.format(assignment=stem), course, exchange)
    scores = autograded_scores(course, stem, [learner, UNTOUCHED])
    problems = [f"no feedback for {student}" for student in (learner, UNTOUCHED)
                if not (course / "feedback" / student / stem / f"{stem}.html").is_file()]
    if not list((home / stem / "feedback").glob(f"*/{stem}.html")):
        problems.append(f"{learner} fetched no feedback")
    with (course / "grades.csv").open(encoding="utf-8") as handle:
        exported = {row["student_id"] for row in csv.DictReader(handle)}
    problems += [f"grades.csv misses {student}" for student in (learner, UNTOUCHED)
                 if student not in exported]
    if problems:
        raise RuntimeError("; ".join(problems))
    print(f"graded in {time.perf_counter() - started:.1f} s")
    return scores[learner][0], scores[UNTOUCHED][0], scores[learner][1]


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
