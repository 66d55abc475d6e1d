"""Write student copies of the notebooks: worked solutions removed, outputs cleared.

Every notebook ends with exercises; each exercise is a markdown cell followed by its worked
solution, whose cells carry the tag ``solution``. A student copy differs from the master in
exactly these ways:

- a *code* cell tagged ``solution`` is replaced by a code cell holding only
  ``# Your solution here`` (one placeholder for each code solution cell, as the issue asks; the
  placeholder keeps the replaced cell's id, so copies are identical from run to run);
- a *markdown* cell tagged ``solution`` (the ``**Solution.**`` explanation) is removed;
- a cell tagged ``check`` (a result check kept for CI), ``autograde`` (the hidden tests of an
  autograded exercise) or ``remove-cell`` is removed: learners never see them, and a hidden test
  would fail against the empty placeholder anyway;
- every output is cleared and every execution count is ``None``; ``metadata.widgets`` (saved
  widget state) is dropped.

Every other cell keeps its source, tags and order. Only ``*.ipynb`` files directly inside the
source folder are copied; stale ``*.ipynb`` files in the output folder are deleted first, so the
folder always matches the masters.

Usage (``make student`` runs the first line)::

    python tools/make_student_copies.py                  # notebooks/ -> student/
    python tools/make_student_copies.py SRC_DIR OUT_DIR
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"
DROPPED_TAGS = frozenset({"check", "autograde", "remove-cell"})
PLACEHOLDER = "# Your solution here"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Return True if the cell carries the ``solution`` tag."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_dropped(cell: nbformat.NotebookNode) -> bool:
    """Return True if the cell is only for CI or grading (tagged check, autograde, remove-cell)."""
    return not DROPPED_TAGS.isdisjoint(cell.get("metadata", {}).get("tags", []))


def placeholder_for(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the empty exercise cell that stands where the code solution ``cell`` was."""
    new = nbformat.v4.new_code_cell(PLACEHOLDER)
    if "id" in cell:
        new["id"] = cell["id"]
    return new


def make_student_notebook(master: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the student copy of ``master`` (which is left unchanged)."""
    notebook = copy.deepcopy(master)
    cells = []
    for cell in notebook.cells:
        if is_dropped(cell):
            continue
        if not is_solution(cell):
            cells.append(cell)
        elif cell.cell_type == "code":
            cells.append(placeholder_for(cell))
        # markdown (and raw) solution cells are dropped
    notebook.cells = cells
    notebook, _ = ClearOutputPreprocessor().preprocess(notebook, {})
    notebook.metadata.pop("widgets", None)
    return notebook


def write_student_copies(source_dir: Path, output_dir: Path) -> list[Path]:
    """Write a student copy of every notebook in ``source_dir`` to ``output_dir``.

    Returns the paths written, sorted by name. Raises ``FileNotFoundError`` if ``source_dir``
    holds no notebook, and ``nbformat.ValidationError`` if a copy is not a valid notebook.
    """
    masters = sorted(source_dir.glob("*.ipynb"))
    if not masters:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {source_dir}")
    output_dir.mkdir(parents=True, exist_ok=True)
    for stale in output_dir.glob("*.ipynb"):
        stale.unlink()
    written = []
    for master_path in masters:
        master = nbformat.read(master_path, as_version=4)
        student = make_student_notebook(master)
        nbformat.validate(student)
        target = output_dir / master_path.name
        nbformat.write(student, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: write the copies and say how many were written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source_dir", nargs="?", type=Path, default=ROOT / "notebooks",
        help="folder with the master notebooks (default: notebooks/)",
    )
    parser.add_argument(
        "output_dir", nargs="?", type=Path, default=ROOT / "student",
        help="folder to write the student copies to (default: student/)",
    )
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source_dir, args.output_dir)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} student notebooks to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
