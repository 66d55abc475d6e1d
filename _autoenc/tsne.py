"""The parametric map at any size: openTSNE targets, PCA first for wide data, a temperature
chosen from the data so that few new items are mere copies of a training item's point, and the
encoder's common frame (``encoder``). How ``fit_parametric_map`` places items: ``placement``.

- ``targets``: openTSNE (P. G. Policar, M. Strazar and B. Zupan, "openTSNE: a modular Python
  library for t-SNE dimensionality reduction and embedding", JSS 2024) with its defaults:
  approximate nearest neighbours and FFT-accelerated gradients for large data (G. C. Linderman
  et al., Nature Methods 2019), all cores. Its cost grows about linearly with the items, where
  scikit-learn's exact neighbour search grows with their square.
- ``pca``: wide items (more than ``PCA_ABOVE`` features, e.g. 28 x 28 images) are first
  projected on their first ``PCA_COMPONENTS`` principal components, the usual first step of
  t-SNE on images; the projection becomes the encoder's first (linear) layer.
- ``temperature_for``: ``TEMPERATURE_FACTOR`` times the median squared distance from a training
  item to its nearest other training item. A fixed temperature (0.05 on the digits) made the
  softmax put all the weight on the nearest training item for 47 % of held-out digits and 86 %
  of held-out 784-pixel images: a map of copies. Measured on ``heldout_split`` of the digits
  (``benchmarks/map_quality.py``): factor 0.2 keeps held-out 5-NN at 0.980 and trustworthiness
  at 0.990 with 3.7 % of new digits on a training point. (``fit_parametric_map`` sets each
  item's temperature from its own neighbours instead: ``placement``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

PCA_ABOVE = 100
PCA_COMPONENTS = 50
TEMPERATURE_FACTOR = 0.2


def targets(data: np.ndarray, perplexity: float, seed: int) -> np.ndarray:
    """An openTSNE map of ``data`` (n, d): float32 points of shape (n, 2)."""
    from openTSNE import TSNE

    tsne = TSNE(perplexity=perplexity, random_state=seed, n_jobs=-1, verbose=False)
    return np.asarray(tsne.fit(np.ascontiguousarray(data, dtype=np.float64)), np.float32)


def pca(data: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``(components (d, k), offset (k,))`` that project wide data on its first principal
    components as ``data @ components + offset``, or None for data of ``PCA_ABOVE`` features
    or fewer."""
    from sklearn.decomposition import PCA

    if data.shape[1] <= PCA_ABOVE:
        return None
    fitted = PCA(n_components=min(PCA_COMPONENTS, *data.shape), random_state=seed).fit(data)
    components = fitted.components_.T.astype(np.float32)
    return components, (-fitted.mean_ @ components).astype(np.float32)


def temperature_for(keys: np.ndarray, temperature: float | str) -> float:
    """``temperature`` itself, or for ``"auto"`` ``TEMPERATURE_FACTOR`` x the median squared
    distance from each item of ``keys`` (n, d) to its nearest other item. Raises ``ValueError``
    unless the result is a positive number."""
    from _autoenc import checks

    if isinstance(temperature, str) and temperature == "auto":
        return TEMPERATURE_FACTOR * typical_nearest_sq_distance(keys)
    try:
        return checks.positive_number("temperature", temperature)
    except ValueError as error:
        raise ValueError(f"{error} (or 'auto')") from None


def training_items(train_pixels: Any, perplexity: Any, seed: Any) -> np.ndarray:
    """``fit_parametric_map``'s checks: its items as float32 (n, d), or ``ValueError`` naming
    the problem (NaN, fewer than 2 features, fewer than NEIGHBOURS + 1 distinct items, a
    perplexity that is not a positive number, a seed that is not a whole number >= 0)."""
    from _autoenc import checks, placement

    checks.positive_number("perplexity", perplexity)
    checks.whole_number("seed", seed, minimum=0)
    train = checks.same_items(train_pixels=train_pixels)["train_pixels"].astype(np.float32)
    if train.shape[1] < 2:  # same_items made it (n, d), finite
        raise ValueError(f"train_pixels must be a table of items with 2 or more features each, "
                         f"got shape {train.shape}")
    rows = np.ascontiguousarray(train).view(np.dtype((np.void, train.shape[1] * 4)))
    distinct = len(np.unique(rows))
    if distinct <= placement.NEIGHBOURS:
        raise ValueError(f"a parametric map needs at least {placement.NEIGHBOURS + 1} distinct "
                         f"training items, got {distinct} (of {len(train)} rows)")
    return train


def kth_neighbour_distances(items: np.ndarray, k: int) -> np.ndarray:
    """The distance from each of ``items`` (n, d) to its ``k``-th nearest other item, (n,)."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=k + 1).fit(items).kneighbors(items)[0][:, k]


def typical_nearest_sq_distance(keys: np.ndarray) -> float:
    """The median squared distance from each item to its nearest other item (a positive float;
    the smallest positive distance if most items repeat)."""
    distances = kth_neighbour_distances(keys, 1) ** 2
    typical = float(np.median(distances))
    if typical <= 0:
        positive = distances[distances > 0]
        typical = float(positive.min()) if len(positive) else 1.0
    return typical


def encoder(width: int, projection: Any, layers: list, name: str) -> Any:
    """A keras.Model: ``Input(width)``, then a linear ``pca`` layer holding ``projection``
    (``(components, offset)``, or None for none), then ``layers`` in turn."""
    import keras

    x = inputs = keras.Input(shape=(width,), name="pixels")
    if projection is not None:
        pca = keras.layers.Dense(projection[0].shape[1], name="pca")
        x = pca(x)
        pca.set_weights(list(projection))
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x, name=name)


def load_parametric_map(path: Any) -> Any:
    """Load an encoder that ``fit_parametric_map`` made and ``encoder.save(path)`` saved (a
    ``.keras`` file). Taught in 12.

    Its settling layer is this project's code (``_autoenc/placement.py``); importing that module
    tells Keras about it, then ``keras.models.load_model`` does the rest. Raises what
    ``load_model`` raises (e.g. ``ValueError`` for a missing file or another format)."""
    import keras

    from _autoenc import placement  # noqa: F401  (registers SettleOnNeighbours with Keras)

    return keras.models.load_model(path)
