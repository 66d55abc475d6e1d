"""Shared helpers for the autoencoder visualization notebooks.

Every notebook imports from here instead of copying code. Importing this module has no side
effects: it seeds nothing, changes no matplotlib settings and prints nothing. Keras and
TensorFlow are imported inside the functions that need them, so ``import autoenc_helpers`` stays
fast for the notebooks that only look at data.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported for type hints only; the real imports happen inside functions
    import keras
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent
"""The repository folder that holds this module."""

DATA_DIR = ROOT / "data"
DATA_FILE = DATA_DIR / "digits_uci_test_1797.txt"
"""The 1,797 UCI digits: 64 pixel values (0-16) then the label (0-9) on each line."""

MODELS_DIR = ROOT / "models"
"""Where notebooks save trained models (gitignored)."""

N_PIXELS = 64
PIXEL_MAX = 16
N_CLASSES = 10

# --------------------------------------------------------------------------------------------
# Loading the data file
# --------------------------------------------------------------------------------------------


def _parse_number(token: str, where: str, hint: str = "") -> float:
    """Parse one field as a finite float, or raise ValueError saying where and what.

    ``hint`` is added to the message when the field is not a number at all.
    """
    text = token.strip()
    if not text:
        raise ValueError(f"{where}: missing value (empty field)")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: non-numeric value {token!r}{hint}") from None
    if math.isnan(value):
        raise ValueError(f"{where}: NaN value {token!r}")
    if math.isinf(value):
        raise ValueError(f"{where}: infinite value {token!r}")
    return value


def _parse_int(token: str, path: Path, line_no: int, column: int) -> int:
    """Parse one field as an integer, or raise ValueError naming the file, line and value."""
    where = f"{path}, line {line_no}, column {column}"
    value = _parse_number(token, where)
    if value != int(value):
        raise ValueError(f"{where}: non-integer value {token!r}")
    return int(value)


def load_digits_file(path: str | Path = DATA_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Read a digits file and return ``(pixels, labels)``.

    ``pixels`` is float32 of shape (n, 64), divided by 16 so every value lies in [0, 1];
    ``labels`` is int64 of shape (n,). Every line must hold 65 comma-separated integers: 64
    pixels in 0-16, then a label in 0-9. Any other content raises ``ValueError`` naming the
    file, the line number and the offending value; nothing is skipped silently. A missing file
    raises ``FileNotFoundError``. Windows line endings and a final newline are accepted.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"digits file not found: {path}")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines:
        raise ValueError(f"{path}: the file is empty")
    pixels = np.empty((len(lines), N_PIXELS), dtype=np.float32)
    labels = np.empty(len(lines), dtype=np.int64)
    for index, line in enumerate(lines):
        line_no = index + 1
        if not line.strip():
            raise ValueError(f"{path}, line {line_no}: empty line")
        fields = line.split(",")
        if len(fields) != N_PIXELS + 1:
            raise ValueError(
                f"{path}, line {line_no}: expected {N_PIXELS + 1} comma-separated values, "
                f"found {len(fields)}"
            )
        values = [_parse_int(tok, path, line_no, col + 1) for col, tok in enumerate(fields)]
        for col, value in enumerate(values[:N_PIXELS]):
            if not 0 <= value <= PIXEL_MAX:
                raise ValueError(
                    f"{path}, line {line_no}, column {col + 1}: pixel value {value} "
                    f"is outside 0-{PIXEL_MAX}"
                )
        label = values[N_PIXELS]
        if not 0 <= label < N_CLASSES:
            raise ValueError(
                f"{path}, line {line_no}, column {N_PIXELS + 1}: label {label} is outside 0-9"
            )
        pixels[index] = values[:N_PIXELS]
        labels[index] = label
    return pixels / np.float32(PIXEL_MAX), labels


# --------------------------------------------------------------------------------------------
# Showing a digit
# --------------------------------------------------------------------------------------------

HEX_SYMBOLS = "0123456789ABCDEFG"
"""One symbol per pixel value 0-16: hex digits 0-F, and G for 16 (one past F)."""


def _raw_pixels(row: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return a 64-pixel row as integers 0-16, accepting raw (0-16) or scaled (0-1) values.

    A row whose values all lie in [0, 1] is taken as scaled and multiplied by 16.
    """
    values = np.asarray(row, dtype=np.float64).ravel()
    if values.size != N_PIXELS:
        raise ValueError(f"expected {N_PIXELS} pixel values, got {values.size}")
    if np.isnan(values).any():
        raise ValueError("pixel values contain NaN")
    if values.min() < 0 or values.max() > PIXEL_MAX:
        raise ValueError(f"pixel values must lie in 0-{PIXEL_MAX} (raw) or 0-1 (scaled)")
    if values.max() <= 1.0:
        values = values * PIXEL_MAX
    return np.rint(values).astype(int)


def digit_to_hex(row: Sequence[float] | np.ndarray) -> str:
    """Return the 8x8 image as 8 lines of 8 symbols: hex 0-F, and G for the value 16.

    Accepts raw pixels (0-16) or scaled ones (0-1, as ``load_digits_file`` returns).
    """
    raw = _raw_pixels(row).reshape(8, 8)
    return "\n".join(" ".join(HEX_SYMBOLS[v] for v in line) for line in raw)


