"""Shared helpers for the autoencoder notebooks (``import autoenc_helpers as ah``), in lesson order.

Each docstring says which notebook teaches the idea and which use it. The checks and plumbing
behind them (error messages, Keras internals, PNG encoding, bokeh) live in the private package
``_autoenc``, one module per concern. Importing this module seeds nothing, changes no settings
and prints nothing; Keras is imported only by the functions that need it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from _autoenc import checks, colours, interactive, parsing
from _autoenc.checks import N_PIXELS as N_PIXELS  # 64 pixels per digit (8 x 8)
from _autoenc.checks import PIXEL_MAX as PIXEL_MAX  # raw grey levels run from 0 to 16
from _autoenc.colours import DEFAULT_CMAP as DEFAULT_CMAP  # "petroff10", colour-blind safe
from _autoenc.explorers import animate_map as animate_map  # taught in 04: the map forming
from _autoenc.explorers import plot_map_snapshots as plot_map_snapshots  # 04, without JavaScript
from _autoenc.explorers import plot_why_here as plot_why_here  # 08, without a kernel
from _autoenc.explorers import why_here_explorer as why_here_explorer  # taught in 08
from _autoenc.images import digit_png_uri as digit_png_uri  # behind interactive_map (06)
from _autoenc.images import png_uri as _png_uri
from _autoenc.interactive import save_interactive as save_interactive  # taught in 06
from _autoenc.interactive import show_interactive as show_interactive  # taught in 06
from _autoenc.parsing import N_CLASSES as N_CLASSES  # the digits 0-9
from _autoenc.tsne import load_parametric_map as load_parametric_map  # taught in 12

if TYPE_CHECKING:  # imported for type hints only; the real imports happen inside functions
    import keras
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent  # the repository folder that holds this module

DIGITS_FILE_NAME = "digits_uci_test_1797.txt"  # 1,797 lines: 64 pixels (0-16), then the label
# DATA_DIR, DATA_FILE (DATA_DIR / DIGITS_FILE_NAME) and MODELS_DIR (where notebooks save models)
# are looked up at each use by __getattr__ below: a teacher moves them with AUTOENC_DATA_DIR and
# AUTOENC_MODELS_DIR (defaults in _autoenc/paths.py).

PROGRESS_AFTER_SECONDS = 60.0  # train_autoencoder(verbose="auto") shows progress for longer runs

HEX_SYMBOLS = "0123456789ABCDEFG"  # one symbol per pixel value 0-16: hex 0-F, and G for 16


# --- 01 · The data format -----------------------------------------------------------------
def load_digits_file(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read a digits file (default ``DATA_FILE``); return ``(pixels, labels)``. Taught in 01;
    used in 00-12.

    ``pixels``: float32 (n, 64), divided by 16 into [0, 1]; ``labels``: int64 (n,). Each line of
    the UTF-8 file holds 64 pixels (whole numbers 0-16) and the label (one digit 0-9), comma
    separated. Raises ``FileNotFoundError``, or ``ValueError`` naming the file, line, column and
    value for anything else (encoding, empty lines, field counts, ``nan``, fractions, pixels
    outside 0-16, labels such as ``07``). Nothing is skipped silently.
    """
    path = Path(path) if path is not None else sys.modules[__name__].DATA_FILE
    pixels, labels = parsing.read_digits(path)
    return pixels / np.float32(PIXEL_MAX), labels


# --- 02 · Showing a digit -----------------------------------------------------------------
def digit_to_hex(row: Sequence[float] | np.ndarray) -> str:
    """Return the 8x8 image as 8 lines of 8 symbols: hex 0-F, and G for 16. Taught in 02.

    ``row``: 64 pixel values, raw (0-16) or scaled (0-1: a row whose values all lie in [0, 1]
    is taken as scaled), rounded to the nearest grey level. Raises ``ValueError`` for another
    count of values, NaN, or values outside 0-16.
    """
    raw = np.rint(checks.raw_row(row)).astype(int)
    if raw.size != N_PIXELS:
        raise ValueError(f"expected {N_PIXELS} pixel values, got {raw.size}")
    return "\n".join(" ".join(HEX_SYMBOLS[v] for v in line) for line in raw.reshape(8, 8))


