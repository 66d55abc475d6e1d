"""The website's notebook transformations (tools/build_book.py), on small notebooks: solutions
folded for students, grading cells removed, a bokeh plot made stand-alone, the lesson list."""

from __future__ import annotations

import nbformat
import pytest
from support import load_tool

build_book = load_tool("build_book")


def cell(kind: str, source: str, *tags: str) -> nbformat.NotebookNode:
    new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    made = new(source)
    made.metadata["tags"] = list(tags)
    return made


def test_solutions_fold_and_grading_cells_go() -> None:
    notebook = nbformat.v4.new_notebook(cells=[
        cell("code", "x = 1", "solution"), cell("markdown", "Because ::: no.", "solution"),
        cell("code", "assert x == 1", "autograde"), cell("code", "check()", "check"),
        cell("code", "y = 2")])
    build_book.with_folded_solutions(notebook)
    code, written, graded, checked, plain = notebook.cells
    assert "hide-cell" in code.metadata.tags
    assert code.metadata.mystnb["code_prompt_show"] == build_book.SOLUTION_PROMPT
    assert written.source.startswith("::::{dropdown} Worked answer")
    assert written.source.endswith("\n::::") and "Because ::: no." in written.source
    assert "remove-cell" in graded.metadata.tags and "remove-cell" in checked.metadata.tags
    assert plain.metadata.tags == []


def test_a_bokeh_plot_becomes_standalone() -> None:
    plot = cell("code", "show(plot)")
    plot.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "(BokehJS loaded inline)"}),
        nbformat.v4.new_output("display_data", data={
            "text/html": '<div id="a" data-root-id="p1"></div>'}),
        nbformat.v4.new_output("display_data", data={
            "application/javascript": "Bokeh.embed.embed_items_notebook(docs, items);",
            build_book.BOKEH_EXEC: ""})]
    assert build_book.standalone_bokeh(plot)
    (output,) = plot.outputs
    html = output.data["text/html"]
    assert html.startswith('<div id="a" data-root-id="p1"></div>')
    assert html.endswith('<script type="text/javascript">Bokeh.embed.embed_items(docs, items);'
                         "</script>\n")
    assert len(html) > 500_000, "BokehJS is not inline"


def test_a_bokeh_output_without_its_div_is_an_error() -> None:
    plot = cell("code", "show(plot)")
    plot.outputs = [nbformat.v4.new_output("display_data", data={
        "application/javascript": "embed_items_notebook(d, r)", build_book.BOKEH_EXEC: ""})]
    with pytest.raises(ValueError, match="without its <div>"):
        build_book.standalone_bokeh(plot)


def test_the_front_page_lists_every_lesson_by_track() -> None:
    series = [{"file": "00_a.ipynb", "title": "A", "summary": "a."},
              {"file": "10_b.ipynb", "title": "B", "summary": "b.", "track": "advanced"}]
    text = build_book.lesson_list(series)
    assert "- [00 · A](notebooks/00_a.ipynb): a." in text
    assert text.index("Core lessons") < text.index("Advanced") < text.index("10 · B")
