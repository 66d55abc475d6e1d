"""How ``fit_parametric_map`` places an item: listen to its nearest training items, then settle
where t-SNE's attraction from their points balances. One forward pass, no optimiser.

For an item x (after the optional PCA layer), with training items x_j and their map points y_j:

1. **Neighbours.** Find the ``NEIGHBOURS`` training items nearest to x (one matrix product, as
   in ``build_neighbour_map``, then top-k) and weigh them with a softmax of -d_j^2 / T_x, where
   d_j = |x - x_j| and the item's own temperature T_x = (d_k^2 - d_1^2) / ``SPREAD`` (at least
   ``TIE`` x d_k^2 / ``SPREAD``, so near-equal distances count as ties): the nearest
   gets weight proportional to 1, the k-th to exp(-SPREAD). The weight is never all on one
   training item, whatever the units of the data or the gaps between its items (one global
   temperature put 45 % of held-out stand-in images of ``benchmarks/scale.py`` on a training
   point, as each has a near twin there). Identical training rows count as one item, and the
   items are centred first, so that float32 keeps the distances of data far from 0.
2. **Settle.** Start at the neighbour's point where the cost below is lowest (the one with
   most of the weight around it on the map) and repeat ``STEPS`` times
   y <- sum_j v_j y_j / sum_j v_j with v_j = w_j / (1 + |y - y_j|^2 / s^2): the fixed point
   minimises sum_j w_j log(1 + |y - y_j|^2 / s^2), t-SNE's Student-t attraction (van der Maaten
   and Hinton, JMLR 2008) of the neighbours alone, found by iteratively reweighted averaging
   (the mean shift of Fukunaga and Hostetler, 1975, with a Cauchy kernel). s is the map's own
   scale: ``SCALE_FACTOR`` x the median distance from a training point to its
   ``SCALE_NEIGHBOUR``-th nearest.

A plain softmax average (``build_neighbour_map``) lands between islands when an item's
neighbours sit on two of them; the settled point goes to the island that holds most of their
weight, and it is still an average of several points, not a copy of one. The constants were
chosen on held-out splits of the digits, Fashion-MNIST and the stand-in (1,797 to 70,000 items);
the measured results are in benchmarks/README.md.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

NEIGHBOURS = 10
SPREAD = 2.0
STEPS = 20
SCALE_NEIGHBOUR = 5
SCALE_FACTOR = 2.0
TIE = 1e-3


@keras.saving.register_keras_serializable(package="autoenc")
class SettleOnNeighbours(keras.layers.Layer):
    """(batch, dims) items -> (batch, 2) map points, by the two steps of this module's docstring.

    Its weights (not trained) hold the training items' mean, the items ``keys`` (n, dims) minus
    that mean, their map ``points`` (n, 2) and the map scale s."""

    def __init__(self, n_train: int, dims: int, neighbours: int = NEIGHBOURS,
                 spread: float = SPREAD, steps: int = STEPS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n_train, self.dims = int(n_train), int(dims)
        self.neighbours, self.steps = min(int(neighbours), self.n_train), int(steps)
        self.spread = float(spread)

    def build(self, input_shape: Any) -> None:
        def fixed(name: str, shape: tuple[int, ...]) -> Any:
            return self.add_weight(name=name, shape=shape, initializer="zeros", trainable=False)

        self.centre = fixed("centre", (self.dims,))
        self.keys = fixed("keys", (self.n_train, self.dims))
        self.points = fixed("points", (self.n_train, 2))
        self.scale = fixed("scale", ())

    def call(self, x: Any) -> Any:
        # -|x - x_j|^2 up to |x|^2, the same for every j (top_k ignores it); keys are centred
        # so that float32 keeps the distances of data far from 0 (e.g. values 10,000 to 10,016)
        x = x - self.centre
        norms = ops.sum(ops.square(self.keys), axis=1)  # derived, not stored
        scores = 2 * ops.matmul(x, ops.transpose(self.keys)) - norms
        best, nearest = ops.top_k(scores, self.neighbours)
        gaps = best[:, :1] - best  # d_j^2 - d_1^2
        far = ops.sum(ops.square(x), axis=-1, keepdims=True) - best[:, -1:]  # d_k^2
        # gaps under TIE x d_k^2 are ties (float32 noise), not a reason to prefer one neighbour
        temperature = ops.maximum(gaps[:, -1:], TIE * far + 1e-12) / self.spread
        weights = ops.softmax(-gaps / temperature, axis=-1)
        near = ops.take(self.points, nearest, axis=0)  # (batch, k, 2)
        # start at the neighbour's point where the attraction's cost is lowest (most weight near)
        pairs = ops.sum(ops.square(near[:, :, None, :] - near[:, None, :, :]), axis=-1)
        cost = ops.sum(weights[:, None, :] * ops.log1p(pairs / ops.square(self.scale)), axis=-1)
        start = ops.one_hot(ops.argmin(cost, axis=1), self.neighbours)
        y = ops.sum(start[..., None] * near, axis=1)
        for _ in range(self.steps):
            sq = ops.sum(ops.square(near - y[:, None, :]), axis=-1) / ops.square(self.scale)
            pull = weights / (1.0 + sq)
            y = ops.sum(pull[..., None] * near, axis=1) / ops.sum(pull, axis=1, keepdims=True)
        return y

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], 2)

    def get_config(self) -> dict:
        return {**super().get_config(), "n_train": self.n_train, "dims": self.dims,
                "neighbours": self.neighbours, "spread": self.spread, "steps": self.steps}


def map_scale(points: np.ndarray) -> float:
    """``SCALE_FACTOR`` x the median distance from a point of ``points`` (n, 2) to its
    ``SCALE_NEIGHBOUR``-th nearest other point (a positive float; 1.0 if most points coincide)."""
    from _autoenc.tsne import kth_neighbour_distances

    k = min(SCALE_NEIGHBOUR, len(points) - 1)
    if k < 1:
        return 1.0
    scale = SCALE_FACTOR * float(np.median(kth_neighbour_distances(points, k)))
    return scale if scale > 0 else 1.0


def settled_map(keys: np.ndarray, points: np.ndarray) -> SettleOnNeighbours:
    """A built ``SettleOnNeighbours`` layer for training ``keys`` (n, dims) and their map
    ``points`` (n, 2). Identical rows of ``keys`` become one training item at the mean of their
    points, so that the nearest ``NEIGHBOURS`` are distinct items."""
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(unique)).astype(np.float64)[:, None]
    merged = np.zeros((len(unique), 2))
    np.add.at(merged, inverse, points)
    merged /= counts
    centre = unique.astype(np.float64).mean(axis=0)
    centred = unique.astype(np.float64) - centre
    layer = SettleOnNeighbours(len(unique), keys.shape[1], name="settle_on_neighbours")
    layer.build((None, keys.shape[1]))
    layer.set_weights([centre.astype(np.float32), centred.astype(np.float32),
                       merged.astype(np.float32), np.float32(map_scale(points))])
    return layer
