"""The series' best parametric map: t-SNE targets and the neighbour-map encoder built for them."""

import subprocess
import sys

import numpy as np
import pytest
from support import ROOT, load_module

import autoenc_helpers as h

scale = load_module(ROOT / "benchmarks" / "scale.py")


def small_digits(n=120):
    pixels, labels = h.load_digits_file()
    return pixels[:n], labels[:n]


def test_encoder_is_a_softmax_weighted_average_of_the_training_points():
    rng = np.random.default_rng(0)
    keys = rng.random((20, 64)).astype(np.float32)
    values = rng.normal(size=(20, 2)).astype(np.float32)
    new = rng.random((7, 64)).astype(np.float32)
    encoder = h.build_neighbour_map(keys, values, temperature=0.5)
    sq_dist = ((new[:, None, :].astype(np.float64) - keys[None]) ** 2).sum(axis=-1)
    weights = np.exp(-(sq_dist - sq_dist.min(axis=1, keepdims=True)) / 0.5)
    weights /= weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(h.encode(encoder, new), weights @ values, rtol=1e-3, atol=1e-3)
    assert encoder.input_shape == (None, 64) and encoder.output_shape == (None, 2)


def test_training_digits_land_on_their_own_points():
    pixels, _ = small_digits()
    points = np.random.default_rng(1).normal(size=(len(pixels), 2)).astype(np.float32)
    placed = h.encode(h.build_neighbour_map(pixels, points, temperature=0.01), pixels)
    assert np.median(np.linalg.norm(placed - points, axis=1)) < 1e-3
    assert np.isfinite(placed).all()


def test_bad_inputs_are_refused():
    pixels, _ = small_digits(10)
    with pytest.raises(ValueError, match="temperature"):
        h.build_neighbour_map(pixels, np.zeros((10, 2)), temperature=0.0)
    with pytest.raises(ValueError, match="same items"):
        h.build_neighbour_map(pixels, np.zeros((9, 2)))


def test_fit_parametric_map_places_new_digits_among_their_own_kind():
    pixels, labels = h.load_digits_file()
    train, test = np.arange(0, 300), np.arange(300, 400)
    encoder = h.fit_parametric_map(pixels[train], perplexity=10.0, seed=0)
    train_points, test_points = h.encode(encoder, pixels[train]), h.encode(encoder, pixels[test])
    accuracy = h.heldout_knn_accuracy(train_points, labels[train], test_points, labels[test])
    assert accuracy > 0.85


def test_tsne_targets_repeat_for_a_seed():
    pixels, _ = small_digits(60)
    first = h.tsne_targets(pixels, perplexity=5.0, seed=3)
    assert first.shape == (60, 2) and first.dtype == np.float32
    np.testing.assert_array_equal(first, h.tsne_targets(pixels, perplexity=5.0, seed=3))


def copies(placed: np.ndarray, train_points: np.ndarray) -> float:
    """The share of placed items that sit on a training item's point, as benchmarks/scale.py
    counts it (closer than 1 % of the median gap between neighbouring training points)."""
    return scale.copies(placed, train_points)["copies"]


def test_the_automatic_temperature_keeps_new_digits_off_copies_of_training_points():
    pixels, labels = h.load_digits_file()
    train, test = h.heldout_split(labels, seed=0)
    points = np.random.default_rng(0).normal(size=(len(train), 2)).astype(np.float32)
    fixed = h.encode(h.build_neighbour_map(pixels[train], points, temperature=0.05), pixels[test])
    auto = h.encode(h.build_neighbour_map(pixels[train], points), pixels[test])
    assert copies(fixed, points) > 0.2  # the fault: a map of copies
    assert copies(auto, points) < 0.05


