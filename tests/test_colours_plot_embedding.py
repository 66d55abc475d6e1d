"""plot_embedding: one point per item, one colour per class, digit ticks, clear colormap errors."""

import matplotlib
import numpy as np
import pytest

import autoenc_helpers as h
from _autoenc.colours import distinct_colormap


def make_points(n_per_class=5, n_classes=10):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    return rng.normal(size=(len(labels), 2)), labels


def test_scatter_has_one_point_per_item_and_labelled_axes():
    points, labels = make_points()
    ax = h.plot_embedding(points, labels)
    scatter = ax.collections[0]
    assert scatter.get_offsets().shape == (50, 2)
    assert ax.get_xlabel() == "component 1" and ax.get_ylabel() == "component 2"


def test_each_class_gets_its_own_colour_and_equal_labels_share_one():
    points, labels = make_points()
    ax = h.plot_embedding(points, labels, alpha=1.0)
    ax.figure.canvas.draw()  # face colours are computed when the figure is drawn
    colours = ax.collections[0].get_facecolors()
    by_class = {tuple(colours[labels == k][0]) for k in range(10)}
    assert len(by_class) == 10
    for k in range(10):
        assert len({tuple(c) for c in colours[labels == k]}) == 1


def test_colorbar_ticks_are_the_digits_centred_on_their_colours():
    points, labels = make_points()
    ax = h.plot_embedding(points, labels)
    bar_ax = ax.figure.axes[-1]
    ax.figure.canvas.draw()
    ticks = bar_ax.get_yticks()
    np.testing.assert_allclose(ticks, np.arange(10))
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == [str(d) for d in range(10)]
    colours = ax.collections[0].get_facecolors()
    cmap = ax.collections[0].get_cmap()
    np.testing.assert_allclose(colours[labels == 3][0][:3], cmap(3)[:3])


def test_class_names_replace_tick_labels():
    points, labels = make_points(n_classes=3)
    ax = h.plot_embedding(points, labels, class_names=["a", "b", "c"])
    assert [t.get_text() for t in ax.figure.axes[-1].get_yticklabels()] == ["a", "b", "c"]


def test_unknown_colormap_suggests_the_nearest_names():
    points, labels = make_points()
    with pytest.raises(ValueError, match=r"no colormap named 'Dark1'.*'Dark2'"):
        h.plot_embedding(points, labels, cmap="Dark1")


def test_get_colormap_resamples_to_the_number_of_classes():
    cmap = h.get_colormap("nipy_spectral", 10)
    assert isinstance(cmap, matplotlib.colors.Colormap) and cmap.N == 10


def test_points_must_be_two_dimensional():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        h.plot_embedding(np.zeros((4, 3)), [0, 1, 2, 3])


# --- never fewer colours than classes, Colormap objects, no silent dropping -------


def distinct_face_colours(ax):
    ax.figure.canvas.draw()
    return {tuple(np.round(c, 6)) for c in ax.collections[0].get_facecolors()}


def test_ten_classes_with_an_eight_colour_palette_fall_back_with_a_warning():
    # The reproducer: plot_embedding(points, np.arange(10).repeat(5), cmap="Dark2") drew
    # ten classes in eight colours (0 and 1 shared one, 8 and 9 another).
    points, labels = make_points()
    with pytest.warns(UserWarning, match=r"'Dark2' palette has 8 distinct colours, too few "
                                         r"for 10 classes.*Using 'petroff10'"):
        ax = h.plot_embedding(points, labels, cmap="Dark2", alpha=1.0)
    assert len(distinct_face_colours(ax)) == 10


@pytest.mark.parametrize(("cmap", "n_classes", "fallback"),
                         [("Set1", 12, "tab20"), ("petroff10", 11, "tab20"),
                          ("tab20", 25, "nipy_spectral"), ("Pastel2", 9, "petroff10")])
def test_every_short_palette_falls_back_to_one_with_enough_colours(cmap, n_classes, fallback):
    points, labels = make_points(n_per_class=2, n_classes=n_classes)
    with pytest.warns(UserWarning, match=f"Using {fallback!r}"):
        ax = h.plot_embedding(points, labels, cmap=cmap, alpha=1.0)
    assert len(distinct_face_colours(ax)) == n_classes


def test_a_palette_with_enough_colours_gives_no_warning(recwarn):
    points, labels = make_points(n_classes=3)
    h.plot_embedding(points, labels, cmap="Dark2")
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_get_colormap_shows_a_short_palette_repeating_but_plot_embedding_never_uses_it():
    # Notebook 06 counts the distinct colours of each palette with get_colormap.
    colours = h.get_colormap("Dark2", 10)(np.arange(10))
    assert len(np.unique(colours, axis=0)) == 8
    with pytest.raises(ValueError, match="8 distinct colours, too few for 10 classes"):
        distinct_colormap("Dark2", 10)
    with pytest.raises(ValueError, match="10 distinct colours, too few for 11"):
        h.get_colormap("petroff10", 11)


@pytest.mark.parametrize("cmap", [matplotlib.colormaps["viridis"],
                                  matplotlib.colors.ListedColormap(["red", "green", "blue"])])
def test_a_colormap_object_is_accepted_like_a_name(cmap):
    points, labels = make_points(n_classes=3)
    ax = h.plot_embedding(points, labels, cmap=cmap, alpha=1.0)
    assert len(distinct_face_colours(ax)) == 3


def test_a_colormap_object_with_too_few_colours_falls_back_too():
    points, labels = make_points(n_classes=4)
    two = matplotlib.colors.ListedColormap(["red", "blue"], name="two")
    with pytest.warns(UserWarning, match="'two' palette has 2"):
        ax = h.plot_embedding(points, labels, cmap=two, alpha=1.0)
    assert len(distinct_face_colours(ax)) == 4


def test_a_cmap_that_is_neither_name_nor_colormap_is_refused():
    points, labels = make_points(n_classes=2)
    with pytest.raises(ValueError, match="colormap name or a matplotlib Colormap"):
        h.plot_embedding(points, labels, cmap=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_points_are_refused_with_the_count_and_first_row(bad):
    points, labels = make_points()
    points[7, 1] = bad
    points[12, 0] = bad
    with pytest.raises(ValueError, match=r"2 of 50 points are NaN or infinite \(the first is "
                                         r"row 7"):
        h.plot_embedding(points, labels)


def test_string_labels_and_one_class_work():
    points, _ = make_points(n_classes=2)
    ax = h.plot_embedding(points, ["a"] * 5 + ["b"] * 5, alpha=1.0)
    assert len(distinct_face_colours(ax)) == 2
    assert [t.get_text() for t in ax.figure.axes[-1].get_yticklabels()] == ["a", "b"]
    h.plot_embedding(points, np.zeros(10, dtype=int), cmap="Dark2", colorbar=False)


def test_labels_of_another_length_are_refused():
    with pytest.raises(ValueError, match="4 points but labels of shape"):
        h.plot_embedding(np.zeros((4, 2)), [0, 1, 2])


def test_colorbar_is_labelled_digit_by_default_class_otherwise_or_as_asked():
    points, labels = make_points()
    assert h.plot_embedding(points, labels).figure.axes[-1].get_ylabel() == "digit"
    few_points, few = make_points(n_classes=3)
    named = h.plot_embedding(few_points, few, class_names=["a", "b", "c"])
    assert named.figure.axes[-1].get_ylabel() == "class"
    asked = h.plot_embedding(points, labels, colorbar_label="species")
    assert asked.figure.axes[-1].get_ylabel() == "species"