def plot_digit(row: Sequence[float] | np.ndarray, ax: Axes | None = None,
               title: str | None = None) -> Axes:
    """Draw one digit as a grey image (dark ink on white); return its axes. Taught in 02;
    used in 05, 08.

    ``row``: 64 (or any k*k) pixel values as for ``digit_to_hex`` (same errors); ``ax``: where
    to draw (a new 2.5 x 2.5 inch figure if None); ``title``: text above the image.
    """
    import matplotlib.pyplot as plt

    raw = checks.raw_row(row)
    side = checks.image_side(raw.size)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 2.5))
    ax.imshow(np.rint(raw).reshape(side, side), cmap="gray_r", vmin=0, vmax=PIXEL_MAX,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def plot_digit_grid(rows: np.ndarray, labels: Sequence[int] | np.ndarray,
                    ncols: int = 10) -> Figure:
    """Draw many digits in a grid, each titled with its label. Taught in 02; used in 08, 12.

    ``rows``: (n, 64) raw or scaled pixels; ``labels``: n titles; ``ncols`` digits per grid row.
    Raises ``ValueError`` for counts that differ, no digits, or ``ncols`` below 1.
    """
    import matplotlib.pyplot as plt

    rows = np.asarray(rows)
    if len(rows) != len(labels):
        raise ValueError(f"got {len(rows)} rows but {len(labels)} labels")
    if len(rows) == 0:
        raise ValueError("no digits to draw")
    ncols = checks.whole_number("ncols", ncols)
    nrows = -(-len(rows) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * 1.0), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, row, label in zip(axes.ravel(), rows, labels, strict=False):
        plot_digit(row, ax=ax, title=str(label))
        ax.set_axis_on()
    fig.tight_layout()
    return fig


# --- 03 · Building the models -------------------------------------------------------------
def build_autoencoder(
    layer_sizes: Sequence[int] = (64, 32, 2, 32, 64), activation: str = "sigmoid",
    seed: int | None = 1, bottleneck_activation: str | None = None,
    output_activation: str | None = None,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build a symmetric autoencoder; return ``(autoencoder, encoder, decoder)``. Taught in
    03; used in 04, 05, 07-12.

    ``layer_sizes``: widths from input to output, symmetric, the middle one the bottleneck (the
    code). The three models share their layers. Each Dense layer gets a Glorot-uniform
    initializer seeded with ``seed + i`` (one shared seeded initializer would repeat kernels);
    biases start at zero. Layers are named ``dense_i``, ``"code"`` and ``"reconstruction"``;
    not compiled. Raises ``ValueError`` for a size list that is short, even, not symmetric or
    not positive whole numbers.
    """
    import keras

    sizes = checks.layer_sizes(layer_sizes)
    middle = len(sizes) // 2
    inputs = keras.Input(shape=(sizes[0],), name="pixels")
    x = inputs
    for i, units in enumerate(sizes[1:], start=1):
        if i == middle:
            act, name = bottleneck_activation or activation, "code"
        elif i == len(sizes) - 1:
            act, name = output_activation or activation, "reconstruction"
        else:
            act, name = activation, f"dense_{i}"
        init = keras.initializers.GlorotUniform(seed=None if seed is None else seed + i)
        x = keras.layers.Dense(units, activation=act, kernel_initializer=init, name=name)(x)
    autoencoder = keras.Model(inputs, x, name="autoencoder")
    encoder, decoder = split_autoencoder(autoencoder)
    return autoencoder, encoder, decoder


def split_autoencoder(autoencoder: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Return ``(encoder, decoder)`` sharing their layers (and weights) with ``autoencoder``.
    Behind ``build_autoencoder`` (03) and ``get_trained_book_model`` (05); use it on your own.

    The encoder runs the layers up to the code (the layer named ``"code"``, else the narrowest
    hidden layer with weights, with its activation), the decoder the rest, so
    ``decoder(encoder(x))`` equals ``autoencoder(x)``. Takes one chain of layers from (n, d) to
    (n, d): Sequential, functional, or subclassed with ``.encoder`` and ``.decoder``; raises
    ``ValueError`` saying what is supported for any other model.
    """
    import keras

    from _autoenc import keras_graph

    chain, code, width = keras_graph.chain_and_code(autoencoder)
    inputs = keras.Input(shape=(width,), name="features")
    x = inputs
    for layer in chain[: code + 1]:
        x = layer(x)
    encoder = keras.Model(inputs, x, name="encoder")
    code_input = keras.Input(shape=(x.shape[-1],), name="code")
    y = code_input
    for layer in chain[code + 1 :]:
        y = layer(y)
    decoder = keras.Model(code_input, y, name="decoder")
    keras_graph.check_split(autoencoder, encoder, decoder, width)
    return encoder, decoder


def encode(model: keras.Model, data: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Run ``model`` (usually an encoder) on every row of ``data``; return a NumPy array.
    Taught in 03; used in 04-09, 11, 12.

    ``data``: (n, inputs), any real dtype; returns (n, outputs) float32, in batches, printing
    nothing (unlike ``predict``). Raises ``ValueError`` for another width, NaN or infinite
    values, or ``batch_size`` < 1.
    """
    data = np.asarray(data, dtype=np.float32)
    batch_size = checks.whole_number("batch_size", batch_size)
    width = model.input_shape[-1]
    if data.ndim != 2 or data.shape[1] != width:
        raise ValueError(f"data must have shape (n, {width}) for this model, got {data.shape}")
    checks.finite("data", data)
    parts = [np.asarray(model(data[start : start + batch_size], training=False), np.float32)
             for start in range(0, len(data), batch_size)]
    if not parts:
        return np.empty((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(parts)


# --- 04 · Training with a custom callback -------------------------------------------------
@functools.cache
def _make_epoch_logger() -> type:
    """Define ``EpochLogger`` on first use, so importing this module does not import Keras."""
    import keras

    class EpochLogger(keras.callbacks.Callback):
        """Print the training loss every ``every`` epochs and after the last. Taught in 04.

        The book's custom callback, modernized: ``logs=None`` instead of a mutable default,
        and ``super().__init__()`` so Keras can attach the model and the training parameters.
        Prints ``epoch = NNNN loss = 0.xxxxxx`` lines, with ``fit`` and ``train_autoencoder``
        alike. Raises ``ValueError`` for ``every`` below 1.
        """

        def __init__(self, every: int = 100) -> None:
            super().__init__()
            self.every = checks.whole_number("every", every)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            last = self.params.get("epochs", 0) - 1 if self.params else -1
            if epoch % self.every == 0 or epoch == last:
                print(f"epoch = {epoch:4d} loss = {logs.get('loss', float('nan')):0.6f}")

    EpochLogger.__module__ = __name__
    EpochLogger.__qualname__ = "EpochLogger"
    return EpochLogger


def __getattr__(name: str) -> Any:
    """Create ``EpochLogger`` and ``MapRecorder`` (04) on first use, so importing this module
    imports no Keras; look up the data and models folders at each use."""
    if name == "EpochLogger":
        return _make_epoch_logger()
    if name == "MapRecorder":
        from _autoenc.explorers import make_map_recorder

        return make_map_recorder()
    if name in ("DATA_DIR", "DATA_FILE", "MODELS_DIR"):
        from _autoenc import paths

        if name == "MODELS_DIR":
            return paths.models_dir()
        return paths.data_dir() / (DIGITS_FILE_NAME if name == "DATA_FILE" else "")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def train_autoencoder(
    autoencoder: keras.Model, pixels: np.ndarray, epochs: int = 500, batch_size: int = 8,
    callbacks: Sequence[keras.callbacks.Callback] = (), seed: int = 1,
    verbose: int | str = "auto",
) -> keras.callbacks.History:
    """Train ``autoencoder`` to reproduce ``pixels``, as ``fit`` does but many times faster.
    Taught in 04 and 10; used in 00, 07-09, 11, 12.

    The algorithm of ``fit(pixels, pixels, batch_size=batch_size, epochs=epochs)``: each epoch
    the items are reshuffled (by ``seed`` and the epoch) and cut into mini-batches, one Adam step
    per batch, minimising the compiled loss (mean squared error if uncompiled) plus the model's
    own losses (regularizers, ``add_loss``). ``pixels``: (n, *input shape), finite. Callbacks
    (a list or one) get ``fit``'s epoch-level hooks. ``verbose``: 0, 1 or "auto" (a progress
    line for runs over ``PROGRESS_AFTER_SECONDS``). Each epoch is one compiled TensorFlow
    function, without ``fit``'s per-step overhead (``benchmarks/train_speed.py``). Returns the
    ``History``. Raises ``ValueError`` for NaN data, wrong shapes or counts, and settings it
    cannot honour (not plain Adam, a schedule, metrics; see ``_autoenc/training.py``).
    """
    import tensorflow as tf

    from _autoenc.training import Run

    run = Run(autoencoder, pixels, epochs, batch_size, callbacks, seed, verbose,
              progress_after=PROGRESS_AFTER_SECONDS)
    beta_1, beta_2, epsilon = run.adam["beta_1"], run.adam["beta_2"], run.adam["epsilon"]
    weights = autoencoder.trainable_variables
    m_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 1st moments
    v_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 2nd moments
    step = tf.Variable(0, dtype=tf.int64)

    def train_step(batch: tf.Tensor, learning_rate: tf.Tensor) -> tf.Tensor:
        """One Adam step on one batch; return the batch loss times the batch size."""
        with tf.GradientTape() as tape:
            loss = run.loss(batch, autoencoder(batch, training=True))
        gradients = tape.gradient(loss, weights)
        step.assign_add(1)
        t = tf.cast(step, tf.float32)
        alpha = learning_rate * tf.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for w, g, m, v in zip(weights, gradients, m_estimates, v_estimates, strict=True):
            m.assign_add((g - m) * (1 - beta_1))
            v.assign_add((tf.square(g) - v) * (1 - beta_2))
            w.assign_sub(m * alpha / (tf.sqrt(v) + epsilon))
        return loss * batch.shape[0]

    return run.run_epochs(run.epoch_function(train_step))


# --- 05 · Saving and loading --------------------------------------------------------------
def get_trained_book_model(epochs: int = 500, seed: int = 1
                           ) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Return the book's trained ``(autoencoder, encoder, decoder)``, training it only once.
    Taught in 05; used in 04, 06-09.

    ``build_autoencoder(seed=seed)`` trained for ``epochs`` epochs on the digits, saved in
    ``MODELS_DIR`` and loaded from there later; prints nothing and leaves Keras's generators
    seeded with ``seed`` either way. A damaged file is retrained, with a ``UserWarning``.
    """
    import warnings

    import keras

    from _autoenc import cache

    epochs = checks.whole_number("epochs", epochs)
    path = Path(sys.modules[__name__].MODELS_DIR) / f"book_autoencoder_e{epochs}_s{seed}.keras"
    if path.is_file():
        keras.utils.set_random_seed(seed)
        model, damage = cache.load_checked(path, build_autoencoder(seed=seed)[0])
        if model is not None:
            keras.utils.set_random_seed(seed)
            return (model, *split_autoencoder(model))
        warnings.warn(f"the cached model {path} is damaged: {damage}. Retraining it ({epochs} "
                      "epochs) and replacing the file", UserWarning, stacklevel=2)
    keras.utils.set_random_seed(seed)
    autoencoder, _, _ = build_autoencoder(seed=seed)
    train_autoencoder(autoencoder, load_digits_file()[0], epochs=epochs, seed=seed, verbose=0)
    cache.save_atomically(autoencoder, path)
    autoencoder = keras.models.load_model(path)  # as every later call returns it
    keras.utils.set_random_seed(seed)
    return (autoencoder, *split_autoencoder(autoencoder))


# --- 06 · Scatter plots and colormaps -----------------------------------------------------
def get_colormap(name: str | Any, n_colors: int) -> Any:
    """Return colormap ``name`` cut into ``n_colors`` discrete colours. Taught in 06; used in
    08, 09, 12.

    ``name``: a colormap name, ``"petroff10"`` (``DEFAULT_CMAP``, colour-blind safe: M. A.
    Petroff, 2024; 10 colours) or a Colormap; a palette with fewer colours repeats them. An
    unknown name raises ``ValueError`` suggesting the closest (the book's 'Dark1' never existed).
    """
    return colours.colormap(name, n_colors)


def plot_embedding(
    points: np.ndarray, labels: Sequence[Any] | np.ndarray, cmap: str | Any = DEFAULT_CMAP,
    ax: Axes | None = None, s: float = 20, alpha: float = 0.9, title: str | None = None,
    class_names: Sequence[str] | None = None, colorbar: bool = True,
    colorbar_label: str | None = None,
) -> Axes:
    """Scatter 2-D points coloured by class label; return the axes. Taught in 06; used in 04,
    07-09, 11, 12.

    ``points``: (n, 2), finite (NaN points are refused, never dropped); ``labels``: (n,) ints or
    strings, one class each, in natural order (2 before 10). Each class gets one distinct
    colour of ``cmap``, the same on every map of the series (a palette with too few colours
    falls back to one with enough, with a ``UserWarning``); the colorbar shows the labels (or
    ``class_names``), titled ``colorbar_label`` (default "digit" for the digits 0-9, otherwise
    "class"). Raises ``ValueError`` for wrong shapes, NaN points, an unknown cmap.
    """
    import matplotlib.pyplot as plt

    points = checks.map_points(points)
    labels = checks.labels_for(labels, len(points))
    classes, codes, palette = colours.class_colours(labels, cmap)
    if class_names is not None and len(class_names) != len(classes):
        raise ValueError(f"got {len(class_names)} class names for {len(classes)} classes")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.2))
    scatter = ax.scatter(points[:, 0], points[:, 1], c=codes, cmap=palette, vmin=-0.5,
                         vmax=len(classes) - 0.5, s=s, alpha=alpha, edgecolors="none")
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
    if title is not None:
        ax.set_title(title)
    if colorbar:
        bar = ax.figure.colorbar(scatter, ax=ax, ticks=range(len(classes)))
        bar.set_ticklabels(list(class_names) if class_names is not None
                           else [str(c) for c in classes])
        digits = class_names is None and set(map(str, classes)) <= set("0123456789")
        bar.set_label(colorbar_label or ("digit" if digits else "class"))
    return ax


