"""tools/time_notebooks.py runs notebooks and prints a markdown table of their run times."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from support import load_tool


def write(path: Path, code: str) -> Path:
    nb = new_notebook(cells=[new_markdown_cell("# 99 · Tiny"), new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def test_prints_a_row_per_notebook_and_a_total(tmp_path: Path, capsys):
    ok = write(tmp_path / "99_tiny.ipynb", "1 + 1")
    broken = write(tmp_path / "98_broken.ipynb", "raise ValueError('boom')")
    before = ok.read_bytes()
    assert load_tool("time_notebooks").main([str(ok), str(broken)]) == 1  # one notebook failed
    table = capsys.readouterr().out
    assert "| 99 · Tiny | `99_tiny.ipynb` |" in table and "| ok |" in table
    assert "`98_broken.ipynb`" in table and "error: ValueError: boom" in table
    assert "| **all** |" in table
    assert ok.read_bytes() == before  # nothing written back


def test_write_saves_fresh_outputs_without_widget_state(tmp_path: Path, capsys):
    path = write(tmp_path / "97_widget.ipynb",
                 "import ipywidgets as w\nw.IntSlider(description='item')")
    assert load_tool("time_notebooks").main(["--write", str(path)]) == 0
    saved = nbformat.read(path, as_version=4)
    code = saved.cells[1]
    assert code.execution_count == 1
    assert "application/vnd.jupyter.widget-view+json" in code.outputs[0]["data"]
    assert "widgets" not in saved.metadata
    assert "execution" not in code.metadata  # no timestamps: re-runs give clean diffs


def test_write_leaves_a_failing_notebook_untouched(tmp_path: Path, capsys):
    path = write(tmp_path / "96_broken.ipynb", "raise ValueError('boom')")
    before = path.read_bytes()
    assert load_tool("time_notebooks").main(["--write", str(path)]) == 1
    assert path.read_bytes() == before


def test_the_kernel_runs_with_the_environment_given(tmp_path: Path):
    import os

    path = write(tmp_path / "95_env.ipynb",
                 "import os\nassert os.environ['SERIES_SPEED_TREE'] == 'before', os.environ")
    tool = load_tool("time_notebooks")
    env = dict(os.environ, SERIES_SPEED_TREE="before")
    assert tool.time_notebook(path, timeout=60, env=env)[1] == "ok"
    assert tool.time_notebook(path, timeout=60)[1].startswith("error: KeyError")
