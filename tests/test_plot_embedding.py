"""plot_embedding: one point per item, one colour per class, digit ticks, clear colormap errors."""

import matplotlib
import numpy as np
import pytest

import autoenc_helpers as h


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