def interactive_map(
    points: np.ndarray, labels: Sequence[int] | np.ndarray, images: np.ndarray,
    title: str = "Hover over (or tap) a point to see its digit", cmap: str = DEFAULT_CMAP,
    size: float = 6, alpha: float = 0.8, width: int = 640, height: int = 520,
) -> Any:
    """Return a bokeh layout of the map where hovering over a point shows its image. Taught
    in 06.

    ``points``, ``labels`` as for ``plot_embedding`` (same colours; legend in natural order);
    ``images``: (n, k*k) or (n, k, k) square images (8x8, 28x28, ...), raw 0-16 or scaled 0-1.
    Hovering shows the image (a ``data:`` URI: nothing is fetched), label and item; tapping pins
    it. Raises ``ValueError`` for inputs of the wrong shape or range.
    """
    from matplotlib.colors import to_hex

    points = checks.map_points(points)
    labels = checks.labels_for(labels, len(points))
    raw = checks.raw_pixels(images, len(points))
    classes, codes, palette = colours.class_colours(labels, cmap)
    hex_colours = [to_hex(palette(k)) for k in range(len(classes))]
    pictures = [_png_uri(row) for row in raw]
    return interactive.map_layout(points, labels, classes, codes, hex_colours, pictures,
                                  title, size, alpha, width, height, raw.shape[1])


