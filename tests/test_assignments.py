"""tools/make_assignments.py turns the notebooks into an nbgrader course (no nbgrader run here:
``make autograde-demo`` runs nbgrader itself, in CI)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from support import load_tool

ma = load_tool("make_assignments")
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def tiny_notebook() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell(
            "[← 00](00_start_here.ipynb) | [Contents](../README.md#the-notebooks) | "
            "[02 →](02_showing_a_digit.ipynb#part) | [data](../data/README.md) | "
            "[web](https://example.org)"),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["check", "remove-cell"]}),
        nbformat.v4.new_markdown_cell("### Exercise 1\nPut 3 in `answer`."),
        nbformat.v4.new_markdown_cell("**Solution.** Easy.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("answer = 3\nprint(answer)", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell(
            'assert answer == 3, "answer should be 3"',
            metadata={"tags": ["autograde", "remove-cell"], "jupyter": {"source_hidden": True}}),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.cells[4].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    notebook.cells[4].execution_count = 7
    return notebook


def test_cells_become_nbgrader_cells() -> None:
    master = tiny_notebook()
    source = ma.to_source_notebook(master, {"00_start_here", "02_showing_a_digit"}, NOTEBOOKS)
    assert len(master.cells) == 6, "the master is left unchanged"
    assert len(source.cells) == 5, "the CI-only check cell is left out"
    answer, solution, tests = source.cells[2], source.cells[3], source.cells[4]
    assert answer.metadata.nbgrader["solution"] and answer.metadata.nbgrader["grade"]
    assert answer.metadata.nbgrader["points"] == 1, "a written answer is worth 1 point by default"
    assert solution.source.startswith("### BEGIN SOLUTION\n")
    assert solution.source.endswith("\n### END SOLUTION")
    assert solution.metadata.nbgrader == {**solution.metadata.nbgrader, "solution": True,
                                          "grade": False}
    assert solution.outputs == [] and solution.execution_count is None
    assert tests.metadata.nbgrader["grade"] and tests.metadata.nbgrader["locked"]
    assert tests.metadata.nbgrader["points"] == 1
    body = re.search(r"### BEGIN HIDDEN TESTS\n(.*)\n### END HIDDEN TESTS$", tests.source, re.S)
    assert body and body.group(1) == 'assert answer == 3, "answer should be 3"'
    assert tests.source.startswith("# ")  # a visible line remains in the released cell
    assert "source_hidden" not in tests.metadata.get("jupyter", {})
    ids = [c.metadata.nbgrader["grade_id"] for c in source.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) == 3
    nbformat.validate(source)


def test_links_work_from_an_assignment_folder() -> None:
    copies: dict[str, Path] = {}
    source = ma.to_source_notebook(tiny_notebook(), {"00_start_here", "02_showing_a_digit"},
                                   NOTEBOOKS, copies)
    text = source.cells[0].source
    assert "(../00_start_here/00_start_here.ipynb)" in text
    assert "(README.md#the-notebooks)" in text
    assert "(../02_showing_a_digit/02_showing_a_digit.ipynb#part)" in text
    assert "(data/README.md)" in text and copies == {"data/README.md": ROOT / "data/README.md"}
    assert "(https://example.org)" in text


def test_build_course_writes_every_assignment_with_working_links(tmp_path: Path) -> None:
    written = ma.build_course(tmp_path)
    series = ma.read_series()
    present = [e["file"] for e in series if (NOTEBOOKS / e["file"]).is_file()]
    assert [p.name for p in written] == present
    assert (tmp_path / "nbgrader_config.py").read_text().count("# Your solution here") == 1
    broken = []
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", cell.source):
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue
                if not (path.parent / target.split("#")[0]).resolve().is_file():
                    broken.append(f"{path.name}: {target}")
        solutions = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert solutions, f"{path.name} has no solution cell"
    assert not broken, f"links that break in the course: {broken}"
    contents = (written[0].parent / "README.md").read_text(encoding="utf-8")
    assert "## The notebooks" in contents and "../01_data_format/01_data_format.ipynb" in contents


def test_build_course_rejects_unknown_notebooks(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no_such"):
        ma.build_course(tmp_path, ["no_such.ipynb"])


def test_autograde_demo_fills_in_the_worked_solutions() -> None:
    demo = load_tool("autograde_demo")
    source = ma.to_source_notebook(tiny_notebook(), set(), NOTEBOOKS)
    released = nbformat.from_dict(source)
    released.cells[3].source = ma.CODE_STUB
    solved = demo.solved_copy(released, source)
    assert solved.cells[3].source == "answer = 3\nprint(answer)"
    assert released.cells[3].source == ma.CODE_STUB


def test_points_come_from_the_cells_grading_metadata() -> None:
    master = tiny_notebook()
    master.cells[3].metadata["grading"] = {"points": 2}
    master.cells[5].metadata["grading"] = {"points": 3}
    source = ma.to_source_notebook(master, set(), NOTEBOOKS)
    assert source.cells[2].metadata.nbgrader["points"] == 2
    assert source.cells[4].metadata.nbgrader["points"] == 3


@pytest.mark.parametrize("points", [-1, 1.5, "2", True])
def test_bad_points_name_the_cell(points: object) -> None:
    master = tiny_notebook()
    master.cells[5].metadata["grading"] = {"points": points}
    master.cells[5].id = "my-test-cell"
    with pytest.raises(ValueError, match="my-test-cell.*grading.points"):
        ma.to_source_notebook(master, set(), NOTEBOOKS)


def test_the_course_grades_in_the_learners_kernel_with_a_settable_exchange() -> None:
    assert 'c.Execute.kernel_name = "autoenc-viz"' in ma.NBGRADER_CONFIG
    assert 'os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")' in ma.NBGRADER_CONFIG
