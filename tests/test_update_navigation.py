"""Navigation and contents come from one list (tools/update_navigation.py, notebooks/series.toml).

The first test is the staleness check on the real tree: it fails when a notebook's navigation
cells, its kernelspec, or the contents in README.md, TEACHING.md or 00_start_here.ipynb do not
match series.toml. Every notebook file must be listed there, and every listed file that exists is
checked (a listed notebook that is not written yet is skipped with a message, so branches can
add notebooks one at a time). The other tests run the tool on a small synthetic tree.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from support import load_tool

ROOT = Path(__file__).resolve().parent.parent
tool = load_tool("update_navigation")


def test_navigation_and_contents_are_fresh(capsys):
    code = tool.main(["--check"])
    out, err = capsys.readouterr()
    assert code == 0, f"stale: run `.venv/bin/python tools/update_navigation.py`\n{out}\n{err}"


def test_every_notebook_is_in_series_toml():
    listed = {entry.file for entry in tool.read_series()}
    present = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert present <= listed, f"not in notebooks/series.toml: {sorted(present - listed)}"


@pytest.mark.parametrize("entry", tool.read_series(), ids=lambda e: e.file[:2])
def test_heading_matches_series_title(entry):
    path = ROOT / "notebooks" / entry.file
    if not path.exists():
        pytest.skip(f"{entry.file} is not written yet")
    cells = nbformat.read(path, as_version=4).cells
    heading = re.search(r"^# (.+)$", cells[1].source, flags=re.MULTILINE)
    assert heading and heading.group(1).strip().startswith(entry.label), (
        f"heading {heading.group(1) if heading else None!r}, series.toml says {entry.label!r}"
    )


# --- the tool on a synthetic tree ---------------------------------------------------------------

SERIES = """
[[notebook]]
file = "00_start.ipynb"
title = "Start"
track = "core"
summary = "the start"

[[notebook]]
file = "01_middle.ipynb"
title = "Middle"
track = "core"
summary = "the middle"

[[notebook]]
file = "02_later.ipynb"
title = "Later"
track = "advanced"
summary = "written later"

