"""One rule, one place: each rule of _autoenc.checks and _autoenc.colours reaches every
function that needs it (colours and label order on every plotting surface, finite values,
whole numbers, the pixel scale, square images of any size)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex

import autoenc_helpers as ah
from _autoenc import checks, colours

matplotlib.use("Agg")


def blobs(n_classes: int, per_class: int = 6, side: int = 8, labels_as=int):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(n_classes), per_class)
    points = rng.normal(size=(len(labels), 2)) + labels[:, None] * 3.0
    images = rng.random((len(labels), side * side))
    return points, np.array([labels_as(v) for v in labels]), images


def dot_colours(ax) -> dict:
    """The colour of each class's dots, by the class index the scatter was coloured with."""
    collection = ax.collections[0]
    codes = np.unique(collection.get_array())
    return {int(code): to_hex(collection.cmap(collection.norm(code))) for code in codes}


# --- colours and order ---------------------------------------------------------------------


PALETTE_SIZES = {"Dark2": 8, "tab10": 10, "petroff10": 10, "Set1": 9, "nipy_spectral": 256}


@pytest.mark.parametrize("cmap", list(PALETTE_SIZES))
@pytest.mark.parametrize("n_classes", [3, 9, 11])
def test_static_map_frames_each_digit_in_the_colour_of_its_class_dots(cmap, n_classes, recwarn):
    points, labels, images = blobs(n_classes)
    ax = ah.plot_map_with_digits(points, labels, images, n_digits=50, cmap=cmap)
    fell_back = [w for w in recwarn if "Using" in str(w.message)]
    assert bool(fell_back) == (n_classes > PALETTE_SIZES[cmap])
    by_class = dot_colours(ax)
    _, codes = colours.classes_in_order(labels)
    frames = list(ax.artists)
    assert frames
    for frame in frames:
        index = int(np.flatnonzero((points == frame.xy).all(axis=1))[0])
        assert to_hex(frame.patch.get_edgecolor()) == by_class[int(codes[index])]
    assert len(set(by_class.values())) == n_classes


@pytest.mark.parametrize("cmap", ["Dark2", "tab10", "Pastel1"])
def test_interactive_map_gives_every_class_its_own_colour_and_a_natural_legend(cmap):
    points, labels, images = blobs(12)
    with pytest.warns(UserWarning, match="Using 'tab20'"):
        layout = ah.interactive_map(points, labels, images, cmap=cmap)
    plot = layout.children[0]
    source = plot.renderers[0].data_source
    colour_of = {}
    for label, colour in zip(source.data["label"], source.data["colour"], strict=True):
        colour_of.setdefault(label, set()).add(colour)
    assert all(len(c) == 1 for c in colour_of.values())
    assert len({next(iter(c)) for c in colour_of.values()}) == 12
    legend = plot.select_one({"type": __import__("bokeh").models.Legend})
    assert [item.label.value for item in legend.items] == [str(i) for i in range(12)]


def test_the_same_class_gets_the_same_colour_on_the_static_and_the_interactive_map():
    points, labels, images = blobs(10)
    layout = ah.interactive_map(points, labels, images, cmap="tab10")
    data = layout.children[0].renderers[0].data_source.data
    interactive = dict(zip(data["label"], data["colour"], strict=True))
    ax = ah.plot_embedding(points, labels, cmap="tab10")
    static = dot_colours(ax)
    assert all(interactive[str(k)] == static[k] for k in range(10))


def test_text_labels_with_numbers_are_in_natural_order_on_the_colorbar():
    points, labels, _ = blobs(11, labels_as=lambda v: f"digit {v}")
    with pytest.warns(UserWarning):
        ax = ah.plot_embedding(points, labels, cmap="Dark2")
    ticks = [t.get_text() for t in ax.figure.axes[-1].get_yticklabels()]
    assert ticks == [f"digit {i}" for i in range(11)]


def test_numeric_string_labels_are_in_natural_order():
    classes, codes = colours.classes_in_order(np.array(["10", "2", "1", "11", "0"]))
    assert classes.tolist() == ["0", "1", "2", "10", "11"]
    assert classes[codes].tolist() == ["10", "2", "1", "11", "0"]


# --- whole numbers, finite values, pixel scale ----------------------------------------------


@pytest.mark.parametrize("bad", [2.5, -1, True, "3"])
def test_a_count_of_digits_to_draw_must_be_a_whole_number(bad):
    points, labels, images = blobs(3)
    with pytest.raises(ValueError, match="n_digits must be a whole number"):
        ah.plot_map_with_digits(points, labels, images, n_digits=bad)


def test_whole_numbers_accept_numpy_integers():
    assert checks.whole_number("epochs", np.int64(3)) == 3
    assert checks.whole_number("n", np.int32(0), minimum=0) == 0


@pytest.mark.parametrize("where", ["train_pixels", "train_points"])
def test_the_neighbour_map_refuses_nan_instead_of_placing_everything_at_nan(where):
    rng = np.random.default_rng(0)
    data = {"train_pixels": rng.random((20, 64)), "train_points": rng.random((20, 2))}
    data[where][3, 1] = np.nan
    with pytest.raises(ValueError, match=rf"{where} hold 1 NaN.*row 3, column 1"):
        ah.build_neighbour_map(**data)


@pytest.mark.parametrize("function", ["embedding_scores", "tsne_targets"])
def test_scores_and_targets_refuse_nan_data(function):
    pixels = np.random.default_rng(0).random((30, 64))
    pixels[5, 7] = np.inf
    labels = np.repeat(np.arange(3), 10)
    call = {"embedding_scores": lambda: ah.embedding_scores(pixels, pixels[:, :2], labels),
            "tsne_targets": lambda: ah.tsne_targets(pixels, perplexity=5)}[function]
    with pytest.raises(ValueError, match="row 5, column 7"):
        call()


def test_a_faint_raw_digit_is_drawn_faint_on_the_interactive_map():
    from _autoenc.images import png_uri

    points, labels, _ = blobs(2, per_class=2)
    images = np.zeros((4, 64))
    images[0, :] = 16.0          # a full-ink digit fixes the array's scale as raw 0-16
    images[1, 10] = 1.0          # a faint raw digit: grey level 1 of 16, all its values <= 1
    layout = ah.interactive_map(points, labels, images)
    uris = layout.children[0].renderers[0].data_source.data["image"]
    assert uris[1] == png_uri(images[1])           # grey level 1 ...
    assert uris[1] != png_uri(images[1] * 16)      # ... not full ink


# --- square images of any size ---------------------------------------------------------------


@pytest.mark.parametrize("side", [8, 12, 28])
def test_maps_show_square_images_of_any_size(side):
    points, labels, images = blobs(3, side=side)
    layout = ah.interactive_map(points, labels, images)
    assert len(layout.children[0].renderers[0].data_source.data["image"]) == len(points)
    ax = ah.plot_map_with_digits(points, labels, images.reshape(-1, side, side), n_digits=5)
    assert ax.artists[0].offsetbox.get_children()[0].get_array().shape == (side, side)
    assert ah.digit_png_uri(images[0]).startswith("data:image/png;base64,")


def test_images_that_are_not_square_or_not_in_range_are_refused_clearly():
    points, labels, images = blobs(3)
    with pytest.raises(ValueError, match=r"k\*k.*got \(18, 50\)"):
        ah.interactive_map(points, labels, images[:, :50])
    with pytest.raises(ValueError, match="0-16.*divide them by 255|values from 0 to 255"):
        ah.interactive_map(points, labels, images * 255)