def plot_digit(
    row: Sequence[float] | np.ndarray, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw one digit as an 8x8 grey image (dark ink on white) and return its axes."""
    import matplotlib.pyplot as plt

    raw = _raw_pixels(row).reshape(8, 8)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 2.5))
    ax.imshow(raw, cmap="gray_r", vmin=0, vmax=PIXEL_MAX, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def plot_digit_grid(
    rows: np.ndarray, labels: Sequence[int] | np.ndarray, ncols: int = 10
) -> Figure:
    """Draw many digits in a grid, each titled with its label, and return the figure."""
    import matplotlib.pyplot as plt

    rows = np.asarray(rows)
    if len(rows) != len(labels):
        raise ValueError(f"got {len(rows)} rows but {len(labels)} labels")
    if len(rows) == 0:
        raise ValueError("no digits to draw")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    nrows = math.ceil(len(rows) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * 1.0), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, row, label in zip(axes.ravel(), rows, labels, strict=False):
        plot_digit(row, ax=ax, title=str(label))
        ax.set_axis_on()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# The 2-D map
# --------------------------------------------------------------------------------------------


DEFAULT_CMAP = "petroff10"
"""The default class palette: matplotlib's ``petroff10`` colour cycle (10 colours).

Chosen so that digits stay distinguishable with a colour-vision deficiency (M. A. Petroff,
"Accessible Color Sequences for Data Visualization", 2024); ``tests/test_palette.py``
measures it. It is a matplotlib style's colour cycle, not a registered colormap, so
``get_colormap`` builds it.
"""


def get_colormap(name: str, n_colors: int) -> Any:
    """Return matplotlib colormap ``name`` cut into ``n_colors`` discrete colours.

    ``name`` is any registered matplotlib colormap, or ``"petroff10"`` (the default palette,
    at most 10 colours). An unknown name raises ``ValueError`` that suggests the closest known
    names (the book's 'Dark1', for example, never existed: matplotlib has 'Dark2').
    """
    import matplotlib
    from matplotlib.colors import ListedColormap

    if name == DEFAULT_CMAP:
        colours = matplotlib.style.library[name]["axes.prop_cycle"].by_key()["color"]
        if n_colors > len(colours):
            raise ValueError(
                f"the {name!r} palette has {len(colours)} colours, too few for {n_colors} "
                "classes; pass a colormap with more, such as 'tab20'"
            )
        return ListedColormap(colours[:n_colors], name=name)
    if name not in matplotlib.colormaps:
        known = [*matplotlib.colormaps, DEFAULT_CMAP]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"matplotlib has no colormap named {name!r}{hint}")
    return matplotlib.colormaps[name].resampled(n_colors)


def plot_embedding(
    points: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    cmap: str = DEFAULT_CMAP,
    ax: Axes | None = None,
    s: float = 20,
    alpha: float = 0.9,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
    colorbar: bool = True,
) -> Axes:
    """Scatter 2-D points coloured by class label and return the axes.

    Each class gets one colour of ``cmap`` cut into as many colours as there are classes, and
    the colorbar shows the class labels (or ``class_names``) centred on their colours. The
    default palette is colour-blind safe (``DEFAULT_CMAP``); the book's ``"nipy_spectral"``
    and every other matplotlib colormap are accepted by name.
    """
    import matplotlib.pyplot as plt

    points = np.asarray(points)
    labels = np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    if len(points) != len(labels):
        raise ValueError(f"got {len(points)} points but {len(labels)} labels")
    classes, codes = np.unique(labels, return_inverse=True)
    if class_names is not None and len(class_names) != len(classes):
        raise ValueError(f"got {len(class_names)} class names for {len(classes)} classes")
    colours = get_colormap(cmap, len(classes))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.2))
    scatter = ax.scatter(
        points[:, 0], points[:, 1], c=codes, cmap=colours, vmin=-0.5,
        vmax=len(classes) - 0.5, s=s, alpha=alpha, edgecolors="none",
    )
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
    if title is not None:
        ax.set_title(title)
    if colorbar:
        bar = ax.figure.colorbar(scatter, ax=ax, ticks=range(len(classes)))
        names = class_names if class_names is not None else [str(c) for c in classes]
        bar.set_ticklabels(list(names))
    return ax


# --------------------------------------------------------------------------------------------
# Building the autoencoder
# --------------------------------------------------------------------------------------------


def _check_layer_sizes(layer_sizes: Sequence[int]) -> tuple[int, ...]:
    """Validate a symmetric layer-size list with the bottleneck in the middle."""
    sizes = tuple(layer_sizes)
    if len(sizes) < 3:
        raise ValueError(f"layer_sizes needs at least 3 sizes (input, bottleneck, output): {sizes}")
    if len(sizes) % 2 == 0:
        raise ValueError(
            f"layer_sizes must have an odd length so one bottleneck sits in the middle: {sizes}"
        )
    if any(not isinstance(n, int | np.integer) or n < 1 for n in sizes):
        raise ValueError(f"layer sizes must be positive integers: {sizes}")
    if sizes != sizes[::-1]:
        raise ValueError(f"layer_sizes must be symmetric (read the same backwards): {sizes}")
    return sizes


def split_autoencoder(autoencoder: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Return ``(encoder, decoder)`` models that share their layers with ``autoencoder``.

    The bottleneck is the narrowest Dense layer. Works for models from ``build_autoencoder``
    and for the same models loaded back from a file.
    """
    import keras

    dense = [layer for layer in autoencoder.layers if isinstance(layer, keras.layers.Dense)]
    widths = [layer.units for layer in dense]
    middle = widths.index(min(widths))
    encoder = keras.Model(autoencoder.input, dense[middle].output, name="encoder")
    code = keras.Input(shape=(widths[middle],), name="code")
    x = code
    for layer in dense[middle + 1 :]:
        x = layer(x)
    decoder = keras.Model(code, x, name="decoder")
    return encoder, decoder


def build_autoencoder(
    layer_sizes: Sequence[int] = (64, 32, 2, 32, 64),
    activation: str = "sigmoid",
    seed: int | None = 1,
    bottleneck_activation: str | None = None,
    output_activation: str | None = None,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build a symmetric autoencoder and return ``(autoencoder, encoder, decoder)``.

    ``layer_sizes`` lists the widths from input to output, e.g. 64-32-2-32-64; the middle one is
    the bottleneck (the 2-D code). All three models share the same layers, so training the
    autoencoder trains the encoder and decoder too. Each Dense layer gets its own Glorot-uniform
    initializer seeded with ``seed + i`` (one seeded initializer reused by every layer would give
    identical kernels). ``bottleneck_activation`` and ``output_activation`` default to
    ``activation``.
    """
    import keras

    sizes = _check_layer_sizes(layer_sizes)
    middle = len(sizes) // 2
    inputs = keras.Input(shape=(sizes[0],), name="pixels")
    x = inputs
    for i, units in enumerate(sizes[1:], start=1):
        if i == middle:
            act = bottleneck_activation or activation
            name = "code"
        elif i == len(sizes) - 1:
            act = output_activation or activation
            name = "reconstruction"
        else:
            act = activation
            name = f"dense_{i}"
        init = keras.initializers.GlorotUniform(seed=None if seed is None else seed + i)
        x = keras.layers.Dense(units, activation=act, kernel_initializer=init, name=name)(x)
    autoencoder = keras.Model(inputs, x, name="autoencoder")
    encoder, decoder = split_autoencoder(autoencoder)
    return autoencoder, encoder, decoder


def encode(model: keras.Model, data: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Run ``model`` (usually an encoder) on every row of ``data`` and return a NumPy array.

    ``data`` has shape (n, inputs); the result has shape (n, outputs), float32. Runs in
    batches of ``batch_size`` rows, prints nothing (unlike ``predict``'s progress bar) and
    builds no new TensorFlow function per call, so it is cheap to call on many models.
    """
    data = np.asarray(data, dtype=np.float32)
    batch_size = _check_count("batch_size", batch_size)
    width = model.input_shape[-1]
    if data.ndim != 2 or data.shape[1] != width:
        raise ValueError(f"data must have shape (n, {width}) for this model, got {data.shape}")
    parts = [
        np.asarray(model(data[start : start + batch_size], training=False), dtype=np.float32)
        for start in range(0, len(data), batch_size)
    ]
    if not parts:
        return np.empty((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(parts)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def _make_epoch_logger() -> type:
    """Define ``EpochLogger`` on first use, so importing this module does not import Keras."""
    import keras

    class EpochLogger(keras.callbacks.Callback):
        """Print the training loss every ``every`` epochs and after the last epoch.

        The book's custom callback, modernized: ``logs=None`` instead of a mutable default, and
        ``super().__init__()`` so Keras can attach the model and the training parameters.
        """

        def __init__(self, every: int = 100) -> None:
            super().__init__()
            if every < 1:
                raise ValueError(f"every must be at least 1, got {every}")
            self.every = every

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            last = self.params.get("epochs", 0) - 1 if self.params else -1
            if epoch % self.every == 0 or epoch == last:
                print(f"epoch = {epoch:4d} loss = {logs.get('loss', float('nan')):0.6f}")

    EpochLogger.__module__ = __name__
    EpochLogger.__qualname__ = "EpochLogger"
    return EpochLogger


_LAZY: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """Create Keras-based classes (``EpochLogger``) the first time they are asked for."""
    if name == "EpochLogger":
        if name not in _LAZY:
            _LAZY[name] = _make_epoch_logger()
        return _LAZY[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_count(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise ValueError unless it is a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def train_autoencoder(
    autoencoder: keras.Model,
    pixels: np.ndarray,
    epochs: int = 500,
    batch_size: int = 8,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    seed: int = 1,
) -> keras.callbacks.History:
    """Train ``autoencoder`` to reproduce ``pixels``; a much faster stand-in for ``fit``.

    Same algorithm as ``compile(optimizer="adam", loss="mse")`` then
    ``fit(pixels, pixels, batch_size=batch_size, epochs=epochs, verbose=0)``: a fresh Adam
    with Keras's defaults (learning rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7) and
    Keras's update formula; mean squared error; every epoch the items are reshuffled and cut
    into mini-batches of ``batch_size``, the last one smaller if they do not divide evenly.
    An epoch's loss is the mean of its batch losses weighted by batch size, as ``fit`` reports.

    Each epoch runs as one XLA-compiled TensorFlow function (compiled once per call, about a
    second), which is 20-30x faster than ``fit`` for this small model on a 2-core CPU
    (``benchmarks/train_speed.py`` measures it). The
    shuffles depend only on ``seed`` and the epoch number, so the same seed and initial weights
    give bit-identical losses on the same machine; they are not ``fit``'s shuffles, so losses
    differ from ``fit``'s in the late digits. Weights are updated in place; a compiled model
    keeps its compile settings, and its optimizer is neither used nor changed.

    Callbacks are called as ``fit`` calls them: ``on_train_begin``, then per epoch
    ``on_epoch_begin`` and ``on_epoch_end`` (logs ``{"loss": ...}``, weights as at the end of
    that epoch), then ``on_train_end``; batch-level hooks are not called. Setting
    ``autoencoder.stop_training = True`` (as ``EarlyStopping`` does) ends training after that
    epoch. Returns the ``History``: ``history.history["loss"]`` holds one float per epoch.
    Needs the TensorFlow backend. If ``TF_CPP_MIN_LOG_LEVEL`` is unset, TensorFlow logs one
    "Compiled cluster using XLA!" line to stderr the first time in a process.
    """
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"train_autoencoder needs Keras's TensorFlow backend, not {keras.backend.backend()!r}"
        )
    epochs = _check_count("epochs", epochs)
    batch_size = _check_count("batch_size", batch_size)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    n_inputs = autoencoder.input_shape[-1]
    data = np.asarray(pixels, dtype=np.float32)
    if data.ndim != 2 or data.shape[1] != n_inputs or len(data) == 0:
        raise ValueError(
            f"pixels must have shape (n, {n_inputs}) with n >= 1 for this model, got {data.shape}"
        )
    if autoencoder.output_shape[-1] != n_inputs:
        raise ValueError(
            f"the model's output width {autoencoder.output_shape[-1]} differs from its input "
            f"width {n_inputs}, so it cannot learn to reproduce its input"
        )
    n_items = len(data)
    n_full = n_items // batch_size  # full mini-batches per epoch; the rest form one more
    n_rest = n_items - n_full * batch_size
    data = tf.constant(data)

    weights = autoencoder.trainable_variables
    learning_rate, beta_1, beta_2, epsilon = 0.001, 0.9, 0.999, 1e-7  # Adam's defaults
    m_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 1st moments
    v_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 2nd moments
    step = tf.Variable(0, dtype=tf.int64)

    def train_step(batch: tf.Tensor) -> tf.Tensor:
        """One Adam step on one batch; return the batch loss times the batch size."""
        with tf.GradientTape() as tape:
            output = autoencoder(batch, training=True)
            loss = tf.reduce_mean(keras.losses.mean_squared_error(batch, output))
        gradients = tape.gradient(loss, weights)
        step.assign_add(1)
        t = tf.cast(step, tf.float32)
        alpha = learning_rate * tf.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for w, g, m, v in zip(weights, gradients, m_estimates, v_estimates, strict=True):
            m.assign_add((g - m) * (1 - beta_1))
            v.assign_add((tf.square(g) - v) * (1 - beta_2))
            w.assign_sub(m * alpha / (tf.sqrt(v) + epsilon))
        return loss * batch.shape[0]

    def train_epoch(epoch: tf.Tensor) -> tf.Tensor:
        """Shuffle, run every mini-batch once, and return the epoch's mean loss."""
        order = tf.argsort(tf.random.stateless_uniform([n_items], seed=[int(seed), epoch]))
        shuffled = tf.gather(data, order)
        total = tf.constant(0.0)
        if n_full:
            full = tf.reshape(shuffled[: n_full * batch_size], [n_full, batch_size, n_inputs])
            _, total = tf.while_loop(
                lambda i, _: i < n_full,
                lambda i, total: (i + 1, total + train_step(full[i])),
                (tf.constant(0), total),
            )
        if n_rest:
            total += train_step(shuffled[n_full * batch_size :])
        return total / n_items

    # Trace once, up front, into a graph that XLA compiles on its first call.
    train_epoch = tf.function(train_epoch, jit_compile=True).get_concrete_function(
        tf.TensorSpec([], tf.int64)
    )
    callback_list = keras.callbacks.CallbackList(
        list(callbacks), add_history=True, model=autoencoder, epochs=epochs,
        steps=math.ceil(n_items / batch_size), verbose=0,
    )
    autoencoder.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] | None = None
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        logs = {"loss": float(train_epoch(tf.constant(epoch, tf.int64)))}
        callback_list.on_epoch_end(epoch, logs)
        if autoencoder.stop_training:
            break
    callback_list.on_train_end(logs)
    return autoencoder.history


def get_trained_book_model(
    epochs: int = 500, seed: int = 1
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Return the book's trained ``(autoencoder, encoder, decoder)``, training it only once.

    The book's model is ``build_autoencoder(seed=seed)`` trained by ``train_autoencoder`` for
    ``epochs`` epochs after ``keras.utils.set_random_seed(seed)``. It is saved as
    ``MODELS_DIR / "book_autoencoder_e{epochs}_s{seed}.keras"``; when that file exists it is
    loaded instead of trained. Either way it prints nothing and leaves Keras's global random
    generators (Python, NumPy, TensorFlow) freshly seeded with ``seed``, so the code after it
    behaves the same whether or not the file existed. Delete the file to retrain.
    """
    import keras

    epochs = _check_count("epochs", epochs)
    path = Path(MODELS_DIR) / f"book_autoencoder_e{epochs}_s{seed}.keras"
    keras.utils.set_random_seed(seed)
    if path.is_file():
        autoencoder = keras.models.load_model(path)
        encoder, decoder = split_autoencoder(autoencoder)
        return autoencoder, encoder, decoder
    autoencoder, encoder, decoder = build_autoencoder(seed=seed)
    train_autoencoder(autoencoder, load_digits_file()[0], epochs=epochs, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Save under a temporary name, then rename: a reader never sees a half-written file.
    partial = path.with_name(f"{path.stem}.partial-{os.getpid()}.keras")
    autoencoder.save(partial)
    os.replace(partial, path)
    return autoencoder, encoder, decoder


# --------------------------------------------------------------------------------------------
# Measuring a map
# --------------------------------------------------------------------------------------------


def _check_map_inputs(**arrays: Any) -> dict[str, np.ndarray]:
    """Convert the named arrays to NumPy and check that they all have the same length.

    Arrays whose name ends in ``labels`` must have shape (n,), all others shape (n, d).
    """
    out = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in out.items():
        if name.endswith("labels") and value.ndim != 1:
            raise ValueError(f"{name} must be one label per item, shape (n,), got {value.shape}")
        if not name.endswith("labels") and value.ndim != 2:
            raise ValueError(f"{name} must have shape (n, d), got {value.shape}")
    lengths = {name: len(value) for name, value in out.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"all arrays must describe the same items, but {listed}")
    return out


def embedding_scores(
    pixels: np.ndarray,
    points: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    n_neighbors: int = 5,
    folds: int = 5,
) -> dict[str, float]:
    """Score a map of ``pixels`` (n, d) to ``points`` (n, k), usually k = 2: two scores in [0, 1].

    ``trustworthiness``: how well each point's ``n_neighbors`` nearest map neighbours were also
    near it in the data (1.0: no false neighbours; scikit-learn's ``trustworthiness``).
    ``knn_accuracy``: mean accuracy of a ``n_neighbors``-nearest-neighbour classifier on the map
    points, by stratified ``folds``-fold cross-validation (shuffled with random_state 0).
    """
    from sklearn.manifold import trustworthiness
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    checked = _check_map_inputs(pixels=pixels, points=points, labels=labels)
    folds_cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    accuracy = cross_val_score(
        KNeighborsClassifier(n_neighbors=n_neighbors), checked["points"], checked["labels"],
        cv=folds_cv,
    )
    trust = trustworthiness(checked["pixels"], checked["points"], n_neighbors=n_neighbors)
    return {"trustworthiness": float(trust), "knn_accuracy": float(accuracy.mean())}


def heldout_split(
    labels: Sequence[int] | np.ndarray, test_size: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(train_idx, test_idx)``: a fixed split of the items, stratified by label.

    About ``test_size`` of every class goes to the held-out part. Both index arrays are sorted,
    disjoint and together cover every item; the same ``seed`` always gives the same split.
    """
    from sklearn.model_selection import train_test_split

    labels = _check_map_inputs(labels=labels)["labels"]
    train_idx, test_idx = train_test_split(
        np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=seed
    )
    return np.sort(train_idx), np.sort(test_idx)


def heldout_knn_accuracy(
    train_points: np.ndarray,
    train_labels: Sequence[int] | np.ndarray,
    test_points: np.ndarray,
    test_labels: Sequence[int] | np.ndarray,
    n_neighbors: int = 5,
) -> float:
    """Fit a ``n_neighbors``-NN classifier on the train points; return its test-point accuracy.

    For a method that can place unseen items: fit it on the train items only, let it embed the
    held-out ones, then ask how often their map neighbours among the train points share their label.
    """
    from sklearn.neighbors import KNeighborsClassifier

    train = _check_map_inputs(train_points=train_points, train_labels=train_labels)
    test = _check_map_inputs(test_points=test_points, test_labels=test_labels)
    if train["train_points"].shape[1] != test["test_points"].shape[1]:
        raise ValueError(
            f"train points have {train['train_points'].shape[1]} coordinates but test points "
            f"have {test['test_points'].shape[1]}"
        )
    knn = KNeighborsClassifier(n_neighbors=n_neighbors)
    knn.fit(train["train_points"], train["train_labels"])
    return float(knn.score(test["test_points"], test["test_labels"]))


# --------------------------------------------------------------------------------------------
# Loading your own table (CSV with a header row)
# --------------------------------------------------------------------------------------------


def load_table(
    path: str | Path, label_column: str | None = None, delimiter: str = ","
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read a CSV file with a header row and return ``(features, labels, feature_names)``.

    The first row names the columns. ``label_column`` (a column name, or None for a table
    without labels) is taken out as the labels: an int64 array when every label is a whole
    number, otherwise a str array holding the labels as written. Every other column is a
    feature and must hold numbers. ``features`` is float32 of shape (rows, features), scaled to
    [0, 1] column by column (min-max: the smallest value becomes 0, the largest 1); a column
    whose values are all equal becomes all zeros. ``feature_names`` lists the feature columns
    in file order. ``labels`` is None when ``label_column`` is None.

    Fields may be quoted (the ``csv`` module reads them) and are stripped of surrounding
    spaces; Windows line endings, a UTF-8 byte-order mark and a final newline are accepted.
    Anything else raises ``ValueError`` naming the file, the line, the column (number and
    name) and the value: an empty file or one with only a header, an empty line, a row with
    the wrong number of fields, an empty field, a non-numeric, NaN or infinite feature value,
    a column without a name, duplicate column names, or a ``label_column`` that is not in the
    header (the message lists the columns there are). A missing file raises
    ``FileNotFoundError``. Nothing is skipped silently.
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, delimiter=delimiter)
        rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise ValueError(f"{path}: the file is empty")

    header_line, header = rows[0]
    names = [name.strip() for name in header]
    for col, name in enumerate(names, start=1):
        if not name:
            raise ValueError(f"{path}, line {header_line}, column {col}: column has no name")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{path}: duplicate column names in the header: {repeated}")
    if label_column is not None and label_column not in names:
        raise ValueError(
            f"{path}: no column named {label_column!r}; the columns are {names}"
        )
    label_index = None if label_column is None else names.index(label_column)
    feature_cols = [i for i in range(len(names)) if i != label_index]
    if not feature_cols:
        raise ValueError(f"{path}: no feature columns (only the label column {label_column!r})")
    if len(rows) == 1:
        raise ValueError(f"{path}: the file has a header but no data rows")

    values = np.empty((len(rows) - 1, len(feature_cols)), dtype=np.float64)
    label_tokens: list[str] = []
    for index, (line_no, row) in enumerate(rows[1:]):
        if not row:
            raise ValueError(f"{path}, line {line_no}: empty line")
        if len(row) != len(names):
            raise ValueError(
                f"{path}, line {line_no}: expected {len(names)} fields (as in the header), "
                f"found {len(row)}"
            )
        for j, col in enumerate(feature_cols):
            where = f"{path}, line {line_no}, column {col + 1} ({names[col]!r})"
            hint = "" if label_column else (
                f"; if this column holds labels, pass label_column={names[col]!r}")
            values[index, j] = _parse_number(row[col], where, hint)
        if label_index is not None:
            label = row[label_index].strip()
            if not label:
                raise ValueError(
                    f"{path}, line {line_no}, column {label_index + 1} ({label_column!r}): "
                    "missing label (empty field)"
                )
            label_tokens.append(label)

    low, high = values.min(axis=0), values.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    features = ((values - low) / span).astype(np.float32)
    labels: np.ndarray | None = None
    if label_index is not None:
        try:
            whole = [int(token) for token in label_tokens]
        except ValueError:
            labels = np.array(label_tokens, dtype=str)
        else:
            labels = np.array(whole, dtype=np.int64)
    return features, labels, [names[col] for col in feature_cols]


# --------------------------------------------------------------------------------------------
# An interactive map: hover over (or tap) a point to see its digit
# --------------------------------------------------------------------------------------------


EXPLORER_TOOLTIP = """
<div class="digit-tooltip" style="display: flex; align-items: center; gap: 8px;">
  <img src="@image" alt="the 8x8 image of item @index, labelled @label" width="64" height="64"
       style="image-rendering: pixelated; border: 1px solid #888;">
  <div style="font-size: 14px;"><b>label @label</b><br>item @index</div>
</div>
"""
"""The HTML that ``interactive_map`` shows on hover; ``@name`` fields come from its data."""


def _png_gray(image: np.ndarray) -> bytes:
    """Encode a 2-D uint8 array as an 8-bit greyscale PNG (no library needed)."""
    import struct
    import zlib

    height, width = image.shape
    rows = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _digit_images(images: Any, n: int | None = None) -> np.ndarray:
    """Return digit images as an (n, 64) float array of raw values 0-16.

    Accepts an (n, 64) or (n, 8, 8) array of raw pixels (0-16) or scaled ones (0-1, as
    ``load_digits_file`` returns; decided for the whole array). Raises ``ValueError`` for
    another shape, a count other than ``n``, NaN or values outside 0-16.
    """
    array = np.asarray(images, dtype=np.float64)
    if array.ndim == 3 and array.shape[1:] == (8, 8):
        array = array.reshape(len(array), N_PIXELS)
    if array.ndim != 2 or array.shape[1] != N_PIXELS:
        raise ValueError(f"images must have shape (n, 64) or (n, 8, 8), got {array.shape}")
    if n is not None and len(array) != n:
        raise ValueError(f"got {len(array)} images for {n} points")
    if np.isnan(array).any():
        raise ValueError("images contain NaN")
    if array.size and (array.min() < 0 or array.max() > PIXEL_MAX):
        raise ValueError(f"pixel values must lie in 0-{PIXEL_MAX} (raw) or 0-1 (scaled)")
    if array.size and array.max() <= 1.0:
        array = array * PIXEL_MAX
    return array


def digit_png_uri(row: Sequence[float] | np.ndarray, scale: int = 1) -> str:
    """Return one digit as a ``data:image/png;base64,...`` URI: dark ink on white.

    ``row`` holds 64 pixel values, raw (0-16) or scaled (0-1); each pixel becomes a
    ``scale`` x ``scale`` block, so the PNG is ``8 * scale`` pixels square (1, the default,
    gives about 120 characters a digit; browsers enlarge it with ``image-rendering:
    pixelated``). Raises
    ``ValueError`` for a row that is not 64 values within range, or ``scale`` < 1.
    """
    import base64

    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    raw = _raw_pixels(row).reshape(8, 8)
    grey = (255 - np.rint(raw * 255 / PIXEL_MAX)).astype(np.uint8)
    big = np.kron(grey, np.ones((scale, scale), dtype=np.uint8))
    return "data:image/png;base64," + base64.b64encode(_png_gray(big)).decode("ascii")


def _map_inputs(points: Any, labels: Any, images: Any) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Check and convert the inputs shared by the interactive map and its static figure."""
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    if len(points) == 0:
        raise ValueError("no points to draw")
    if not np.isfinite(points).all():
        raise ValueError("points contain NaN or infinite values")
    if labels.ndim != 1 or len(labels) != len(points):
        raise ValueError(f"got {len(points)} points but labels of shape {labels.shape}")
    return points, labels, _digit_images(images, len(points))


def interactive_map(
    points: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    images: np.ndarray,
    title: str = "Hover over (or tap) a point to see its digit",
    cmap: str = DEFAULT_CMAP,
    size: float = 6,
    alpha: float = 0.8,
    width: int = 640,
    height: int = 520,
) -> Any:
    """Return a bokeh layout: the 2-D map, where hovering over a point shows its digit.

    ``points`` is an (n, 2) float array (the map, e.g. an encoder's output), ``labels`` n class
    labels (ints or strings), ``images`` the n digits as an (n, 64) or (n, 8, 8) array of raw
    (0-16) or scaled (0-1) pixels. Each class gets one colour of ``cmap`` (as in
    ``plot_embedding``), with a legend. Hovering shows the digit's 8x8 image (a
    ``data:image/png`` URI, so nothing is fetched from anywhere), its label and its item number;
    tapping a point (touch screens have no hover) pins the same picture beside the map.

    The result is a ``bokeh.layouts.row``; show it in JupyterLab with ``show_interactive``
    (BokehJS inline: works offline) or save a stand-alone page with ``save_interactive``.
    Raises ``ValueError`` for inputs of the wrong shape or range, or an unknown ``cmap``.
    """
    # get_colormap reads matplotlib.style, which only pyplot imports; no pyplot here.
    import matplotlib.style  # noqa: F401
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource, CustomJS, Div, HoverTool, TapTool
    from bokeh.plotting import figure
    from matplotlib.colors import to_hex

    points, labels, raw = _map_inputs(points, labels, images)
    classes, codes = np.unique(labels, return_inverse=True)
    colours = get_colormap(cmap, len(classes))
    palette = [to_hex(colours(i)) for i in range(len(classes))]
    source = ColumnDataSource({
        "x": points[:, 0], "y": points[:, 1],
        "label": [str(label) for label in labels],
        "index": np.arange(len(points)),
        "image": [digit_png_uri(pixels) for pixels in raw],
        "colour": [palette[code] for code in codes],
    })
    plot = figure(width=width, height=height, title=title, tools="pan,wheel_zoom,box_zoom,reset",
                  x_axis_label="component 1", y_axis_label="component 2")
    dots = plot.scatter("x", "y", source=source, size=size, fill_color="colour",
                        line_color=None, fill_alpha=alpha, legend_group="label")
    plot.add_tools(HoverTool(renderers=[dots], tooltips=EXPLORER_TOOLTIP),
                   TapTool(renderers=[dots]))
    legend = plot.legend[0]
    legend.title = "label"
    legend.label_text_font_size = "9pt"
    plot.add_layout(legend, "right")  # beside the map, not over its points
    pinned = Div(text="<p>Tap a point to pin its digit here.</p>", width=140,
                 css_classes=["digit-pinned"])
    source.selected.js_on_change("indices", CustomJS(args={"source": source, "div": pinned},
                                                     code=_TAP_JS))
    return row(plot, pinned)


_TAP_JS = """
const i = source.selected.indices[0];
if (i === undefined) { div.text = "<p>Tap a point to pin its digit here.</p>"; return; }
const d = source.data;
div.text = `<img src="${d.image[i]}" alt="the 8x8 image of item ${d.index[i]}" width="96"`
    + ` height="96" style="image-rendering: pixelated; border: 1px solid #888;">`
    + `<p><b>label ${d.label[i]}</b><br>item ${d.index[i]}</p>`;
"""


def show_interactive(layout: Any) -> None:
    """Show a bokeh layout (e.g. from ``interactive_map``) in JupyterLab, fully offline.

    BokehJS (the browser half of bokeh, about 1.7 MB) goes to the page inline, so the map works
    without internet, and is then replaced in the cell's output by a one-line note: the browser
    has already run it, and the saved notebook stays small. The map itself is saved with the
    notebook but shows only after its cell runs again (or in a notebook trusted with BokehJS
    loaded). Needs a live kernel and JupyterLab's bokeh extension (``jupyter_bokeh``, in
    requirements.txt); outside IPython it raises ``RuntimeError``.
    """
    import uuid

    from bokeh.embed.bundle import bundle_for_objs_and_resources
    from bokeh.io import show
    from bokeh.io.notebook import JS_MIME_TYPE, LOAD_MIME_TYPE, _loading_js
    from bokeh.io.state import curstate
    from bokeh.resources import Resources
    from IPython import get_ipython
    from IPython.display import display, update_display

    if get_ipython() is None:
        raise RuntimeError("show_interactive needs IPython (a notebook); use save_interactive")
    curstate().output_notebook("jupyter")
    resources = Resources(mode="inline", components=["bokeh", "bokeh-widgets"])
    bundle = bundle_for_objs_and_resources(None, resources)
    load_id = f"bokehjs-{uuid.uuid4().hex}"
    # The same two scripts as bokeh.io.output_notebook(INLINE), but with a display id, so the
    # 1.7 MB of JavaScript can be swapped for a note once the browser has run it.
    display({JS_MIME_TYPE: _loading_js(bundle, None, 5000, register_mime=True),
             LOAD_MIME_TYPE: _loading_js(bundle, None, 5000, register_mime=False)},
            raw=True, display_id=load_id)
    show(layout)
    update_display({"text/plain": "(BokehJS loaded inline: the map needs no internet)"},
                   raw=True, display_id=load_id)


def save_interactive(layout: Any, path: str | Path, title: str = "Digit map") -> Path:
    """Save a bokeh layout as one stand-alone HTML page (BokehJS inline) and return its path.

    The page opens in any browser without a kernel or internet.
    """
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    path = Path(path)
    path.write_text(file_html(layout, INLINE, title=title), encoding="utf-8")
    return path


def _spread_out(points: np.ndarray, count: int, min_distance: float) -> list[int]:
    """Return up to ``count`` indices of points at least ``min_distance`` apart (greedy, in
    item order), so thumbnails drawn there do not overlap."""
    chosen: list[int] = []
    for index, point in enumerate(points):
        if len(chosen) == count:
            break
        if all(np.hypot(*(point - points[other])) >= min_distance for other in chosen):
            chosen.append(index)
    return chosen


def plot_map_with_digits(
    points: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    images: np.ndarray,
    n_digits: int = 40,
    cmap: str = DEFAULT_CMAP,
    ax: Axes | None = None,
    title: str = "The map with some digits drawn where they lie",
) -> Axes:
    """The static version of ``interactive_map``: the map with digit images drawn on it.

    Draws ``plot_embedding(points, labels, cmap)`` and, at up to ``n_digits`` points spread
    over the map (none closer than 8% of the map's width to another), that item's 8x8 image
    in a frame of its class colour: what hovering shows, for readers without a kernel.
    Inputs as for ``interactive_map``; returns the axes. Raises ``ValueError`` for inputs of
    the wrong shape or range, or ``n_digits`` < 0.
    """
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    points, labels, raw = _map_inputs(points, labels, images)
    if n_digits < 0:
        raise ValueError(f"n_digits must be at least 0, got {n_digits}")
    ax = plot_embedding(points, labels, cmap=cmap, ax=ax, s=8, alpha=0.6, title=title)
    classes, codes = np.unique(labels, return_inverse=True)
    colours = get_colormap(cmap, len(classes))
    span = np.ptp(points, axis=0)
    scaled = (points - points.min(axis=0)) / np.where(span > 0, span, 1.0)
    for index in _spread_out(scaled, n_digits, 0.08):
        picture = OffsetImage(raw[index].reshape(8, 8), cmap="gray_r", zoom=2.2,
                              norm=None, interpolation="nearest")
        picture.get_children()[0].set_clim(0, PIXEL_MAX)
        frame = AnnotationBbox(picture, points[index], frameon=True, pad=0.1,
                               bboxprops={"edgecolor": colours(codes[index]), "linewidth": 1.5})
        ax.add_artist(frame)
    return ax