[[notebook]]
file = "03_deep.ipynb"
title = "Deep"
track = "advanced"
summary = "optional depth"
"""


def make_tree(root: Path) -> None:
    (root / "notebooks").mkdir()
    (root / "notebooks" / "series.toml").write_text(SERIES, encoding="utf-8")
    for name in ["README.md", "TEACHING.md"]:
        text = "# Doc\n\n<!-- series:start -->\nold\n<!-- series:end -->\n\nend\n"
        (root / name).write_text(text, encoding="utf-8")
    start = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    start.cells = [
        new_markdown_cell(
            "[Contents](../README.md#the-notebooks) | [old →](x.ipynb)\n\n# 00 · Start"),
        new_markdown_cell("## The series\n\n<!-- series:start -->\n<!-- series:end -->"),
        new_code_cell("1 + 1"),
        new_markdown_cell("[Contents](../README.md#the-notebooks)"),
    ]
    nbformat.write(start, root / "notebooks" / "00_start.ipynb")
    for name, title in [("01_middle.ipynb", "# 01 · Middle"), ("03_deep.ipynb", "# 03 · Deep")]:
        nb = new_notebook()
        nb.cells = [new_markdown_cell(title), new_code_cell("2 + 2")]
        nbformat.write(nb, root / "notebooks" / name)


def test_writes_navigation_contents_and_kernelspec(tmp_path: Path, capsys):
    make_tree(tmp_path)
    assert tool.main(["--root", str(tmp_path), "--check"]) == 1
    assert tool.main(["--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped 02_later.ipynb" in out  # listed, not written yet: a message, no failure
    assert tool.main(["--root", str(tmp_path), "--check"]) == 0

    start = nbformat.read(tmp_path / "notebooks" / "00_start.ipynb", as_version=4)
    assert [c.metadata.get("tags") for c in (start.cells[0], start.cells[-1])] == [
        ["navigation"], ["navigation"]]
    assert start.cells[0].source == "[Contents](#the-series) | [01 · Middle →](01_middle.ipynb)"
    assert start.cells[1].source == "# 00 · Start"  # the old hand-written line is gone
    assert len(start.cells) == 5  # the old bottom line was replaced, not kept
    assert start.metadata.kernelspec.name == "autoenc-viz"
    assert "[01 · Middle](01_middle.ipynb) | the middle |" in start.cells[2].source

    deep = nbformat.read(tmp_path / "notebooks" / "03_deep.ipynb", as_version=4)
    top = deep.cells[0].source
    assert top.startswith(  # 02 skipped; Contents is the first notebook's table, in the folder
        "[← 01 · Middle](01_middle.ipynb) | [Contents](00_start.ipynb#the-series)\n")
    assert "Advanced track (optional)" in top and "→" not in top
    assert deep.cells[-1].source == top.splitlines()[0]

    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| [03 · Deep](notebooks/03_deep.ipynb) | optional depth |" in readme
    assert "02_later" not in readme and "old" not in readme and readme.endswith("end\n")


def test_writing_twice_changes_nothing(tmp_path: Path):
    make_tree(tmp_path)
    tool.main(["--root", str(tmp_path)])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    tool.main(["--root", str(tmp_path)])
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_check_lists_what_is_stale(tmp_path: Path, capsys):
    make_tree(tmp_path)
    tool.main(["--root", str(tmp_path)])
    path = tmp_path / "notebooks" / "01_middle.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "[Contents](../README.md#the-notebooks)"
    nbformat.write(nb, path)
    capsys.readouterr()
    assert tool.main(["--root", str(tmp_path), "--check"]) == 1
    assert "notebooks/01_middle.ipynb" in capsys.readouterr().err


def test_an_unlisted_notebook_is_an_error(tmp_path: Path, capsys):
    make_tree(tmp_path)
    nbformat.write(new_notebook(), tmp_path / "notebooks" / "04_stray.ipynb")
    assert tool.main(["--root", str(tmp_path), "--check"]) == 2
    assert "04_stray.ipynb" in capsys.readouterr().err


def test_contents_link_opens_the_notebook_that_holds_the_table():
    """The link stays inside notebooks/, the folder JupyterLab serves, and finds its section."""
    entries = tool.read_series()
    holder = nbformat.read(ROOT / "notebooks" / entries[0].file, as_version=4)
    table = [c.source for c in holder.cells if c.cell_type == "markdown" and tool.START in c.source]
    assert tool.CONTENTS_ANCHOR == "#the-series" and table[0].startswith("## The series\n")
    for index in range(1, len(entries)):
        assert f"[Contents]({entries[0].file}#the-series)" in tool.nav_line(entries, index)
        assert "../" not in tool.nav_line(entries, index)


def test_teaching_lists_the_exercises_between_markers():
    text = (ROOT / "TEACHING.md").read_text(encoding="utf-8")
    assert text.count(tool.EXERCISES_START) == 1 and text.count(tool.EXERCISES_END) == 1


def test_exercise_list_reads_headings_practises_and_autograde_cells():
    nb = new_notebook(cells=[
        new_markdown_cell("## Exercises\n\n### Exercise 1: count the sevens\n\n"
                          "*Practises: loading one column.*\n\nStore it in `sevens`."),
        new_code_cell("sevens = 1", metadata={"tags": ["solution"]}),
        new_code_cell("assert sevens", metadata={"tags": ["autograde"]}),
        new_markdown_cell("### Exercise 2: why?\n\n*Practises:* explaining a result\nin words."),
    ])
    entry = tool.Entry("04_x.ipynb", "X", "advanced", "x")
    assert tool.exercise_list(nb, entry) == (
        "**04 · X** (advanced track)\n"
        "1. *Count the sevens.* (autograded) Practises loading one column.\n"
        "2. *Why?* Practises explaining a result in words.")
    nb.cells[3].source = "### Exercise 3: skipped a number\n\n*Practises: x.*"
    with pytest.raises(ValueError, match="numbered"):
        tool.exercise_list(nb, entry)
    nb.cells[3].source = "### Exercise 2: says nothing"
    with pytest.raises(ValueError, match="practises"):
        tool.exercise_list(nb, entry)
