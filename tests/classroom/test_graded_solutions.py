"""Hidden tests grade right, untouched and wrong submissions as they should, for every notebook.

For each notebook one kernel (the learners' kernel, autoenc-viz) runs the lesson cells once (every
code cell before the first exercise cell, CI-only ``check`` cells left out). Then, in that kernel:

- the *untouched* submission: every solution code cell holds nbgrader's stub; every autograde
  cell must score 0;
- the *right* submission: the committed worked solutions; every autograde cell scores full;
- each *wrong* answer of tests/grading/wrong_answers.toml (format: docs/grading.md): its
  solution cell is run with the mistake, then every autograde cell again: exactly the cells it
  names fail, so the score is partial (full minus their points); the right cell is run again
  afterwards.

Names the exercises defined are deleted from the kernel before each whole submission, so a stub
cannot pass on what an earlier submission left behind. Scores come from nbgrader's own
``determine_grade`` on cells carrying the metadata tools/make_assignments.py gives them. Real
``nbgrader autograde`` runs in ``make autograde-demo``.

``GRADED_NOTEBOOKS`` (a comma-separated list of two-digit numbers) limits the notebooks; by
default every notebook except those in ``SLOW`` (their lessons train models or fit several maps:
minutes each). CI's notebook run checks their worked solutions against the hidden tests;
``GRADED_NOTEBOOKS=all`` grades their untouched and wrong submissions here too.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from support import load_tool

ma = load_tool("make_assignments")
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
WRONG_FILE = ROOT / "tests" / "grading" / "wrong_answers.toml"
SLOW = {"04", "05", "07", "08", "09", "11", "12"}

RESET = """\
for _name in [n for n in globals() if not n.startswith("_") and n not in _lesson_names]:
    del globals()[_name]
"""


def wrong_answers() -> list[dict]:
    with WRONG_FILE.open("rb") as handle:
        return tomllib.load(handle).get("wrong", [])


def chosen_notebooks() -> list[str]:
    names = sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    wanted = os.environ.get("GRADED_NOTEBOOKS", "")
    if wanted == "all":
        return names
    if wanted:
        numbers = {part.strip() for part in wanted.split(",")}
        return [name for name in names if name[:2] in numbers]
    return [name for name in names if name[:2] not in SLOW]


def graded_cells(name: str) -> tuple[nbformat.NotebookNode, dict[str, int]]:
    """Return the nbgrader source version of a notebook and {autograde cell id: points}."""
    master = nbformat.read(NOTEBOOKS / name, as_version=4)
    source = ma.to_source_notebook(master, set(), NOTEBOOKS)
    points = {cell.id: cell.metadata.nbgrader["points"] for cell in source.cells
              if ma.AUTOGRADE_TAG in ma.tags_of(cell)}
    return source, points


def test_every_autograded_exercise_has_a_wrong_answer() -> None:
    """Each autograde cell is named in some wrong answer's ``fails``; each entry is valid."""
    entries = wrong_answers()
    named = {(entry["notebook"], cell) for entry in entries for cell in entry["fails"]}
    problems = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        ids = {cell.id: ma.tags_of(cell) for cell in notebook.cells}
        for cell in notebook.cells:
            if ma.AUTOGRADE_TAG in ma.tags_of(cell) and (path.name, cell.id) not in named:
                problems.append(f"{path.name}: autograde cell {cell.id} has no wrong answer")
        for entry in (e for e in entries if e["notebook"] == path.name):
            if ma.SOLUTION_TAG not in ids.get(entry["replaces"], []):
                problems.append(f"{path.name}: replaces={entry['replaces']!r} is no solution cell")
            problems += [f"{path.name}: fails={cell!r} is no autograde cell"
                         for cell in entry["fails"] if ma.AUTOGRADE_TAG not in ids.get(cell, [])]
    known = {path.name for path in NOTEBOOKS.glob("*.ipynb")}
    problems += [f"{WRONG_FILE.name}: no notebook {e['notebook']}" for e in entries
                 if e["notebook"] not in known]
    assert not problems, "\n".join(problems)


