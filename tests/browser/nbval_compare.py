"""nbval's strict output comparison, applied to a notebook that was executed somewhere else.

``make test`` executes each notebook once, in JupyterLab (tests/browser/test_jupyterlab.py).
The outputs JupyterLab produced are then compared with the committed ones by nbval's own code,
the way ``pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg`` compares them:

- the cell options come from nbval's own tag and comment parsers (``nbval-ignore-output``,
  ``nbval-skip``, ``nbval-check-output``, ``NBVAL_IGNORE_OUTPUT``, ...);
- streams are coalesced by nbval's ``coalesce_streams``;
- each code cell's outputs are compared by nbval's ``IPyNbCell.compare_outputs`` with nbval's
  list of skipped keys (metadata, tracebacks, execution counts, PNG/JPEG data, widget model ids)
  and the sanitize patterns of the given file, read by nbval's ``get_sanitize_patterns``;
- a committed cell that was never run (no execution count) is not compared, and fails if it has
  outputs (nbval's "Unrun reference cell has outputs");
- an error output fails the cell unless it is tagged ``raises-exception`` /
  ``nbval-raises-exception`` (the browser test fails on any error output anyway).

``compare_notebooks(committed, executed, sanitize_file)`` returns a list of failure messages,
empty when nbval strict would pass. ``make nbval`` still runs nbval itself (the route where no
browser is installed).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
from nbval.plugin import (
    IPyNbCell,
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
    nocolors,
)

# IPyNbFile.__init__'s skip_compare for strict mode without --nbdime (nbval 0.11.0).
SKIP_COMPARE = (
    "metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
    "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg",
)


class _Comparer:
    """Just enough of an ``IPyNbCell`` for nbval's comparison methods to run unchanged."""

    compare_outputs = IPyNbCell.compare_outputs
    format_output_compare = IPyNbCell.format_output_compare
    sanitize = IPyNbCell.sanitize

    def __init__(self, patterns: dict[str, str]):
        self.parent = SimpleNamespace(skip_compare=SKIP_COMPARE, sanitize_patterns=patterns)
        self.colors = nocolors
        self.config = None
        # format_output_compare asks pytest for an assertion diff; fall back to nbval's own.
        self.ihook = SimpleNamespace(pytest_assertrepr_compare=lambda **_: [])
        self.comparison_traceback: list[str] = []


def sanitize_patterns(path: Path) -> dict[str, str]:
    """The regex -> replacement pairs of an nbval sanitize file, in order."""
    return dict(get_sanitize_patterns(Path(path).read_text()))


def cell_options(cell: nbformat.NotebookNode) -> dict[str, bool]:
    """nbval's options for a code cell (strict mode): check, check_exception, skip."""
    options: dict[str, bool] = defaultdict(bool, find_metadata_tags(cell.metadata))
    options.update(dict(find_comment_markers(cell.source)))
    options.setdefault("check", True)
    return options


def _outputs(cell: nbformat.NotebookNode) -> list[Any]:
    return [nbformat.from_dict(o) for o in cell.get("outputs", [])]


def compare_notebooks(committed: nbformat.NotebookNode, executed: nbformat.NotebookNode,
                      sanitize_file: Path) -> list[str]:
    """nbval strict's verdict on ``executed``'s outputs against ``committed``'s: the failures."""
    patterns = sanitize_patterns(sanitize_file)
    ref_cells = [c for c in committed.cells if c.cell_type == "code"]
    test_cells = [c for c in executed.cells if c.cell_type == "code"]
    if [c.source for c in ref_cells] != [c.source for c in test_cells]:
        return ["the executed notebook's code cells are not the committed ones"]
    failures = []
    for number, (ref, test) in enumerate(zip(ref_cells, test_cells, strict=True)):
        options = cell_options(ref)
        if options["skip"]:
            continue
        where = f"Cell {number} ({ref.source.strip()[:60]!r})"
        test_outputs = coalesce_streams(_outputs(test))
        errors = [o for o in test_outputs if o.output_type == "error"]
        if errors and not options["check_exception"]:
            failures.append(f"{where}: Cell execution caused an exception: "
                            f"{errors[0].get('ename')}: {errors[0].get('evalue')}")
            continue
        unrun = ref.get("execution_count") is None
        if unrun and ref.get("outputs"):
            failures.append(f"{where}: Unrun reference cell has outputs")
            continue
        if options["check"] and not unrun:
            comparer = _Comparer(patterns)
            if not comparer.compare_outputs(test_outputs, coalesce_streams(_outputs(ref))):
                failures.append(f"{where}: Cell outputs differ\n"
                                + "\n".join(comparer.comparison_traceback))
    return failures
