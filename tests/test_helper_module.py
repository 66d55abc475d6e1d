"""autoenc_helpers.py is the file a learner reads: short, in lesson order, each public name
saying which notebooks teach or use it; the machinery lives in the private package _autoenc."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import autoenc_helpers as ah

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "autoenc_helpers.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def public_functions() -> list[ast.FunctionDef | ast.ClassDef]:
    tree = ast.parse(HELPER.read_text(encoding="utf-8"))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)
            and not node.name.startswith("_")]


def notebook_numbers(text: str) -> set[str]:
    """'04', '05-09', '00-12' and lists of them as a set of two-digit numbers."""
    numbers: set[str] = set()
    for first, last in re.findall(r"\b(\d\d)(?:-(\d\d))?\b", text):
        for n in range(int(first), int(last or first) + 1):
            numbers.add(f"{n:02d}")
    return numbers


def test_the_helper_is_short_enough_to_read():
    assert len(HELPER.read_text(encoding="utf-8").splitlines()) <= 600


def test_no_public_function_is_longer_than_80_lines():
    long = {node.name: node.end_lineno - node.lineno + 1 for node in public_functions()
            if node.end_lineno - node.lineno + 1 > 80}
    assert long == {}


def public_callables() -> dict[str, object]:
    """Every public function or class of ``ah``, defined there or re-exported from _autoenc."""
    names = {node.name for node in public_functions()} | {"EpochLogger"}
    names |= {name for name, value in vars(ah).items() if not name.startswith("_")
              and callable(value) and getattr(value, "__module__", "").startswith("_autoenc")}
    return {name: getattr(ah, name) for name in sorted(names)}


def test_every_public_function_says_which_notebooks_teach_or_use_it():
    sources = {path.name[:2]: path.read_text(encoding="utf-8") for path in NOTEBOOKS}
    problems = []
    for name, value in public_callables().items():
        doc = " ".join((inspect.getdoc(value) or "").split())
        taught = re.search(r"Taught in ([0-9 ,and-]+)", doc)
        used = re.search(r"used in ([0-9 ,and-]+)", doc)
        behind = re.search(r"Behind ``(\w+)`` \((\d\d)\)", doc)
        if not (taught or behind):
            problems.append(f"{name}: no 'Taught in NN' or 'Behind ``name`` (NN)'")
            continue
        if behind:
            if not re.search(rf"\bah\.{behind.group(1)}\b", sources[behind.group(2)]):
                problems.append(f"{name}: notebook {behind.group(2)} does not use "
                                f"ah.{behind.group(1)}")
            continue
        for number in notebook_numbers(taught.group(1) + " " + (used.group(1) if used else "")):
            if not re.search(rf"\bah\.{name}\b", sources[number]):
                problems.append(f"{name}: notebook {number} does not use ah.{name}")
    assert problems == []
    assert {"show_interactive", "save_interactive", "digit_png_uri"} <= set(public_callables())


def test_the_notebook_check_finds_a_false_claim():
    # The check above must be able to fail: digit_to_hex is not used in notebook 07.
    assert not re.search(r"\bah\.digit_to_hex\b", (ROOT / "notebooks").joinpath(
        next(p.name for p in NOTEBOOKS if p.name.startswith("07"))).read_text(encoding="utf-8"))
    assert notebook_numbers("04, 05-07 and 09") == {"04", "05", "06", "07", "09"}


def test_train_autoencoder_shows_the_adam_step_near_its_top():
    source = inspect.getsource(ah.train_autoencoder)
    lines = source.splitlines()
    adam = next(i for i, line in enumerate(lines) if "m.assign_add" in line)
    assert adam < 45, f"the Adam update is at line {adam} of train_autoencoder"


def test_every_validation_rule_lives_in_the_checks_module():
    text = HELPER.read_text(encoding="utf-8")
    assert "np.isfinite" not in text and "np.isnan" not in text
    assert "np.unique" not in text  # class order and colours come from _autoenc.colours
