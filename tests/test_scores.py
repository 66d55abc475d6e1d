"""Measuring a map: trustworthiness, kNN accuracy, a fixed held-out split, held-out kNN accuracy."""

import numpy as np
import pytest

import autoenc_helpers as h


def two_blobs(n_per_class=30, dim=2, gap=100.0, seed=0):
    """Two tight, far-apart clouds: class 0 near the origin, class 1 shifted by ``gap``."""
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(2 * n_per_class, dim))
    labels = np.repeat([0, 1], n_per_class)
    points[labels == 1] += gap
    return points, labels


def test_points_identical_to_two_dimensional_data_are_fully_trustworthy():
    data, labels = two_blobs()
    scores = h.embedding_scores(data, data.copy(), labels)
    assert set(scores) == {"trustworthiness", "knn_accuracy"}
    assert scores["trustworthiness"] == pytest.approx(1.0)
    assert all(isinstance(v, float) for v in scores.values())


def test_perfectly_separated_classes_give_knn_accuracy_one():
    data, labels = two_blobs(dim=8)
    points, _ = two_blobs(dim=2, seed=1)  # any map that keeps the two classes apart
    assert h.embedding_scores(data, points, labels)["knn_accuracy"] == 1.0


def test_randomly_shuffled_points_score_about_one_half():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(300, 2))
    labels = np.arange(300) % 3
    shuffled = data[rng.permutation(300)]  # each item gets some other item's position
    scores = h.embedding_scores(data, shuffled, labels)
    assert 0.4 < scores["trustworthiness"] < 0.6
    assert 0.2 < scores["knn_accuracy"] < 0.5  # chance level is 1/3


def test_heldout_knn_accuracy_matches_a_hand_count():
    # Train points on a line: class 0 at 0, 1, 2 and class 1 at 10, 11, 12.
    train = np.array([[0.0, 0], [1, 0], [2, 0], [10, 0], [11, 0], [12, 0]])
    train_labels = np.array([0, 0, 0, 1, 1, 1])
    # Test points: 0.5 sits among the 0s, 11.5 among the 1s, 1.5 among the 0s but says 1.
    test = np.array([[0.5, 0], [11.5, 0], [1.5, 0]])
    test_labels = np.array([0, 1, 1])
    for k in (1, 3):
        accuracy = h.heldout_knn_accuracy(train, train_labels, test, test_labels, n_neighbors=k)
        assert accuracy == pytest.approx(2 / 3)
    # With 5 neighbours the point at 11.5 sees 12, 11, 10 (class 1) and 2, 1 (class 0): still 1.
    assert h.heldout_knn_accuracy(train, train_labels, test[:2], test_labels[:2]) == 1.0


def test_heldout_split_is_stratified_disjoint_complete_and_fixed():
    labels = np.repeat(np.arange(10), 20)
    train_idx, test_idx = h.heldout_split(labels)
    assert len(train_idx) == 140 and len(test_idx) == 60
    assert np.intersect1d(train_idx, test_idx).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(200))
    np.testing.assert_array_equal(np.bincount(labels[test_idx]), np.full(10, 6))
    again_train, again_test = h.heldout_split(labels)
    np.testing.assert_array_equal(train_idx, again_train)
    np.testing.assert_array_equal(test_idx, again_test)
    _, other_test = h.heldout_split(labels, seed=1)
    assert not np.array_equal(test_idx, other_test)


def test_mismatched_lengths_raise_a_clear_value_error():
    data, labels = two_blobs()
    with pytest.raises(ValueError, match="same items.*points has 59"):
        h.embedding_scores(data, data[:-1], labels)
    with pytest.raises(ValueError, match="same items.*labels has 59"):
        h.embedding_scores(data, data, labels[:-1])
    with pytest.raises(ValueError, match="same items"):
        h.heldout_knn_accuracy(data, labels, data[:5], labels[:4])
    with pytest.raises(ValueError, match="same items"):
        h.heldout_knn_accuracy(data, labels[:-1], data, labels)


def test_wrong_shapes_raise_a_clear_value_error():
    data, labels = two_blobs()
    with pytest.raises(ValueError, match=r"points must have shape \(n, d\)"):
        h.embedding_scores(data, data[:, 0], labels)
    with pytest.raises(ValueError, match=r"labels must be one label per item"):
        h.heldout_split(labels.reshape(-1, 1))
    with pytest.raises(ValueError, match="coordinates"):
        h.heldout_knn_accuracy(data, labels, np.zeros((3, 3)), labels[:3])


# --- trustworthiness at any size (_autoenc.scores) -------------------------------------------


def _cases():
    rng = np.random.default_rng(0)
    pixels = h.load_digits_file()[0]
    return {
        "digits float32": (pixels, pixels @ rng.normal(size=(64, 2)).astype(np.float32)),
        "digits float64": (pixels.astype(np.float64), rng.normal(size=(1797, 2))),
        "raw grey levels, many ties": (np.rint(pixels * 16), rng.normal(size=(1797, 2))),
        "duplicate rows": (np.repeat(rng.integers(0, 3, (50, 4)), 3, axis=0).astype(float),
                           rng.normal(size=(150, 2))),
    }


@pytest.mark.parametrize("case", list(_cases()))
@pytest.mark.parametrize("n_neighbors", [5, 12])
def test_blockwise_trustworthiness_equals_scikit_learn_to_the_last_bit(case, n_neighbors):
    from sklearn.manifold import trustworthiness as reference

    from _autoenc.scores import trustworthiness

    data, points = _cases()[case]
    expected = reference(data, points, n_neighbors=n_neighbors)
    for working_memory in (0.05, 1, 1024):  # blocks of a few rows, some, all
        got = trustworthiness(data, points, n_neighbors, working_memory=working_memory)
        assert abs(got - expected) <= 1e-12


def test_blockwise_trustworthiness_holds_no_n_by_n_array():
    import tracemalloc

    from _autoenc.scores import trustworthiness

    rng = np.random.default_rng(1)
    n = 3000
    data, points = rng.random((n, 20)), rng.random((n, 2))
    tracemalloc.start()
    try:
        trustworthiness(data, points, 5, working_memory=2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < n * n * 8 / 4  # one n x n float64 array would be 72 MB


def test_embedding_scores_use_the_blockwise_trustworthiness(monkeypatch):
    from _autoenc import scores

    calls = []
    monkeypatch.setattr(scores, "trustworthiness", lambda *a, **k: calls.append(1) or 0.5)
    pixels, labels = h.load_digits_file()
    assert h.embedding_scores(pixels[:200], pixels[:200, :2], labels[:200])[
        "trustworthiness"] == 0.5 and calls
