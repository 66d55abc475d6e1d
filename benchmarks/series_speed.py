"""Time the series against an older checkout of it, notebook by notebook, in one run.

Machines here differ from day to day by 2x, so "the series takes N % of the time it took" is only
meaningful when both are measured in the same run. This script runs every notebook of both trees
top to bottom, each in a fresh kernel (as ``tools/time_notebooks.py`` does, the kernel start
included), alternating which tree goes first from one notebook to the next so that a machine
getting slower or faster during the run affects both alike. The kernel of a run imports that
tree's ``autoenc_helpers`` and ``autoenc_notebook`` (``PYTHONPATH`` is set to the tree); both use
this environment's packages. Nothing is written back to the notebooks; files the notebooks save
(``models/``, ``figures/``) land in their own tree.

Usage (the "before" tree is any commit of this project, for example the one an issue names)::

    mkdir ../before && git archive f5ae99e | tar -x -C ../before     # or: git worktree add
    .venv/bin/python benchmarks/series_speed.py --before ../before --clean-models

``--clean-models`` first deletes ``models/`` (generated, gitignored) in both trees, so that each
series trains its cached models as a first run does. Output: one line per notebook,
``NAME before_s=... after_s=...`` (``-`` where a tree lacks it), then the totals over the notebooks
both trees have and over all, with the ratio after/before. Exit status 1 if a notebook failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from time_notebooks import time_notebook  # noqa: E402  (sets the kernels' TF_* variables)


def run(tree: Path, name: str, timeout: int) -> tuple[float, str]:
    """Time ``tree/notebooks/name`` in a kernel that imports ``tree``'s helpers."""
    path = tree / "notebooks" / name
    if not path.is_file():
        return 0.0, "absent"
    env = dict(os.environ, PYTHONPATH=str(tree))
    return time_notebook(path, timeout, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="a checkout of an earlier commit of this project")
    parser.add_argument("--after", type=Path, default=ROOT,
                        help="the tree to compare (default: this one)")
    parser.add_argument("--clean-models", action="store_true",
                        help="delete models/ in both trees first (a first run's training)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (600)")
    args = parser.parse_args(argv)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for label, tree in trees.items():
        if not (tree / "notebooks").is_dir():
            parser.error(f"--{label} {tree}: no notebooks/ folder")
    if args.clean_models:
        for tree in trees.values():
            shutil.rmtree(tree / "models", ignore_errors=True)
    names = sorted({p.name for tree in trees.values()
                    for p in (tree / "notebooks").glob("*.ipynb")})
    print(f"{len(names)} notebooks; {os.cpu_count()} CPU cores; before={trees['before']}",
          flush=True)
    seconds: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    failed = False
    for i, name in enumerate(names):
        order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
        shown: dict[str, str] = {}
        for label in order:
            took, status = run(trees[label], name, args.timeout)
            if status == "ok":
                seconds[label][name] = took
            elif status != "absent":  # a failed run's seconds would distort the totals
                failed = True
                print(f"  {label} {name}: {status}", flush=True)
            shown[label] = "-" if status == "absent" else f"{took:.1f}" + (
                "" if status == "ok" else " (failed, not counted)")
        print(f"{name} before_s={shown['before']} after_s={shown['after']}", flush=True)
    common = sorted(set(seconds["before"]) & set(seconds["after"]))
    for what, keys_before, keys_after in [
        (f"common ({len(common)} notebooks)", common, common),
        (f"all (before {len(seconds['before'])}, after {len(seconds['after'])} notebooks)",
         list(seconds["before"]), list(seconds["after"])),
    ]:
        before = sum(seconds["before"][k] for k in keys_before)
        after = sum(seconds["after"][k] for k in keys_after)
        ratio = after / before if before else float("nan")
        print(f"total {what}: before_s={before:.1f} after_s={after:.1f} ratio={ratio:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