def score(cell: nbformat.NotebookNode) -> float:
    """Return nbgrader's auto score of an executed grade cell."""
    from nbgrader.utils import determine_grade

    return determine_grade(cell, logging.getLogger("graded-solutions"))[0]


@pytest.mark.parametrize("name", chosen_notebooks())
def test_right_untouched_and_wrong_submissions_score_as_they_should(name: str) -> None:
    source, points = graded_cells(name)
    if not points:
        pytest.skip(f"{name} has no autograded exercise")
    full = sum(points.values())
    cells = source.cells
    first = next(i for i, cell in enumerate(cells)
                 if {ma.SOLUTION_TAG, ma.AUTOGRADE_TAG} & set(ma.tags_of(cell)))
    last = max(i for i, cell in enumerate(cells)
               if {ma.SOLUTION_TAG, ma.AUTOGRADE_TAG} & set(ma.tags_of(cell)))
    right = {cell.id: cell.source for cell in cells
             if cell.cell_type == "code" and ma.SOLUTION_TAG in ma.tags_of(cell)}
    client = NotebookClient(source, kernel_name="autoenc-viz", timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    position = {cell.id: index for index, cell in enumerate(cells)}
    tests = {cell.id: cell for cell in cells if cell.id in points}
    for cell in tests.values():  # the hidden tests as nbgrader puts them back
        cell.source = cell.source.replace(ma.TEST_HEADER + "\n", "", 1)

    def run(cell: nbformat.NotebookNode, text: str | None = None) -> nbformat.NotebookNode:
        """Run ``cell`` (with ``text`` as its source, if given) in place; return it."""
        original = cell.source
        if text is not None:
            cell.source = text
        cell.outputs = []
        client.execute_cell(cell, position[cell.id])  # in place: display updates find it
        cell.source = original
        return cell

    def submission(solutions: dict[str, str]) -> dict[str, float]:
        run(cells[0], RESET)
        got = {}
        for cell in cells[first:last + 1]:  # the notebook's clean-up cells after it never run
            if cell.cell_type != "code":
                continue
            if cell.id in right:
                done = run(cell, solutions[cell.id])
                note_errors(done)
            else:
                done = run(cell)
                if cell.id in points:
                    got[cell.id] = score(done)
                    note_errors(done)
        return got

    messages: dict[str, str] = {}

    def note_errors(cell: nbformat.NotebookNode) -> None:
        for output in cell.outputs:
            if output.output_type == "error":
                messages[cell.id] = f"{output.ename}: {output.evalue}"

    with client.setup_kernel():
        for cell in cells[:first]:
            if cell.cell_type == "code":
                done = run(cell)
                errors = [o for o in done.outputs if o.output_type == "error"]
                assert not errors, f"{name}: lesson cell {cell.id} failed: {errors[0].ename}"
        run(cells[0], "_lesson_names = set(globals())")
        untouched = submission({cell_id: ma.CODE_STUB for cell_id in right})
        assert sum(untouched.values()) == 0, f"{name}: the untouched copy scored {untouched}"
        messages.clear()
        solved = submission(right)
        assert solved == points, (
            f"{name}: the right solutions scored {solved}, not {points}: {messages}")
        wrong_scores = []
        for entry in (e for e in wrong_answers() if e["notebook"] == name):
            wrong_cell = next(cell for cell in cells if cell.id == entry["replaces"])
            run(wrong_cell, entry["source"])
            got = {cell_id: score(run(cell)) for cell_id, cell in tests.items()}
            expected = {cell_id: 0 if cell_id in entry["fails"] else value
                        for cell_id, value in points.items()}
            assert got == expected, f"{name}: wrong answer ({entry['why']}) scored {got}"
            assert 0 <= sum(got.values()) < full
            wrong_scores.append(f"{sum(got.values()):g}")
            run(wrong_cell, right[wrong_cell.id])
    print(f"\n{name}: points {points}; right {sum(solved.values()):g}/{full:g}, untouched "
          f"{sum(untouched.values()):g}/{full:g}, wrong {', '.join(wrong_scores)} (of {full:g})")