def plot_map_with_digits(
    points: np.ndarray, labels: Sequence[int] | np.ndarray, images: np.ndarray,
    n_digits: int = 40, cmap: str = DEFAULT_CMAP, ax: Axes | None = None,
    title: str = "The map with some digits drawn where they lie",
) -> Axes:
    """The static version of ``interactive_map``: the map with images drawn on it. Taught in 06.

    ``plot_embedding`` plus, at up to ``n_digits`` points spread over the map, the item's image
    framed in its class colour. Inputs as for ``interactive_map``; raises ``ValueError`` for
    inputs of the wrong shape or range, or ``n_digits`` that is not a whole number >= 0.
    """
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    points = checks.map_points(points)
    labels = checks.labels_for(labels, len(points))
    raw = checks.raw_pixels(images, len(points))
    n_digits = checks.whole_number("n_digits", n_digits, minimum=0)
    ax = plot_embedding(points, labels, cmap=cmap, ax=ax, s=8, alpha=0.6, title=title)
    _, codes, palette = colours.class_colours(labels, cmap)
    side = checks.image_side(raw.shape[1])
    span = np.ptp(points, axis=0)
    scaled = (points - points.min(axis=0)) / np.where(span > 0, span, 1.0)
    for index in interactive.spread_out(scaled, n_digits, 0.08):
        picture = OffsetImage(raw[index].reshape(side, side), cmap="gray_r",
                              zoom=2.2 * 8 / side, interpolation="nearest")
        picture.get_children()[0].set_clim(0, PIXEL_MAX)
        ax.add_artist(AnnotationBbox(picture, points[index], frameon=True, pad=0.1, bboxprops={
            "edgecolor": palette(codes[index]), "linewidth": 1.5}))
    return ax


