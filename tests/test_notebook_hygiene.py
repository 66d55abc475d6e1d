"""House rules for the committed notebooks, checked on the files alone (fast: nothing runs).

One clean top-to-bottom run, nothing machine-specific or noisy in the outputs, the shape every
notebook shares (navigation cells, title, learning goals, exercises with tagged solutions, an
autograded exercise), honest nbval tags with their reason in metadata, alt text on every figure,
checks kept out of the learner's view (at most 15 visible asserts in the whole series), the
project's kernel, and a README table of contents that matches the files. Parametrized over the
notebooks present, so the checks apply as notebooks arrive. Navigation and contents freshness:
tests/test_update_navigation.py.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
README = ROOT / "README.md"

MAX_OUTPUT_BYTES = 500_000
MIN_COMPARED_SHARE = 0.70
MAX_CELLS = 75
MAX_VISIBLE_ASSERTS = 15  # across the whole series, in cells a learner sees
KERNEL_NAME = "autoenc-viz"
IGNORE_TAG = "nbval-ignore-output"
IGNORE_COMMENT = re.compile(r"^\s*#\s*nbval-ignore-output", flags=re.MULTILINE)
HIDDEN_TAGS = {"check", "autograde", "solution-hidden"}  # kept out of the learner's view
FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
FILE_NAME = re.compile(r"^\S+\.(?:png|jpe?g|svg|gif|pdf)$", flags=re.IGNORECASE)
TITLE = re.compile(r"^# (\d\d) · \S.*$", flags=re.MULTILINE)
EXERCISES_HEADING = re.compile(r"^## Exercises\s*$", flags=re.MULTILINE)
MACHINE_PATH = re.compile(r"/home/|/root/|/Users/|/tmp/|(?<![A-Za-z0-9])[A-Za-z]:\\")
LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", flags=re.DOTALL)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def where(cell: nbformat.NotebookNode) -> str:
    """A short description of a cell for failure messages: its first line."""
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else "<empty cell>"
    return f"cell {first[:70]!r}"


def output_texts(output: nbformat.NotebookNode) -> list[str]:
    """Every piece of text in one output (images excluded: base64 can contain anything)."""
    texts: list[str] = []
    if output.output_type == "stream":
        texts.append(output.text)
    elif output.output_type == "error":
        texts += [output.ename, output.evalue, *output.traceback]
    else:
        for mime, value in output.get("data", {}).items():
            if mime.startswith("image/") and mime != "image/svg+xml":
                continue
            texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def readme_notebooks() -> list[str]:
    """Notebook file names in the README's "## The notebooks" tables, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The notebooks\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\|.*\]\(notebooks/([^)#]+\.ipynb)\)", section, flags=re.MULTILINE)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def markdown_headings(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {github_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def title_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The cell after the top navigation cell: the notebook's title and learning goals."""
    return nb.cells[1] if len(nb.cells) > 1 else nb.cells[0]


def has_figure(cell: nbformat.NotebookNode) -> bool:
    return any(mime in output.get("data", {}) for output in cell.get("outputs", [])
               for mime in FIGURE_MIMES)


def count_asserts(source: str) -> int:
    """``assert`` statements plus calls of ``assert_*`` functions (np.testing) in ``source``."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return source.count("assert")
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            count += 1
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            count += name.startswith("assert_")
    return count


def visible_asserts(path: Path) -> int:
    return sum(count_asserts(c.source) for c in code_cells(read(path))
               if not HIDDEN_TAGS & set(tags(c)))


notebook_params = pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)


# --- the whole series ---------------------------------------------------------------------------


def test_readme_contents_lists_exactly_the_notebooks_in_order():
    listed = readme_notebooks()
    present = [p.name for p in NOTEBOOKS]
    assert listed, "no notebook links found in the README's '## The notebooks' table"
    missing = [name for name in listed if name not in present]
    unlisted = [name for name in present if name not in listed]
    assert not missing, f"listed in the README but not in notebooks/: {missing}"
    assert not unlisted, f"in notebooks/ but not listed in the README: {unlisted}"
    assert listed == present, "the README lists the notebooks in another order than their names"


# --- file format and one clean run --------------------------------------------------------------


@notebook_params
def test_is_a_valid_notebook(path: Path):
    nb = read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4


@notebook_params
def test_kernelspec_is_the_projects_kernel(path: Path):
    name = read(path).metadata.get("kernelspec", {}).get("name")
    assert name == KERNEL_NAME, (
        f"kernelspec {name!r}: the project's kernel {KERNEL_NAME!r} keeps TensorFlow's log lines "
        "out of cells (run tools/update_navigation.py, which sets it)"
    )


@notebook_params
def test_at_most_75_cells(path: Path):
    n = len(read(path).cells)
    assert n <= MAX_CELLS, f"{n} cells: split the notebook (at most {MAX_CELLS})"


@notebook_params
def test_no_saved_widget_state(path: Path):
    assert "widgets" not in read(path).metadata, "strip metadata.widgets (breaks GitHub's viewer)"