def test_wide_items_go_through_a_pca_layer_and_are_placed_in_one_pass():
    rng = np.random.default_rng(0)
    pixels, labels = h.load_digits_file()
    pixels, labels = pixels[:400], labels[:400]
    # 28 x 28 stand-ins: each digit upscaled (each pixel a 3 x 3 block, padded) with noise.
    wide = np.pad(np.kron(pixels.reshape(-1, 8, 8), np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    wide = np.clip(wide + rng.normal(0, 0.05, wide.shape), 0, 1).reshape(-1, 784)
    encoder = h.fit_parametric_map(wide[:300], perplexity=10.0, seed=0)
    assert encoder.get_layer("pca").units == 50 and encoder.input_shape == (None, 784)
    placed = h.encode(encoder, wide[300:])
    train_points = h.encode(encoder, wide[:300])
    accuracy = h.heldout_knn_accuracy(train_points, labels[:300], placed, labels[300:])
    assert accuracy > 0.8 and copies(placed, train_points) < 0.1  # 300 near-duplicate items


def settled_by_hand(keys, points, new, scale, k=10, spread=2.0, steps=20):
    """_autoenc/placement.py's rule in NumPy: softmax over the k nearest with the item's own
    temperature max(d_k^2 - d_1^2, 1e-3 d_k^2) / spread, then the Student-t reweighted average,
    started at the neighbour's point of lowest cost."""
    sq_dist = ((new[:, None, :].astype(np.float64) - keys[None]) ** 2).sum(axis=-1)
    nearest = np.argsort(sq_dist, axis=1)[:, :k]
    near_sq = np.take_along_axis(sq_dist, nearest, axis=1)
    temperature = np.maximum(near_sq[:, -1:] - near_sq[:, :1], 1e-3 * near_sq[:, -1:]) / spread
    weights = np.exp(-(near_sq - near_sq[:, :1]) / temperature)
    weights /= weights.sum(axis=1, keepdims=True)
    near = points[nearest]
    pairs = ((near[:, :, None] - near[:, None]) ** 2).sum(axis=-1)
    cost = (weights[:, None, :] * np.log1p(pairs / scale**2)).sum(axis=-1)
    y = near[np.arange(len(near)), cost.argmin(axis=1)]
    for _ in range(steps):
        pull = weights / (1 + ((near - y[:, None]) ** 2).sum(axis=-1) / scale**2)
        y = (pull[..., None] * near).sum(axis=1) / pull.sum(axis=1, keepdims=True)
    return y


def test_settled_placement_follows_its_definition():
    from _autoenc import placement

    rng = np.random.default_rng(0)
    keys = rng.random((40, 6)).astype(np.float32)
    points = rng.normal(size=(40, 2)).astype(np.float32)
    new = rng.random((9, 6)).astype(np.float32)
    layer = placement.settled_map(keys, points)
    expected = settled_by_hand(keys, points, new, placement.map_scale(points))
    np.testing.assert_allclose(np.asarray(layer(new)), expected, rtol=1e-3, atol=1e-3)


def test_an_item_whose_neighbours_sit_on_two_islands_goes_to_the_heavier_island():
    from _autoenc import placement

    # Ten training items on a circle round the new item (all equally near: equal weights); six
    # are drawn on an island at x = 0 and four on an island at x = 10.
    angles = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    keys = np.column_stack([np.cos(angles), np.sin(angles)]).astype(np.float32)
    island = np.array([0, 1, 0, 1, 0, 1, 0, 0, 1, 0])
    points = np.column_stack([10.0 * island, np.linspace(0, 0.5, 10)]).astype(np.float32)
    new = np.zeros((1, 2), np.float32)
    settled = np.asarray(placement.settled_map(keys, points)(new))[0]
    plain = h.encode(h.build_neighbour_map(keys, points, temperature=10.0), new)[0]
    assert abs(plain[0] - 4.0) < 0.5  # the plain soft average: between the islands
    assert abs(settled[0]) < 1.0  # settled: on the island of six


def test_the_parametric_map_places_new_digits_off_training_points_and_saves(tmp_path):
    pixels, labels = h.load_digits_file()
    train, test = h.heldout_split(labels, seed=0)
    encoder = h.fit_parametric_map(pixels[train], seed=0)
    train_points, placed = h.encode(encoder, pixels[train]), h.encode(encoder, pixels[test])
    assert h.heldout_knn_accuracy(train_points, labels[train], placed, labels[test]) > 0.95
    assert copies(placed, train_points) < 0.05
    encoder.save(tmp_path / "map.keras")
    np.save(tmp_path / "test.npy", pixels[test])
    # A fresh Python, as a learner's next session: only autoenc_helpers is imported.
    script = ("import sys, numpy as np, autoenc_helpers as ah; folder = sys.argv[1]; "
              "enc = ah.load_parametric_map(folder + '/map.keras'); "
              "np.save(folder + '/again.npy', ah.encode(enc, np.load(folder + '/test.npy')))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, cwd=h.ROOT)
    np.testing.assert_allclose(np.load(tmp_path / "again.npy"), placed, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="missing.keras"):
        h.load_parametric_map(tmp_path / "missing.keras")


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan"), "hot", None])
def test_a_temperature_that_is_not_a_positive_number_is_refused(temperature):
    pixels, _ = small_digits(30)
    with pytest.raises(ValueError, match="temperature"):
        h.build_neighbour_map(pixels, np.zeros((30, 2)), temperature=temperature)


def test_a_new_item_with_a_near_twin_among_the_training_items_is_not_a_copy_of_it():
    from _autoenc import placement

    # One training item is a near twin of the new item, the others are thousands of times
    # farther; the item's own temperature still spreads the weight over its ten nearest.
    rng = np.random.default_rng(3)
    keys = rng.normal(size=(30, 8)).astype(np.float32) * 10
    points = rng.normal(size=(30, 2)).astype(np.float32)
    new = keys[:1] + 0.01
    placed = np.asarray(placement.settled_map(keys, points)(new))
    assert copies(placed, points) == 0.0


def test_data_far_from_zero_is_placed_as_well_as_the_same_data_near_zero():
    # float32 scores 2 x.x_j - |x_j|^2 of values near 10,000 would drown the distances; the
    # settling layer centres its items first.
    pixels, labels = h.load_digits_file()
    train, test = np.arange(0, 400), np.arange(400, 600)
    scores = []
    for data in (pixels * 16, pixels * 16 + 1e4):
        encoder = h.fit_parametric_map(data[train], perplexity=10.0, seed=0)
        placed, train_points = h.encode(encoder, data[test]), h.encode(encoder, data[train])
        scores.append(h.heldout_knn_accuracy(train_points, labels[train], placed, labels[test]))
    assert scores[1] > 0.8 and abs(scores[1] - scores[0]) <= 0.02, scores


def test_identical_training_rows_count_once_so_distinct_items_stay_distinct():
    from _autoenc import placement

    rng = np.random.default_rng(5)
    keys = np.repeat(rng.random((40, 6)), 10, axis=0).astype(np.float32)  # each row 10 times
    points = rng.normal(size=(400, 2)).astype(np.float32)
    new = rng.random((50, 6)).astype(np.float32)
    placed = np.asarray(placement.settled_map(keys, points)(new))
    assert len(np.unique(placed.round(5), axis=0)) == 50


def test_encode_refuses_nan_instead_of_placing_it_at_nan():
    pixels, _ = small_digits(30)
    encoder = h.build_neighbour_map(pixels, np.zeros((30, 2)), temperature=0.5)
    row = pixels[:1].copy()
    row[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite.*row 0, column 3"):
        h.encode(encoder, row)


@pytest.mark.parametrize(("rows", "kwargs", "message"), [
    (slice(0, 2), {}, "at least 11 distinct training items, got 2"),
    ([0] * 50, {}, "at least 11 distinct training items, got 1 .of 50 rows"),
    (slice(0, 100), {"perplexity": "auto"}, "perplexity must be a positive, finite number"),
    (slice(0, 100), {"seed": -1}, "seed must be a whole number of at least 0"),
    (slice(0, 100), {"seed": 1.5}, "seed must be a whole number"),
])
def test_fit_parametric_map_names_what_is_wrong_before_any_work(rows, kwargs, message):
    pixels, _ = h.load_digits_file()
    with pytest.raises(ValueError, match=message):
        h.fit_parametric_map(pixels[rows], **kwargs)
    with pytest.raises(ValueError, match="2 or more features"):
        h.fit_parametric_map(pixels[:100, :1])


@pytest.mark.parametrize("temperature", [float("inf"), 1e400, True, np.array([0.5])])
def test_a_temperature_must_be_a_finite_number(temperature):
    pixels, _ = small_digits(30)
    with pytest.raises(ValueError, match="temperature must be a positive, finite number"):
        h.build_neighbour_map(pixels, np.zeros((30, 2)), temperature=temperature)


def test_a_zero_dimensional_array_is_a_number():
    pixels, _ = small_digits(30)
    encoder = h.build_neighbour_map(pixels, np.zeros((30, 2)), temperature=np.array(0.5))
    assert h.encode(encoder, pixels).shape == (30, 2)
