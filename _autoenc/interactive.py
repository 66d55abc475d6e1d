"""The bokeh plumbing of the hover explorer: the layout, showing it offline, saving it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np

TOOLTIP = """
<div class="digit-tooltip" style="display: flex; align-items: center; gap: 8px;">
  <img src="@image" alt="the @size image of item @index, labelled @label" width="64" height="64"
       style="image-rendering: pixelated; border: 1px solid #888;">
  <div style="font-size: 14px;"><b>label @label</b><br>item @index</div>
</div>
"""
"""The HTML that ``interactive_map`` shows on hover; ``@name`` fields come from its data."""

TAP_JS = """
const i = source.selected.indices[0];
if (i === undefined) { div.text = "<p>Tap a point to pin its digit here.</p>"; return; }
const d = source.data;
div.text = `<img src="${d.image[i]}" alt="the ${d.size[i]} image of item ${d.index[i]}" width="96"`
    + ` height="96" style="image-rendering: pixelated; border: 1px solid #888;">`
    + `<p><b>label ${d.label[i]}</b><br>item ${d.index[i]}</p>`;
"""


def map_layout(points: np.ndarray, labels: np.ndarray, classes: np.ndarray, codes: np.ndarray,
               palette: list[str], images: list[str], title: str, size: float, alpha: float,
               width: int, height: int, side_pixels: int = 64) -> Any:
    """The bokeh ``row`` of ``interactive_map``: the scatter with hover and tap, the legend in
    class order beside it, and the panel where a tapped digit is pinned."""
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource, CustomJS, Div, HoverTool, Legend, LegendItem, TapTool
    from bokeh.plotting import figure

    side = int(round(np.sqrt(side_pixels)))
    source = ColumnDataSource({
        "x": points[:, 0], "y": points[:, 1],
        "label": [str(label) for label in labels],
        "index": np.arange(len(points)),
        "image": images,
        "size": [f"{side}x{side}"] * len(points),  # the image's size in pixels, for its alt text
        "colour": [palette[code] for code in codes],
    })
    plot = figure(width=width, height=height, title=title, tools="pan,wheel_zoom,box_zoom,reset",
                  x_axis_label="component 1", y_axis_label="component 2")
    dots = plot.scatter("x", "y", source=source, size=size, fill_color="colour",
                        line_color=None, fill_alpha=alpha)
    plot.add_tools(HoverTool(renderers=[dots], tooltips=TOOLTIP), TapTool(renderers=[dots]))
    first = [int(np.flatnonzero(codes == k)[0]) for k in range(len(classes))]
    items = [LegendItem(label=str(name), renderers=[dots], index=i)
             for name, i in zip(classes, first, strict=True)]
    plot.add_layout(Legend(items=items, title="label", label_text_font_size="9pt"), "right")
    pinned = Div(text="<p>Tap a point to pin its digit here.</p>", width=140,
                 css_classes=["digit-pinned"])
    source.selected.js_on_change("indices", CustomJS(args={"source": source, "div": pinned},
                                                     code=TAP_JS))
    return row(plot, pinned)


def show_interactive(layout: Any) -> None:
    """Show a bokeh layout (e.g. from ``interactive_map``) in JupyterLab, offline. Taught in 06.

    BokehJS (about 1.7 MB) goes to the page inline, so no internet is needed, then gives way in
    the saved output to a one-line note. Needs JupyterLab's bokeh extension (``jupyter_bokeh``);
    raises ``RuntimeError`` outside IPython.
    """
    from bokeh.embed.bundle import bundle_for_objs_and_resources
    from bokeh.io import show
    from bokeh.io.notebook import JS_MIME_TYPE, LOAD_MIME_TYPE, _loading_js
    from bokeh.io.state import curstate
    from bokeh.resources import Resources
    from IPython import get_ipython
    from IPython.display import display, update_display

    if get_ipython() is None:
        raise RuntimeError("show_interactive needs IPython (a notebook); use save_interactive")
    curstate().output_notebook("jupyter")
    resources = Resources(mode="inline", components=["bokeh", "bokeh-widgets"])
    bundle = bundle_for_objs_and_resources(None, resources)
    load_id = f"bokehjs-{uuid.uuid4().hex}"
    # The same two scripts as bokeh.io.output_notebook(INLINE), but with a display id, so the
    # JavaScript can be swapped for a note once the browser has run it.
    display({JS_MIME_TYPE: _loading_js(bundle, None, 5000, register_mime=True),
             LOAD_MIME_TYPE: _loading_js(bundle, None, 5000, register_mime=False)},
            raw=True, display_id=load_id)
    show(layout)
    update_display({"text/plain": "(BokehJS loaded inline: the map needs no internet)"},
                   raw=True, display_id=load_id)


def save_interactive(layout: Any, path: str | Path, title: str = "Digit map") -> Path:
    """Save a bokeh layout as one stand-alone HTML page (BokehJS inline); return its path.
    Behind ``interactive_map`` (06): the page opens in any browser without kernel or internet.
    """
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    path = Path(path)
    path.write_text(file_html(layout, INLINE, title=title), encoding="utf-8")
    return path


def spread_out(points: np.ndarray, count: int, min_distance: float) -> list[int]:
    """Return up to ``count`` indices of points at least ``min_distance`` apart (greedy, in
    item order), so thumbnails drawn there do not overlap."""
    chosen: list[int] = []
    for index, point in enumerate(points):
        if len(chosen) == count:
            break
        if all(np.hypot(*(point - points[other])) >= min_distance for other in chosen):
            chosen.append(index)
    return chosen
