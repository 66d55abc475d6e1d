"""Tests for the interactive map (bokeh hover explorer) and its static figure."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.image
import numpy as np
import pytest
from matplotlib.offsetbox import AnnotationBbox

import autoenc_helpers as ah


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """60 real digits (scaled 0-1), their labels, and a made-up 2-D map of them."""
    pixels, labels = ah.load_digits_file()
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 2)) + labels[:60, None]
    return pixels[:60], labels[:60], points


def decode(uri: str) -> np.ndarray:
    """The pixels of a data:image/png URI, as matplotlib reads them (floats 0-1)."""
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return matplotlib.image.imread(io.BytesIO(base64.b64decode(uri[len(prefix):])), format="png")


def test_digit_png_uri_draws_ink_dark_on_white() -> None:
    row = np.zeros(64)
    row[0] = 16  # top-left pixel full ink
    row[63] = 8  # bottom-right pixel half ink
    image = decode(ah.digit_png_uri(row, scale=3))
    assert image.shape == (24, 24)
    assert image[0, 0] == 0.0 and image[2, 2] == 0.0  # a 3x3 black block
    assert image[3, 3] == 1.0  # white paper
    assert image[-1, -1] == pytest.approx(127 / 255, abs=1 / 255)


def test_digit_png_uri_accepts_scaled_pixels_and_8x8() -> None:
    raw = np.arange(64) % 17
    assert ah.digit_png_uri(raw) == ah.digit_png_uri(raw / 16)
    assert ah.digit_png_uri(raw.reshape(8, 8)) == ah.digit_png_uri(raw)


@pytest.mark.parametrize(("row", "scale", "message"), [
    (np.zeros(63), 4, "64 pixel values"),
    (np.full(64, 17.0), 4, "0-16"),
    (np.zeros(64), 0, "scale"),
])
def test_digit_png_uri_rejects_bad_input(row: np.ndarray, scale: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ah.digit_png_uri(row, scale=scale)


def test_interactive_map_holds_every_point_with_its_image_and_label(digits) -> None:
    from bokeh.models import ColumnDataSource, HoverTool, TapTool

    pixels, labels, points = digits
    layout = ah.interactive_map(points, labels, pixels, title="test map")
    plot, pinned = layout.children
    assert plot.title.text == "test map"
    assert plot.xaxis[0].axis_label == "component 1"
    source = plot.select_one({"type": ColumnDataSource})
    data = source.data
    assert len(data["x"]) == 60
    np.testing.assert_allclose(data["x"], points[:, 0])
    np.testing.assert_allclose(data["y"], points[:, 1])
    assert data["label"] == [str(label) for label in labels]
    assert list(data["index"]) == list(range(60))
    for i in (0, 59):
        np.testing.assert_allclose(decode(data["image"][i]),
                                   1 - np.round(pixels[i] * 255).reshape(8, 8) / 255, atol=0.01)
    # one colour per class, the same for every point of that class
    colour_of = {}
    for label, colour in zip(data["label"], data["colour"], strict=True):
        assert colour_of.setdefault(label, colour) == colour
    assert len(set(colour_of.values())) == len(set(labels.tolist()))
    hover = plot.select_one({"type": HoverTool})
    assert "@image" in hover.tooltips and "@label" in hover.tooltips
    assert plot.select_one({"type": TapTool}) is not None
    assert "Tap a point" in pinned.text
    assert source.selected.js_property_callbacks["change:indices"]


def test_interactive_map_accepts_string_labels_and_raw_8x8_images(digits) -> None:
    pixels, labels, points = digits
    names = np.array([f"digit {label}" for label in labels])
    layout = ah.interactive_map(points, names, (pixels * 16).reshape(-1, 8, 8), cmap="tab10")
    data = layout.children[0].renderers[0].data_source.data
    assert data["label"][0] == names[0]


def test_saved_page_works_offline(digits, tmp_path) -> None:
    pixels, labels, points = digits
    page = ah.save_interactive(ah.interactive_map(points, labels, pixels), tmp_path / "map.html")
    html = page.read_text(encoding="utf-8")
    assert "Bokeh" in html and "data:image/png;base64," in html
    external = re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", html)
    assert external == [], "the page must not load scripts or styles from outside"


@pytest.mark.parametrize(("change", "message"), [
    ({"points": np.zeros((60, 3))}, "shape \\(n, 2\\)"),
    ({"points": np.full((60, 2), np.nan)}, "NaN"),
    ({"labels": np.zeros(59)}, "labels"),
    ({"images": np.zeros((59, 64))}, "59 images for 60 points"),
    ({"images": np.zeros((60, 63))}, "shape \\(n, 64\\)"),
    ({"images": np.full((60, 64), -1.0)}, "0-16"),
    ({"images": np.full((60, 64), np.nan)}, "NaN"),
    ({"cmap": "Dark1"}, "Dark2"),
])
def test_interactive_map_rejects_bad_input(digits, change, message) -> None:
    pixels, labels, points = digits
    arguments = {"points": points, "labels": labels, "images": pixels, **change}
    with pytest.raises(ValueError, match=message):
        ah.interactive_map(**arguments)


def test_static_map_draws_spread_out_digits(digits) -> None:
    pixels, labels, points = digits
    ax = ah.plot_map_with_digits(points, labels, pixels, n_digits=12)
    boxes = [artist for artist in ax.artists if isinstance(artist, AnnotationBbox)]
    assert 1 <= len(boxes) <= 12
    positions = np.array([box.xy for box in boxes])
    span = np.ptp(points, axis=0)
    for i in range(len(positions)):
        for j in range(i):
            assert np.hypot(*((positions[i] - positions[j]) / span)) >= 0.08
    assert ax.get_title() and ax.get_xlabel() == "component 1"
    assert len(ax.figure.axes) == 2  # the map and its colorbar


def test_static_map_rejects_negative_count(digits) -> None:
    pixels, labels, points = digits
    with pytest.raises(ValueError, match="n_digits"):
        ah.plot_map_with_digits(points, labels, pixels, n_digits=-1)


def test_show_interactive_needs_a_notebook(digits) -> None:
    pixels, labels, points = digits
    with pytest.raises(RuntimeError, match="save_interactive"):
        ah.show_interactive(ah.interactive_map(points, labels, pixels))
