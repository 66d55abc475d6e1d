"""Trustworthiness at any size: scikit-learn's formula, with memory that grows linearly.

``sklearn.manifold.trustworthiness`` keeps several n x n arrays (distances, their argsort and
an inverted index: about 20 n^2 bytes, 7.7 GiB at 20,000 rows, ``MemoryError`` at 70,000).
``trustworthiness`` here computes the same number one block of rows at a time: for each row,
the rank of each of its map neighbours among all other items by distance in the data is the
count of items strictly closer plus one; where a neighbour's distance is tied with another
item's, the row is ranked with ``np.argsort`` exactly as scikit-learn ranks it, so the result
is the same to the last bit (``tests/test_scores.py`` checks it). Memory: about
``working_memory`` MiB for a block of distances plus O(n * n_neighbors).

The measure: J. Venna and S. Kaski, "Neighborhood preservation in nonlinear projection
methods: an experimental study", ICANN 2001; scikit-learn's implementation is the reference.
"""

from __future__ import annotations

import numpy as np


def trustworthiness(data: np.ndarray, points: np.ndarray, n_neighbors: int = 5,
                    working_memory: float = 256) -> float:
    """Trustworthiness of ``points`` (n, k) as a map of ``data`` (n, d), Euclidean, in [0, 1].

    The same value as ``sklearn.manifold.trustworthiness(data, points, n_neighbors=...)``;
    ``working_memory`` (MiB) bounds the block of distances held at once. Raises
    ``ValueError`` for ``n_neighbors`` of n / 2 or more, as scikit-learn does.
    """
    from sklearn.metrics import pairwise_distances_chunked
    from sklearn.neighbors import NearestNeighbors

    n = len(data)
    if n_neighbors >= n / 2:
        raise ValueError(f"n_neighbors ({n_neighbors}) should be less than n_samples / 2 "
                         f"({n / 2})")
    neighbours = NearestNeighbors(n_neighbors=n_neighbors).fit(points).kneighbors(
        return_distance=False)
    total = 0
    start = 0
    for block in pairwise_distances_chunked(data, working_memory=working_memory):
        rows = np.arange(len(block))
        block[rows, start + rows] = np.inf  # an item is not its own neighbour
        ranks = _ranks(block, neighbours[start : start + len(block)]) - n_neighbors
        total += int(ranks[ranks > 0].sum())
        start += len(block)
    scale = 2.0 / (n * n_neighbors * (2.0 * n - 3.0 * n_neighbors - 1.0))
    return float(1.0 - total * scale)


def _ranks(block: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """For each row of ``block`` (distances to every item), the 1-based rank of each of its
    ``neighbours`` among all items, ties broken as ``np.argsort`` breaks them."""
    thresholds = np.take_along_axis(block, neighbours, axis=1)
    ranks = np.empty(neighbours.shape, dtype=np.int64)
    tied = np.zeros(len(block), dtype=bool)
    for c in range(neighbours.shape[1]):
        column = thresholds[:, c : c + 1]
        ranks[:, c] = (block < column).sum(axis=1) + 1
        tied |= (block == column).sum(axis=1) > 1
    for r in np.flatnonzero(tied):
        position = np.empty(block.shape[1], dtype=np.int64)
        position[np.argsort(block[r])] = np.arange(1, block.shape[1] + 1)
        ranks[r] = position[neighbours[r]]
    return ranks
