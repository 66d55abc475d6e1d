"""Time a top-to-bottom run of each notebook and print a markdown table (for TEACHING.md).

Each notebook runs in a fresh kernel of the kind its metadata names (the series' own
``autoenc-viz``), started in the notebook's folder, like Restart Kernel and Run All; the time
includes starting and stopping the kernel. Without ``--write`` nothing is written back to
the notebooks (files the notebooks themselves save, such as models/, are written as in any run).
With ``--write`` (what ``make run`` does) each notebook that ran without error is saved with its
fresh outputs, execution counts 1..n, and no ``metadata.widgets`` (widget state breaks GitHub's
renderer; the widgets' text stays in the outputs).

Usage::

    .venv/bin/python tools/time_notebooks.py                 # every notebook in notebooks/
    .venv/bin/python tools/time_notebooks.py notebooks/04_training.ipynb
    .venv/bin/python tools/time_notebooks.py --write         # re-execute in place (make run)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Set before any kernel starts (the kernels inherit the environment), as the Makefile does.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("AUTOENC_VERBOSE", "0")  # no progress line saved into a notebook

import nbformat  # noqa: E402
from jupyter_client.kernelspec import NoSuchKernel  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The ``NN · Title`` heading in the notebook's first two cells, or ``fallback``."""
    if notebook.cells:
        head = "\n".join(cell.source for cell in notebook.cells[:2])  # cell 0: navigation
        match = re.search(r"^# (.+)$", head, flags=re.MULTILINE)
        if match:
            return match.group(1).strip()
    return fallback


def time_notebook(path: Path, timeout: int, write: bool = False,
                  env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run ``path`` once; return (wall-clock seconds, "ok" or the error's first line).

    With ``write``, a notebook that ran without error is saved in place, minus widget state.
    ``env``: the kernel's environment (default: this process's).
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout,
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        # env=None would replace the environment by nothing: pass env only when one is given
        client.execute(**({} if env is None else {"env": env}))
        status = "ok"
    except CellExecutionError as error:
        status = f"error: {error.ename}: {error.evalue}"[:100]
    except (CellTimeoutError, DeadKernelError, NoSuchKernel) as error:
        status = f"error: {type(error).__name__}: {error}"[:100]
    seconds = time.perf_counter() - start
    if write and status == "ok":
        notebook.metadata.pop("widgets", None)
        nbformat.write(notebook, path)
    return seconds, status


def main(argv: list[str] | None = None) -> int:
    """Time the notebooks given (default: all in notebooks/) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: notebooks/*.ipynb)")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds one cell may run (default: 600)")
    parser.add_argument("--write", action="store_true",
                        help="save each notebook that ran without error, with its new outputs")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("error: no notebooks to time", file=sys.stderr)
        return 1
    rows, total, failed = [], 0.0, False
    for path in paths:
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        seconds, status = time_notebook(path, args.timeout, args.write)
        total += seconds
        failed |= status != "ok"
        title = title_of(nbformat.read(path, as_version=4), path.stem)
        rows.append(f"| {title} | `{path.name}` | {seconds:.0f} | {status} |")
    print(f"Measured with `tools/time_notebooks.py` on {os.cpu_count()} CPU cores.\n")
    print("| notebook | file | seconds | result |")
    print("|---|---|---:|---|")
    print("\n".join(rows))
    print(f"| **all** | | **{total:.0f}** | |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