# --- 07 · Comparing with PCA, Isomap and t-SNE --------------------------------------------
def embedding_scores(pixels: np.ndarray, points: np.ndarray, labels: Sequence[int] | np.ndarray,
                     n_neighbors: int = 5, folds: int = 5) -> dict[str, float]:
    """Score a map of ``pixels`` (n, d) to ``points`` (n, k): two numbers in [0, 1]. Taught in
    07; used in 08, 09, 11.

    ``trustworthiness``: were each point's ``n_neighbors`` map neighbours near it in the data?
    (1.0: none false; scikit-learn's value, computed in row blocks so memory grows linearly.)
    ``knn_accuracy``: ``folds``-fold accuracy of a ``n_neighbors``-NN classifier on the map.
    Raises ``ValueError`` for arrays of other shapes or lengths, or NaN values.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    from _autoenc.scores import trustworthiness

    data = checks.same_items(pixels=pixels, points=points, labels=labels)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    knn = KNeighborsClassifier(n_neighbors=n_neighbors)
    accuracy = cross_val_score(knn, data["points"], data["labels"], cv=cv)
    trust = trustworthiness(data["pixels"], data["points"], n_neighbors=n_neighbors)
    return {"trustworthiness": float(trust), "knn_accuracy": float(accuracy.mean())}


def heldout_split(labels: Sequence[int] | np.ndarray, test_size: float = 0.3,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(train_idx, test_idx)``: a fixed split of the items, stratified by label.
    Taught in 07; used in 08, 12.

    About ``test_size`` of every class is held out; both index arrays are sorted and disjoint
    and cover every item. Raises ``ValueError`` for labels that are not of shape (n,).
    """
    from sklearn.model_selection import train_test_split

    labels = checks.same_items(labels=labels)["labels"]
    train_idx, test_idx = train_test_split(
        np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=seed)
    return np.sort(train_idx), np.sort(test_idx)