@notebook_params
def test_every_code_cell_has_an_execution_count(path: Path):
    not_run = [where(c) for c in code_cells(read(path)) if c.execution_count is None]
    assert not not_run, f"code cells without execution count (commit a full run): {not_run}"


@notebook_params
def test_execution_counts_are_1_to_n_in_order(path: Path):
    counts = [c.execution_count for c in code_cells(read(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: commit one clean Restart + Run All"
    )


# --- outputs ------------------------------------------------------------------------------------


@notebook_params
def test_no_error_or_stderr_outputs(path: Path):
    bad = [
        f"{where(cell)}: {output.output_type} {output.get('name', output.get('ename', ''))}"
        for cell in code_cells(read(path))
        for output in cell.outputs
        if output.output_type == "error"
        or (output.output_type == "stream" and output.name == "stderr")
    ]
    assert not bad, f"error or stderr outputs: {bad}"


@notebook_params
def test_no_machine_paths(path: Path):
    nb = read(path)
    found = [
        f"{where(cell)}: {text[max(0, match.start() - 30):match.end() + 30]!r}"
        for cell in code_cells(nb)
        for output in cell.outputs
        for text in output_texts(output)
        for match in [MACHINE_PATH.search(text)]
        if match
    ]
    metadata = json.dumps(nb.metadata) + json.dumps([c.metadata for c in nb.cells])
    if match := MACHINE_PATH.search(metadata):
        found.append(f"metadata: {match.group(0)!r}")
    assert not found, f"machine paths in outputs (print paths relative to ah.ROOT): {found}"


@notebook_params
def test_no_output_over_500_kb(path: Path):
    big = [
        f"{where(cell)}: {size:,} bytes"
        for cell in code_cells(read(path))
        for output in cell.outputs
        if (size := len(json.dumps(output))) > MAX_OUTPUT_BYTES
    ]
    assert not big, f"outputs over {MAX_OUTPUT_BYTES:,} bytes: {big}"


# --- shape of every notebook --------------------------------------------------------------------


@notebook_params
def test_starts_with_title_and_learning_goals(path: Path):
    first = title_cell(read(path))
    assert first.cell_type == "markdown", "the cell after the navigation should be markdown"
    title = TITLE.search(first.source)
    assert title, "the first cell needs a '# NN · Title' heading"
    assert title.group(1) == path.name[:2], f"title number {title.group(1)} for {path.name}"
    assert "what you will learn" in first.source.lower(), "say 'What you will learn' up front"


@notebook_params
def test_has_exercises_with_tagged_solutions(path: Path):
    cells = read(path).cells
    starts = [i for i, c in enumerate(cells)
              if c.cell_type == "markdown" and EXERCISES_HEADING.search(c.source)]
    assert len(starts) == 1, "exactly one '## Exercises' section"
    before = [where(c) for c in cells[: starts[0]] if "solution" in tags(c)]
    assert not before, f"cells tagged 'solution' before the exercises: {before}"
    solutions = [c for c in cells[starts[0]:] if "solution" in tags(c)]
    assert solutions, "the exercises need worked solutions tagged 'solution'"
    assert any(c.cell_type == "code" for c in solutions), "no code cell among the solutions"


# --- nbval tags ---------------------------------------------------------------------------------


@notebook_params
def test_ignored_outputs_say_why_in_metadata(path: Path):
    unexplained = [
        where(cell) for cell in code_cells(read(path))
        if IGNORE_TAG in tags(cell)
        and len(str(cell.metadata.get("nbval_ignore_reason", "")).strip()) < 8
    ]
    assert not unexplained, (
        f"cells tagged {IGNORE_TAG} need metadata 'nbval_ignore_reason' saying why: {unexplained}"
    )
    in_code = [where(cell) for cell in code_cells(read(path))
               if IGNORE_COMMENT.search(cell.source)]
    assert not in_code, (
        f"the reason belongs in metadata 'nbval_ignore_reason', not in the code: {in_code}"
    )


# --- what the learner sees ----------------------------------------------------------------------


@notebook_params
def test_every_figure_has_alt_text(path: Path):
    bad = []
    for cell in code_cells(read(path)):
        if not has_figure(cell):
            continue
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        if not isinstance(alt, str) or len(alt.strip()) < 8 or FILE_NAME.match(alt.strip()):
            bad.append(f"{where(cell)}: alt {alt!r}")
    assert not bad, (
        "cells with a figure need metadata mystnb.image.alt describing it (8+ characters, "
        f"not a file name): {bad}"
    )


@notebook_params
def test_check_and_autograde_cells_are_hidden(path: Path):
    bad = [
        where(cell) for cell in read(path).cells
        if {"check", "autograde"} & set(tags(cell))
        and not ("remove-cell" in tags(cell)
                 and cell.metadata.get("jupyter", {}).get("source_hidden") is True)
    ]
    assert not bad, (
        "cells tagged check/autograde also need the tag remove-cell and metadata "
        f"jupyter.source_hidden = true: {bad}"
    )


@notebook_params
def test_has_an_autograded_exercise(path: Path):
    cells = read(path).cells
    graded = [i for i, c in enumerate(cells) if "autograde" in tags(c)]
    assert graded, "no cell tagged 'autograde' (the hidden tests of an autograded exercise)"
    for i in graded:
        assert cells[i].cell_type == "code" and "assert" in cells[i].source, where(cells[i])
        assert i > 0 and "solution" in tags(cells[i - 1]), (
            f"{where(cells[i])}: an autograde cell comes right after its worked solution"
        )


def test_visible_asserts_within_the_series_budget():
    counts = {p.name: visible_asserts(p) for p in NOTEBOOKS}
    total = sum(counts.values())
    assert total <= MAX_VISIBLE_ASSERTS, (
        f"{total} assert statements in cells a learner sees (at most {MAX_VISIBLE_ASSERTS}; move "
        f"checks into hidden cells tagged 'check'): "
        + ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    )


def test_count_asserts():
    assert count_asserts("assert x\nnp.testing.assert_allclose(a, b)\nprint('assert')") == 2
    assert count_asserts("%matplotlib inline\nassert y") == 1


@notebook_params
def test_most_outputs_are_compared(path: Path):
    with_output = [c for c in code_cells(read(path)) if c.outputs]
    if not with_output:
        pytest.skip("no code cell has output")
    compared = [c for c in with_output if IGNORE_TAG not in tags(c)]
    share = len(compared) / len(with_output)
    assert share >= MIN_COMPARED_SHARE, (
        f"only {len(compared)} of {len(with_output)} code cells with output are compared by "
        f"nbval ({share:.0%}; at least {MIN_COMPARED_SHARE:.0%} needed)"
    )


# --- links --------------------------------------------------------------------------------------


@notebook_params
def test_relative_links_resolve(path: Path):
    broken = []
    for cell in read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for _text, target in LINK.findall(CODE.sub("", cell.source)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a URL (https:, mailto:, attachment:) or an anchor in this notebook
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / file_part).resolve()
            if not resolved.exists():
                broken.append(f"{target} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in markdown_headings(resolved):
                broken.append(f"{target} (no heading for #{anchor})")
    assert not broken, f"broken links: {broken}"


@notebook_params
def test_first_and_last_cells_are_navigation(path: Path):
    cells = read(path).cells
    for position, cell in [("first", cells[0]), ("last", cells[-1])]:
        assert cell.cell_type == "markdown" and "navigation" in tags(cell), (
            f"the {position} cell should be a markdown cell tagged 'navigation' "
            "(tools/update_navigation.py writes it)"
        )


# --- no timing in a lesson, one definition per name -------------------------------------------

TIMED_NAME = re.compile(
    r"(?:^|_)(?:seconds?|secs?|elapsed|duration|timer|timings?|speed|speedup|s)$"
    r"|perf_counter|monotonic|process_time|^time$", flags=re.IGNORECASE)


def timed_asserts(source: str) -> list[str]:
    """The ``assert`` statements of ``source`` whose test reads a measured time.

    A time is recognised by name: ``time.perf_counter()`` and friends, or a variable or attribute
    named like ``seconds``, ``elapsed``, ``plain_s`` or ``timer``. Speed belongs in benchmarks,
    which print their figures; an assertion on a time fails on a busy machine.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(node.test) if isinstance(n, ast.Attribute)}
        if any(TIMED_NAME.search(name) for name in names):
            found.append(ast.unparse(node).splitlines()[0])
    return found


def test_timed_asserts_recognises_times_and_nothing_else():
    assert timed_asserts("assert spe_s < plain_s")
    assert timed_asserts("assert timer.seconds_per_500_epochs() < 3")
    assert timed_asserts("assert time.perf_counter() - start < 30")
    assert timed_asserts("assert seconds['PCA'] < seconds['t-SNE']")
    assert not timed_asserts("assert losses[-1] < 0.07 and steps_32 == 57")
    assert not timed_asserts("assert plain_losses == spe_losses")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_no_assert_on_a_measured_time(path: Path):
    found = [(where(cell), statement) for cell in code_cells(read(path))
             for statement in timed_asserts(strip_magics(cell.source))]
    assert not found, f"{path.name}: asserts on a time (move speed checks to benchmarks/): {found}"


def strip_magics(source: str) -> str:
    """``source`` with IPython magics and shell lines (``%...``, ``!...``) blanked out."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def defined_names(source: str) -> set[str]:
    """Top-level functions and classes that ``source`` defines."""
    tree = ast.parse(strip_magics(source))
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def test_no_function_or_class_is_defined_in_two_notebooks():
    where_defined: dict[str, list[str]] = {}
    for path in NOTEBOOKS:
        names = set().union(*(defined_names(cell.source) for cell in code_cells(read(path))))
        for name in names:
            where_defined.setdefault(name, []).append(path.name[:2])
    twice = {name: places for name, places in where_defined.items() if len(places) > 1}
    assert not twice, ("defined in more than one notebook (define it once, in the helper or in "
                       f"one notebook): {twice}")
