"""make test's plumbing: the stage timer and the nbval comparison the browser test applies."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from support import ONE_THREAD_PER_LANE, load_module, load_tool

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def load_compare():
    return load_module(ROOT / "tests" / "browser" / "nbval_compare.py")


def notebook(*cells) -> nbformat.NotebookNode:
    return new_notebook(cells=list(cells))


def cell(source: str, outputs, tags=(), count: int | None = 1) -> nbformat.NotebookNode:
    c = new_code_cell(source, outputs=outputs, execution_count=count)
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def stdout(text: str):
    return new_output("stream", name="stdout", text=text)


def result(text: str, png: str | None = None):
    data = {"text/plain": text}
    if png:
        data["image/png"] = png
    return new_output("execute_result", data=data, execution_count=1)


def test_identical_outputs_pass_and_changed_text_fails():
    compare = load_compare().compare_notebooks
    ref = notebook(cell("print(1)", [stdout("1\n")]), cell("2", [result("2")]))
    assert compare(ref, copy.deepcopy(ref), SANITIZE) == []
    changed = copy.deepcopy(ref)
    changed.cells[1].outputs[0]["data"]["text/plain"] = "3"
    failures = compare(ref, changed, SANITIZE)
    assert len(failures) == 1 and "Cell 1" in failures[0] and "Cell outputs differ" in failures[0]


def test_what_nbval_strict_ignores_is_ignored_here_too():
    compare = load_compare().compare_notebooks
    ref = notebook(
        cell("f", [result("<function f at 0x7f00aa>")]),  # sanitized memory address
        cell("plot()", [result("<Figure>", png="AAAA")]),  # PNG data is never compared
        cell("print(1); print(2)", [stdout("1\n2\n")]),  # streams are coalesced
        cell("import random; random.random()", [result("0.1")], tags=["nbval-ignore-output"]),
        cell("# NBVAL_IGNORE_OUTPUT\nrandom.random()", [result("0.2")]),
        cell("never_run()", [], count=None),  # unrun reference cells are not compared
    )
    run = notebook(
        cell("f", [result("<function f at 0x5500bb>")]),
        cell("plot()", [result("<Figure>", png="BBBB")]),
        cell("print(1); print(2)", [stdout("1\n"), stdout("2\n")]),
        cell("import random; random.random()", [result("0.7")], count=4),
        cell("# NBVAL_IGNORE_OUTPUT\nrandom.random()", [result("0.8")]),
        cell("never_run()", [result("anything")]),
    )
    assert compare(ref, run, SANITIZE) == []


@pytest.mark.parametrize("change", ["missing", "extra", "stderr", "error", "unrun", "source"])
def test_what_nbval_strict_catches_is_caught(change: str):
    compare = load_compare().compare_notebooks
    ref = notebook(cell("x = 1\nx", [result("1")]))
    run = copy.deepcopy(ref)
    if change == "missing":
        run.cells[0].outputs = []
    elif change == "extra":
        run.cells[0].outputs.append(stdout("surprise\n"))
    elif change == "stderr":
        run.cells[0].outputs.append(new_output("stream", name="stderr", text="warning\n"))
    elif change == "error":
        run.cells[0].outputs = [new_output("error", ename="NameError", evalue="x",
                                           traceback=[])]
    elif change == "unrun":
        ref.cells[0].execution_count = None
    else:
        run.cells[0].source = "x = 2\nx"
    assert compare(ref, run, SANITIZE), f"{change}: not caught"


def test_a_cell_tagged_raises_exception_may_raise():
    compare = load_compare().compare_notebooks
    error = new_output("error", ename="ValueError", evalue="boom", traceback=["tb"])
    ref = notebook(cell("raise ValueError('boom')", [error], tags=["raises-exception"]))
    run = copy.deepcopy(ref)
    run.cells[0].outputs[0]["traceback"] = ["another traceback"]
    assert compare(ref, run, SANITIZE) == []


def test_stages_run_in_order_and_the_times_are_printed(capsys):
    stages = load_tool("test_stages")
    python = sys.executable
    assert stages.main([f"first={python} -c 'print(1)'",
                        f"slow&={python} -c 'import time; time.sleep(0.3); print(2)'",
                        f"last={python} -c 'print(3)'"]) == 0
    out = capsys.readouterr().out
    assert "make test: stage times" in out
    for name in ("first", "slow", "last", "total"):
        assert f"  {name} " in out
    assert "(in parallel with the next stages)" in out


def test_a_background_stage_is_timed_to_its_own_end(capsys):
    stages = load_tool("test_stages")
    python = sys.executable
    assert stages.main([f"quick&={python} -c 'print(1)'",
                        f"slow={python} -c 'import time; time.sleep(1.5)'"]) == 0
    times = {line.split()[0]: float(line.split()[1])
             for line in capsys.readouterr().out.splitlines()
             if line.startswith("  quick ") or line.startswith("  slow ")}
    assert times["quick"] < times["slow"] - 0.5, times


def test_a_failed_stage_fails_the_run_and_stops_later_stages(capsys):
    stages = load_tool("test_stages")
    python = sys.executable
    assert stages.main([f"bad={python} -c 'raise SystemExit(3)'",
                        f"never={python} -c 'print(1)'"]) == 1
    out = capsys.readouterr().out
    assert "FAILED (exit 3)" in out and "never" in out and "not run" in out
    with pytest.raises(ValueError):
        stages.parse("no command")


THREAD_REPORT = (
    "import os, sys; sys.path.insert(0, 'tests'); import conftest; "
    "print([os.environ.get(name) for name in sorted(conftest.ONE_THREAD_PER_LANE)])"
)


@pytest.mark.parametrize(("workers", "expected"), [("2", "1"), ("1", None), (None, None)])
def test_each_of_several_xdist_workers_and_its_kernels_compute_on_one_thread(workers, expected):
    # conftest.py sets the thread limits in the worker's environment, which the JupyterLab it
    # starts, and so every notebook kernel, inherits; a single lane keeps the libraries' defaults.
    env = {k: v for k, v in os.environ.items()
           if k not in ONE_THREAD_PER_LANE and k != "PYTEST_XDIST_WORKER_COUNT"}
    if workers is not None:
        env["PYTEST_XDIST_WORKER_COUNT"] = workers
    result = subprocess.run([sys.executable, "-c", THREAD_REPORT], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == str([expected] * len(ONE_THREAD_PER_LANE))
