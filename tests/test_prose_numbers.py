"""Numbers that the lessons' prose quotes from a result agree with the committed outputs.

Checked on the files alone (nothing runs). The convention, so that a writer knows what is checked:
a number in a markdown cell (outside code, links and HTML comments) counts as a *quoted result*
when it

- follows a word of approximation: "about", "nearly", "almost", "roughly", "around",
  "approximately", "some", "over", "under", "just over", "just under" (tolerance 10 %), or
- carries a unit of a measured result: "N times" (faster, smaller, as many ...), "Nx", "N
  degrees", "N %" or "N percent" (tolerance: the last digit written, e.g. 22 matches 21.5-22.5).

A range ("15 to 20 degrees", "about 0.93 to 0.94") gives each end the range's unit and word.
Every quoted result must match some number printed in the outputs of the same notebook's code
cells (text, HTML tables and markdown outputs) or in a markdown table of the notebook (a table
that quotes a benchmark's run), on a line that measures the same kind of thing: "times" needs a
printed ratio (``4.2x``, "4.2 times"), "degrees" a number on a line about degrees; a percentage may
also match a printed fraction, so "93 %" matches 0.93. Numbers that are settings or facts rather
than results ("70 % of the digits to fit on", a library default) are listed in ``NOT_RESULTS``
with the reason, so the exemption is explicit and reviewed. Wrongly quoted numbers are the kind
this catches: "about 30 times faster" beside an output of 67.7x, "15 to 20 degrees" beside 22.1
and 16.4.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

APPROXIMATE = 0.10  # relative tolerance after a word of approximation
WORDS = r"(?:just\s+)?(?:about|nearly|almost|roughly|around|approximately|some|over|under)"
NUMBER = r"\d[\d,]*(?:\.\d+)?"
UNIT = r"(?:\s*(?:times\b|degrees\b|%|percent\b)|x(?![\w<]))"
QUOTE = re.compile(
    rf"(?P<word>\b{WORDS}\s+)?(?P<low>{NUMBER})(?:\s*(?:to|and|-|–)\s*(?P<high>{NUMBER}))?"
    rf"(?P<unit>{UNIT})?",
    flags=re.IGNORECASE,
)
NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|<!--.*?-->|\]\([^)]*\)|\$[^$\n]+\$|^\|.*$",
                       flags=re.DOTALL | re.MULTILINE)
OUTPUT_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", flags=re.IGNORECASE)

# (notebook prefix, the quoted text as written, why it is not a computed result)
NOT_RESULTS: dict[tuple[str, str], str] = {
    ("07", "70%"): "the share of digits the split keeps for fitting: a setting (test_size=0.3)",
    ("08", "70 %"): "the share of digits the split keeps for fitting: a setting (test_size=0.3)",
    ("08", "30 %"): "the share of digits the split holds out: a setting (test_size=0.3)",
    ("12", "70 %"): "the share of digits the split keeps for fitting: a setting (test_size=0.3)",
    ("12", "30 %"): "the share of digits the split holds out: a setting (test_size=0.3)",
    ("12", "20 times"): "the settling steps of fit_parametric_map: a setting (placement.STEPS)",
}


class Quote(NamedTuple):
    text: str  # as written, for messages and NOT_RESULTS
    values: tuple[float, ...]
    unit: str  # "times", "degrees", "percent" or ""
    tolerance: tuple[float, ...]  # one per value, absolute


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _rounding(text: str) -> float:
    """Half of the last digit written: 22 -> 0.5, 0.93 -> 0.005."""
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def quoted_results(markdown: str) -> list[Quote]:
    """The numbers in ``markdown`` that quote a result, by the convention above."""
    prose = NOT_PROSE.sub(" ", markdown)
    quotes = []
    for found in QUOTE.finditer(prose):
        word, unit = found.group("word"), found.group("unit")
        if not word and not unit:
            continue
        if found.group("high") is None and found.group(0).rstrip().endswith(("-", "–")):
            continue
        ends = [found.group("low")] + ([found.group("high")] if found.group("high") else [])
        if any(re.fullmatch(r"\d{4}", end) and 1900 < _value(end) < 2100 for end in ends):
            continue  # a year
        values = tuple(_value(end) for end in ends)
        tolerance = tuple(max(_rounding(end), APPROXIMATE * abs(v) if word else 0.0)
                          for end, v in zip(ends, values, strict=True))
        kind = (unit or "").strip().lower()
        kind = {"x": "times", "%": "percent"}.get(kind, kind)
        quotes.append(Quote(" ".join(found.group(0).split()), values, kind, tolerance))
    return quotes


class Printed(NamedTuple):
    value: float
    line: str  # the output line it was printed on, lower case: says what it measures
    ratio: bool  # printed as a ratio: directly followed by "x", "×" or "times"


def output_numbers(nb: nbformat.NotebookNode) -> list[Printed]:
    """Every number printed in the outputs of the notebook's code cells, and numbers in its
    markdown tables (a table in the prose quotes a run too, e.g. a benchmark's)."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts += [line for line in cell.source.splitlines() if line.startswith("|")]
            continue
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                value = output.get("data", {}).get(mime, "")
                texts.append(value if isinstance(value, str) else "".join(value))
    numbers = []
    for text in texts:
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
        for line in text.splitlines():
            for found in OUTPUT_NUMBER.finditer(line):
                if _safe_float(found.group()) is None:
                    continue
                ratio = re.match(r"\s*(?:x\b|×|times\b)", line[found.end():]) is not None
                numbers.append(Printed(abs(_value(found.group())), line.lower(), ratio))
    return numbers


def _safe_float(text: str) -> float | None:
    try:
        return _value(text)
    except ValueError:
        return None


def _measures(quote: Quote, printed: Printed) -> bool:
    """Whether a printed number can back ``quote``'s unit: a ratio (``67.7x``) for "times", a
    number on a line about degrees for "degrees"; any number for a percentage or a number quoted
    without a unit."""
    if quote.unit == "times":
        return printed.ratio
    if quote.unit == "degrees":
        return "degree" in printed.line or "°" in printed.line
    return True


def matches(quote: Quote, printed: list[Printed]) -> bool:
    """True when every value of ``quote`` is within its tolerance of some printed number that
    measures the same kind of thing."""
    usable = [p.value for p in printed if _measures(quote, p)]
    if quote.unit == "percent":
        usable += [100 * value for value in usable]
    return all(any(abs(c - value) <= tolerance + 1e-9 for c in usable)
               for value, tolerance in zip(quote.values, quote.tolerance, strict=True))


def mismatches(nb: nbformat.NotebookNode, prefix: str) -> list[str]:
    """Each quoted result in ``nb``'s prose that no output of ``nb`` supports."""
    printed = output_numbers(nb)
    problems = []
    for index, cell in enumerate(nb.cells):
        problems += _cell_mismatches(cell, index, printed, prefix)
    return problems


def _cell_mismatches(cell: nbformat.NotebookNode, index: int, printed: list[float],
                     prefix: str) -> list[str]:
    problems = []
    if cell.cell_type == "markdown":
        for quote in quoted_results(cell.source):
            if (prefix, quote.text) in NOT_RESULTS or matches(quote, printed):
                continue
            problems.append(f"cell {index}: {quote.text!r} matches no printed number "
                            f"(tolerance {', '.join(f'{t:g}' for t in quote.tolerance)})")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_numbers_quoted_in_prose_match_the_outputs(path: Path):
    problems = mismatches(nbformat.read(path, as_version=4), path.name[:2])
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_exemptions_are_used_and_explained():
    used = set()
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                used |= {(path.name[:2], q.text) for q in quoted_results(cell.source)}
    assert set(NOT_RESULTS) <= used, f"stale exemptions: {sorted(set(NOT_RESULTS) - used)}"
    assert all(reason.strip() for reason in NOT_RESULTS.values()), "every exemption says why"


# --- the test of the test ---------------------------------------------------------------------


def _notebook(markdown: str, printed: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("print(...)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])


@pytest.mark.parametrize(("markdown", "printed"), [
    ("expect it about 30 times faster", "speed-up 67.7x"),
    ("looks tilted by 15 to 20 degrees", "angles [22.1 16.4] degrees"),
    ("the columns are 60 degrees apart", "72.7 degrees apart"),
    ("about 30 times faster", "30 steps\nspeed-up 67.7x"),
    ("about 90 times faster", "| fit | 83.5 | 1.0x |"),
    ("by 22 degrees", "22.1 seconds"),
    ("nearly 95 % of them", "share 0.81"),
    ("about 0.80 to 0.94", "0.952 0.931"),
    ("a speed-up of 9x", "8.1x"),
])
def test_a_drifted_number_fails(markdown: str, printed: str):
    assert mismatches(_notebook(markdown, printed), "zz")


@pytest.mark.parametrize(("markdown", "printed"), [
    ("about 68 times faster", "speed-up 67.7x"),
    ("tilted by 16 to 22 degrees", "angles [22.1 16.4] degrees"),
    ("nearly 81 % of them", "share 0.81"),
    ("about 0.93 to 0.95", "0.952 0.931"),
    ("under one percent; `about 30 times` in code; in 2026; a 2 x 2 matrix", "nothing here"),
    ("| about 30 times | in a table |", "nothing"),
])
def test_a_matching_or_unquoted_number_passes(markdown: str, printed: str):
    assert not mismatches(_notebook(markdown, printed), "zz")
