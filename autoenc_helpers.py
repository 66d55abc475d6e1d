"""Shared helpers for the autoencoder visualization notebooks.

Every notebook imports from here instead of copying code. Importing this module has no side
effects: it seeds nothing, changes no matplotlib settings and prints nothing. Keras and
TensorFlow are imported inside the functions that need them, so ``import autoenc_helpers`` stays
fast for the notebooks that only look at data.
"""

from __future__ import annotations

import difflib
import math
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


def _parse_int(token: str, path: Path, line_no: int, column: int) -> int:
    """Parse one field as an integer, or raise ValueError naming the file, line and value."""
    text = token.strip()
    where = f"{path}, line {line_no}, column {column}"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: non-numeric value {token!r}") from None
    if math.isnan(value):
        raise ValueError(f"{where}: NaN value {token!r}")
    if not math.isfinite(value) or value != int(value):
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


def get_colormap(name: str, n_colors: int) -> Any:
    """Return matplotlib colormap ``name`` cut into ``n_colors`` discrete colours.

    An unknown name raises ``ValueError`` that suggests the closest known names (the book's
    'Dark1', for example, never existed: matplotlib has 'Dark2').
    """
    import matplotlib

    if name not in matplotlib.colormaps:
        close = difflib.get_close_matches(name, list(matplotlib.colormaps), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"matplotlib has no colormap named {name!r}{hint}")
    return matplotlib.colormaps[name].resampled(n_colors)


def plot_embedding(
    points: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    cmap: str = "nipy_spectral",
    ax: Axes | None = None,
    s: float = 20,
    alpha: float = 0.9,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
    colorbar: bool = True,
) -> Axes:
    """Scatter 2-D points coloured by class label and return the axes.

    Each class gets one colour of ``cmap`` cut into as many colours as there are classes, and
    the colorbar shows the class labels (or ``class_names``) centred on their colours.
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
    encoder = keras.Model(autoencoder.inputs, dense[middle].output, name="encoder")
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