def heldout_knn_accuracy(
    train_points: np.ndarray, train_labels: Sequence[int] | np.ndarray,
    test_points: np.ndarray, test_labels: Sequence[int] | np.ndarray, n_neighbors: int = 5,
) -> float:
    """How often the map neighbours of held-out items share their label. Taught in 07; used
    in 08, 12.

    A ``n_neighbors``-NN classifier fitted on the train points scores the held-out points.
    Raises ``ValueError`` for mismatched shapes.
    """
    from sklearn.neighbors import KNeighborsClassifier

    train = checks.same_items(train_points=train_points, train_labels=train_labels)
    test = checks.same_items(test_points=test_points, test_labels=test_labels)
    if train["train_points"].shape[1] != test["test_points"].shape[1]:
        raise ValueError(f"train points have {train['train_points'].shape[1]} coordinates but "
                         f"test points have {test['test_points'].shape[1]}")
    knn = KNeighborsClassifier(n_neighbors=n_neighbors)
    knn.fit(train["train_points"], train["train_labels"])
    return float(knn.score(test["test_points"], test["test_labels"]))


# --- 09 · Your own data -------------------------------------------------------------------
def load_table(path: str | Path, label_column: str | None = None, delimiter: str = ","
               ) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read a CSV file with a header row; return ``(features, labels, feature_names)``.
    Taught in 09.

    ``features``: float32 (rows, features), min-max scaled to [0, 1] per column (constant: 0).
    ``labels`` (rows,) from ``label_column`` or None: int64 if all are plain whole numbers, else
    the exact strings (``1`` and ``1.0`` in one column are refused, never merged). The file:
    UTF-8, ``delimiter``-separated, fields optionally quoted. Raises ``FileNotFoundError``, or
    ``ValueError`` naming the file, line, column and value for anything else (encoding, field
    counts, non-numbers such as ``nan`` or ``1,5``, unnamed or duplicate columns).
    """
    path = Path(path)
    values, labels, names, feature_cols = parsing.read_table(path, label_column, delimiter)
    features = parsing.scale_columns(path, values, names, feature_cols)
    return features, labels, [names[col] for col in feature_cols]


# --- 12 · Parametric maps -----------------------------------------------------------------
def tsne_targets(pixels: np.ndarray, perplexity: float = 30.0, seed: int = 0,
                 init: str = "random") -> np.ndarray:
    """Return a scikit-learn t-SNE map of ``pixels`` (n, d): float32 points (n, 2). Taught in 12.

    ``seed`` seeds the random start; ``init="pca"`` starts from two principal components."""
    from sklearn.manifold import TSNE

    data = checks.same_items(pixels=pixels)["pixels"].astype(np.float64)  # t-SNE in float64
    tsne = TSNE(n_components=2, perplexity=perplexity, init=init, random_state=seed)
    return tsne.fit_transform(data).astype(np.float32)


def build_neighbour_map(train_pixels: np.ndarray, train_points: np.ndarray,
                        temperature: float | str = "auto", projection: Any = None) -> keras.Model:
    """An encoder that places any item at the soft average of its nearest training items'
    points. Taught in 12.

    d -> n_train (softmax) -> 2 with weights in closed form: unit j scores item j by
    ``-|x - x_j|^2 / temperature`` (a Dense layer, as ``-|x - x_j|^2 = 2 x.x_j - |x_j|^2 - |x|^2``
    and ``|x|^2`` is the same for every j); the output averages the points by those weights.
    Kernel t-SNE (Gisbrecht, Schulz and Hammer 2015). ``temperature="auto"``: 0.2 x the median
    squared distance between nearest training items (``_autoenc/tsne.py``). ``projection``:
    ``(components, offset)`` of a linear first layer (PCA), or None. Raises ``ValueError`` for
    a temperature that is not positive, or mismatched or NaN inputs.
    """
    import keras

    from _autoenc import tsne

    data = checks.same_items(train_pixels=train_pixels, train_points=train_points)
    keys = data["train_pixels"].astype(np.float64)
    if projection is not None:
        keys = keys @ projection[0] + projection[1]
    temperature = tsne.temperature_for(keys, temperature)
    scores = keras.layers.Dense(len(keys), activation="softmax", name="neighbour_weights")
    place = keras.layers.Dense(data["train_points"].shape[1], use_bias=False, name="map_position")
    encoder = tsne.encoder(data["train_pixels"].shape[1], projection, [scores, place],
                           "neighbour_map")
    scores.set_weights([(2.0 * keys.T / temperature).astype(np.float32),
                        (-(keys**2).sum(axis=1) / temperature).astype(np.float32)])
    place.set_weights([data["train_points"].astype(np.float32)])
    return encoder


def fit_parametric_map(train_pixels: np.ndarray, perplexity: float = 30.0, seed: int = 0
                       ) -> keras.Model:
    """The series' best parametric map: t-SNE of the training items, then an encoder for it.
    Taught in 12.

    openTSNE arranges the training items (after PCA to 50 dimensions for items of over 100
    features). The encoder then places any item in one forward pass: a softmax over its 10
    nearest training items, with a temperature set by their distances, then the point settles
    where t-SNE's attraction from their points balances (``_autoenc/placement.py``). Held-out
    5-NN about 0.98 on the digits; at 70,000 x 784 see ``benchmarks/scale.py``.
    """
    from _autoenc import placement, tsne

    train = tsne.training_items(train_pixels, perplexity, seed)
    projection = tsne.pca(train, seed)
    keys = train if projection is None else train @ projection[0] + projection[1]
    points = tsne.targets(keys, perplexity, seed)
    return tsne.encoder(train.shape[1], projection, [placement.settled_map(keys, points)],
                        "parametric_map")
