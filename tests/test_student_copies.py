"""Student copies (`make student`, tools/make_student_copies.py): solutions out, the rest intact.

The checks run on a small synthetic notebook (so they mean something before every notebook of
the series exists) and on every notebook in notebooks/ that exists now.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from support import load_tool

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Executed up to the exercises: the first of these that exists (02 imports no Keras: quickest).
QUICK_NOTEBOOKS = ["02_showing_a_digit.ipynb", "01_data_format.ipynb", "00_start_here.ipynb"]
EXERCISES_HEADING = re.compile(r"^## Exercises\s*$", flags=re.MULTILINE)


tool = load_tool("make_student_copies")


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def synthetic_master() -> nbformat.NotebookNode:
    """A small notebook shaped like the series: outputs, tags, two exercises with solutions."""
    solution = {"tags": ["solution"]}
    nb = new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
    })
    nb.cells = [
        new_markdown_cell("# 99 · A test notebook\n\n**What you will learn**\n\n- nothing"),
        new_code_cell("numbers = [3, 1, 2]\nsorted(numbers)", execution_count=1, outputs=[
            new_output("execute_result", {"text/plain": "[1, 2, 3]"}, execution_count=1)]),
        new_code_cell("print(len(numbers))", execution_count=2,
                      metadata={"tags": ["nbval-ignore-output"], "nbval_ignore_reason": "varies"},
                      outputs=[new_output("stream", name="stdout", text="3\n")]),
        new_code_cell("assert len(numbers) == 3", execution_count=3,
                      metadata={"tags": ["check", "remove-cell"],
                                "jupyter": {"source_hidden": True}}),
        new_raw_cell("raw text stays"),
        new_markdown_cell("only for the book build", metadata={"tags": ["remove-cell"]}),
        new_markdown_cell("## Summary\n\n- sorting"),
        new_markdown_cell("## Exercises\n\n### Exercise 1: reverse\n\nSort `numbers` backwards."),
        new_markdown_cell("**Solution.** `sorted` takes `reverse=True`.", metadata=solution),
        new_code_cell("sorted(numbers, reverse=True)", execution_count=4, metadata=solution,
                      outputs=[new_output("execute_result", {"text/plain": "[3, 2, 1]"},
                                          execution_count=4)]),
        new_code_cell("assert sorted(numbers, reverse=True)[0] == 3", execution_count=5,
                      metadata=solution),
        new_code_cell("assert numbers == [3, 1, 2], 'numbers changed'", execution_count=6,
                      metadata={"tags": ["autograde", "remove-cell"],
                                "jupyter": {"source_hidden": True}}),
        new_markdown_cell("### Exercise 2: sum\n\nAdd the numbers up."),
        new_markdown_cell("**Solution.** Use `sum`.", metadata={"tags": ["solution", "extra"]}),
        new_code_cell("sum(numbers)", execution_count=7, metadata={"tags": ["solution"]},
                      outputs=[new_output("execute_result", {"text/plain": "6"},
                                          execution_count=7)]),
        new_markdown_cell("[Contents](../README.md#the-notebooks)"),
    ]
    nbformat.validate(nb)
    return nb


def expected_cells(master: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """(type, source, tags) of every cell the student copy must hold, in order."""
    expected = []
    for cell in master.cells:
        if {"check", "autograde", "remove-cell"} & set(tags(cell)):
            continue  # CI checks, hidden tests and cells for the book only: dropped
        if "solution" not in tags(cell):
            expected.append((cell.cell_type, cell.source, tags(cell)))
        elif cell.cell_type == "code":
            expected.append(("code", "# Your solution here", []))
    return expected


def check_student_copy(master: nbformat.NotebookNode, student: nbformat.NotebookNode) -> None:
    """Every assertion that a student copy of ``master`` must pass."""
    nbformat.validate(student)
    assert [(c.cell_type, c.source, tags(c)) for c in student.cells] == expected_cells(master)
    assert not any("solution" in tags(c) for c in student.cells)
    dropped = {"check", "autograde", "remove-cell"}
    assert not any(dropped & set(tags(c)) for c in student.cells), "a CI-only cell was kept"
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert "widgets" not in student.metadata
    assert student.metadata.get("kernelspec") == master.metadata.get("kernelspec")


def cells_before_exercises(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` cut just before the cell holding the ``## Exercises`` heading."""
    starts = [i for i, cell in enumerate(notebook.cells)
              if cell.cell_type == "markdown" and EXERCISES_HEADING.search(cell.source)]
    assert starts, "no '## Exercises' heading"
    cut = nbformat.from_dict(notebook)
    cut.cells = notebook.cells[: starts[0]]
    return cut


def execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Run ``notebook`` in a fresh kernel (the one its metadata names) started in ``folder``."""
    NotebookClient(notebook, timeout=300,
                   resources={"metadata": {"path": str(folder)}}).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (cell.source, output)


# --- the synthetic notebook -------------------------------------------------------------------


def test_synthetic_copy_has_placeholders_instead_of_solutions():
    master = synthetic_master()
    student = tool.make_student_notebook(master)
    check_student_copy(master, student)
    sources = [c.source for c in student.cells]
    assert sources.count("# Your solution here") == 3  # one per code solution cell
    assert not any("**Solution.**" in s or "reverse=True" in s for s in sources)
    assert not any("assert" in s or "only for the book" in s for s in sources)


def test_making_a_copy_leaves_the_master_alone():
    master = synthetic_master()
    before = nbformat.writes(master)
    tool.make_student_notebook(master)
    assert nbformat.writes(master) == before


def test_command_line_writes_copies_and_removes_stale_ones(tmp_path: Path):
    source, output = tmp_path / "notebooks", tmp_path / "student"
    source.mkdir()
    output.mkdir()
    nbformat.write(synthetic_master(), source / "99_test.ipynb")
    (output / "98_removed_since.ipynb").write_text("{}")
    assert tool.main([str(source), str(output)]) == 0
    assert [p.name for p in output.iterdir()] == ["99_test.ipynb"]
    check_student_copy(synthetic_master(), nbformat.read(output / "99_test.ipynb", as_version=4))
    # the copies are stable: making them again writes the same bytes
    first = (output / "99_test.ipynb").read_bytes()
    assert tool.main([str(source), str(output)]) == 0
    assert (output / "99_test.ipynb").read_bytes() == first


def test_command_line_fails_clearly_without_notebooks(tmp_path: Path, capsys):
    assert tool.main([str(tmp_path), str(tmp_path / "out")]) == 1
    assert "no notebooks" in capsys.readouterr().err


def test_synthetic_copy_runs_up_to_the_exercises(tmp_path: Path):
    student = tool.make_student_notebook(synthetic_master())
    cut = cells_before_exercises(student)
    execute(cut, tmp_path)
    assert cut.cells[1].outputs[0]["data"]["text/plain"] == "[1, 2, 3]"


# --- the real notebooks -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Student copies of the notebooks that exist now, made by the command-line tool."""
    if not NOTEBOOKS:
        pytest.skip("no notebooks in notebooks/ yet")
    out = tmp_path_factory.mktemp("student")
    assert tool.main([str(ROOT / "notebooks"), str(out)]) == 0
    return out


@pytest.mark.parametrize("master_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copy_of_notebook(master_path: Path, student_dir: Path):
    master = nbformat.read(master_path, as_version=4)
    student = nbformat.read(student_dir / master_path.name, as_version=4)
    check_student_copy(master, student)
    assert any("solution" in tags(c) for c in master.cells), "the master has no solution cells"


def test_a_student_copy_runs_up_to_the_exercises(student_dir: Path):
    name = next((n for n in QUICK_NOTEBOOKS if (student_dir / n).exists()), NOTEBOOKS[0].name)
    student = nbformat.read(student_dir / name, as_version=4)
    execute(cells_before_exercises(student), student_dir)
