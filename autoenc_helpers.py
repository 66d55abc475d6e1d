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
import re
import warnings
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


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number as people write it: optional sign, ASCII digits, optional decimal point and exponent.

Python's ``float`` also reads ``1_000``, ``nan``, ``infinity`` and non-ASCII digits; the loaders
refuse those, so that a value is only a number when a person would read it as one."""

_CANONICAL_INT = re.compile(r"-?[1-9][0-9]*|0")
"""A whole number written the one plain way: no sign but '-', no leading zero, no point."""

_INT64 = np.iinfo(np.int64)


def _number_problem(token: str) -> str:
    """Say why ``token`` (already stripped) is not a number a person would write."""
    if not token:
        return "missing value (empty field)"
    low = token.lower().lstrip("+-")
    if low in {"nan", "na", "n/a", "null", "none"}:
        return f"NaN value {token!r}" if low == "nan" else f"missing value {token!r}"
    if low in {"inf", "infinity"}:
        return f"infinite value {token!r}"
    if "_" in token and _NUMBER.fullmatch(token.replace("_", "")):
        return f"non-numeric value {token!r} (underscores are not allowed in numbers: write " \
            f"{token.replace('_', '')})"
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", token):
        return f"non-numeric value {token!r} (a decimal comma? write {token.replace(',', '.')})"
    return f"non-numeric value {token!r}"


def _parse_number(token: str, where: str, hint: str = "") -> float:
    """Parse one field as a finite float, or raise ValueError saying where and what.

    Accepts only what ``_NUMBER`` matches, after stripping surrounding spaces. ``hint`` is
    added to the message when the field is not a number at all.
    """
    text = token.strip()
    if not _NUMBER.fullmatch(text):
        problem = _number_problem(text)
        extra = hint if problem.startswith("non-numeric") else ""
        raise ValueError(f"{where}: {problem}{extra}")
    value = float(text)
    if math.isinf(value):
        raise ValueError(
            f"{where}: value {token.strip()!r} is too large: it overflows to infinity in "
            "64-bit floating point (largest about 1.8e308)"
        )
    return value


def _read_text(path: Path, kind: str) -> str:
    """Return the whole file as text, decoded as UTF-8 (a UTF-8 byte-order mark is dropped).

    Any other encoding raises ``ValueError`` naming the file and the line of the first byte
    that is not UTF-8, and saying how to re-save the file as UTF-8. ``kind`` names the file
    kind in messages ("CSV file", "digits file").
    """
    import codecs

    data = path.read_bytes()
    resave = (
        "Re-save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)'; in "
        "LibreOffice Calc, Save As > Text CSV > 'Edit filter settings' > Character set "
        "'Unicode (UTF-8)'; in a text editor, 'Save with encoding' > UTF-8"
    )
    for bom, name in [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]:
        if data.startswith(bom):
            raise ValueError(
                f"{path}: the {kind} is {name} text (it starts with a {name} byte-order mark, as "
                f"Excel's 'Unicode Text' export does), not UTF-8. {resave}"
            )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        guess = ""
        if b"\x00" in data[:4096]:
            guess = " It holds zero bytes, so it is probably UTF-16 text without a byte-order mark."
        elif byte >= 0x80:
            guess = (
                f" Byte 0x{byte:02x} is, for example, {bytes([byte]).decode('cp1252', 'replace')!r}"
                " in Windows-1252 / Latin-1, the usual encoding of files saved by older Excel"
                " versions on Windows."
            )
        raise ValueError(
            f"{path}, line {line}: the {kind} is not UTF-8 text (byte 0x{byte:02x} at byte "
            f"offset {error.start} cannot be decoded).{guess} {resave}"
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValueError(
            f"{path}, line {line}: the {kind} holds a zero byte: it is probably UTF-16 text "
            f"without a byte-order mark, or not a text file at all. {resave}"
        )
    return text


def _parse_int(token: str, path: Path, line_no: int, column: int) -> int:
    """Parse one field as a whole number, or raise ValueError naming the file, line and value."""
    where = f"{path}, line {line_no}, column {column}"
    value = _parse_number(token, where)
    if value != int(value):
        raise ValueError(f"{where}: non-integer value {token!r}")
    return int(value)


def load_digits_file(path: str | Path = DATA_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Read a digits file and return ``(pixels, labels)``.

    ``pixels`` is float32 of shape (n, 64), divided by 16 so every value lies in [0, 1];
    ``labels`` is int64 of shape (n,). The file is UTF-8 text (a byte-order mark is accepted,
    as in ``load_table``); every line holds 65 comma-separated fields: 64 pixels, whole numbers
    0-16 (``3``, ``03``, ``3.0`` and ``3e0`` all mean 3), then the label, written as a single
    digit ``0``-``9`` (``07``, ``7.0`` or ``+7`` are refused rather than guessed at: the
    same label rule as ``load_table``, which keeps any other spelling as a separate text label).
    Windows line endings and a final newline are accepted.

    Raises ``FileNotFoundError`` for a missing file, and ``ValueError`` naming the file, the
    line (and column) and the offending value for anything else: a file that is not UTF-8
    (with how to re-save it), an empty file or line, a wrong field count, a value that is not
    a number a person would write (``1_0``, ``nan``, ``inf``), a fraction, a pixel outside 0-16
    or a label that is not one of the digits. Nothing is skipped silently.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"digits file not found: {path}")
    lines = _read_text(path, "digits file").splitlines()
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
        values = [_parse_int(tok, path, line_no, col + 1) for col, tok in enumerate(fields[:-1])]
        for col, value in enumerate(values):
            if not 0 <= value <= PIXEL_MAX:
                raise ValueError(
                    f"{path}, line {line_no}, column {col + 1}: pixel value {value} "
                    f"is outside 0-{PIXEL_MAX}"
                )
        token = fields[-1].strip()
        where = f"{path}, line {line_no}, column {N_PIXELS + 1}"
        if not (len(token) == 1 and token in "0123456789"):
            label = _parse_number(token, where)  # names NaN, empty and non-numeric values
            if label == int(label) and not 0 <= label < N_CLASSES:
                raise ValueError(f"{where}: label {int(label)} is outside 0-9")
            raise ValueError(
                f"{where}: label {token!r} is not written as a single digit 0-9; write it as "
                f"the UCI file does (labels are never guessed from other spellings)"
            )
        pixels[index] = values
        labels[index] = int(token)
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

    ``row``: 64 pixel values (any shape with 64 elements, any real dtype), raw (0-16) or
    scaled (0-1, as ``load_digits_file`` returns; a row whose values all lie in [0, 1] is
    taken as scaled); values are rounded to the nearest whole grey level. Raises
    ``ValueError`` for another count of values, NaN, or values outside 0-16.
    """
    raw = _raw_pixels(row).reshape(8, 8)
    return "\n".join(" ".join(HEX_SYMBOLS[v] for v in line) for line in raw)


def plot_digit(
    row: Sequence[float] | np.ndarray, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw one digit as an 8x8 grey image (dark ink on white) and return its axes.

    ``row``: 64 pixel values, raw (0-16) or scaled (0-1), as for ``digit_to_hex`` (same
    errors). ``ax``: the axes to draw in (a new 2.5 x 2.5 inch figure if None); ``title``:
    text above the image, if given.
    """
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
    """Draw many digits in a grid, each titled with its label, and return the figure.

    ``rows``: shape (n, 64), raw (0-16) or scaled (0-1) pixels; ``labels``: n labels, shown
    as titles; ``ncols`` digits per grid row (about 0.9 inch each). Raises ``ValueError``
    when the counts differ, when there are no digits, or for ``ncols`` below 1.
    """
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


def _distinct_colours(cmap: Any) -> int:
    """Count the distinct RGBA colours of a discrete colormap (one per index 0..N-1)."""
    colours = np.asarray(cmap(np.arange(cmap.N)))
    return len(np.unique(np.round(colours, 6), axis=0))


def get_colormap(name: str | Any, n_colors: int) -> Any:
    """Return colormap ``name`` cut into ``n_colors`` discrete colours (a matplotlib Colormap).

    ``name`` is a registered matplotlib colormap name, ``"petroff10"`` (the default palette,
    at most 10 colours: more raise ``ValueError``), or a ``matplotlib.colors.Colormap`` object
    (resampled likewise). A qualitative palette with fewer colours than ``n_colors`` repeats
    colours (``"Dark2"`` has 8, so 10 colours hold only 8 distinct ones): notebook 06 shows
    this, and ``plot_embedding`` never draws with such a palette. An unknown name raises
    ``ValueError`` suggesting the closest known names (the book's 'Dark1', for example, never
    existed: matplotlib has 'Dark2'); so does a ``name`` that is neither a str nor a Colormap.
    """
    import matplotlib
    import matplotlib.style  # noqa: F401  (not loaded by `import matplotlib` alone)
    from matplotlib.colors import Colormap, ListedColormap

    n_colors = _check_count("n_colors", n_colors)
    if isinstance(name, Colormap):
        return name.resampled(n_colors)
    if not isinstance(name, str):
        raise ValueError(f"cmap must be a colormap name or a matplotlib Colormap, got {name!r}")
    if name == DEFAULT_CMAP:
        colours = matplotlib.style.library[name]["axes.prop_cycle"].by_key()["color"]
        if n_colors > len(colours):
            raise ValueError(
                f"the {name!r} palette has {len(colours)} distinct colours, too few for "
                f"{n_colors} classes; pass a colormap with more, such as 'tab20'"
            )
        return ListedColormap(colours[:n_colors], name=name)
    if name not in matplotlib.colormaps:
        known = [*matplotlib.colormaps, DEFAULT_CMAP]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"matplotlib has no colormap named {name!r}{hint}")
    return matplotlib.colormaps[name].resampled(n_colors)


def _distinct_colormap(name: str | Any, n_colors: int) -> Any:
    """``get_colormap``, but raise ``ValueError`` unless all ``n_colors`` colours differ."""
    cmap = get_colormap(name, n_colors)
    available = _distinct_colours(cmap)
    if available < n_colors:
        label = name if isinstance(name, str) else getattr(name, "name", "given")
        raise ValueError(
            f"the {label!r} palette has {available} distinct colours, too few for {n_colors} "
            "classes (some classes would share a colour); pass a colormap with more, such as "
            "'tab20' (20 colours) or 'nipy_spectral' (any number)"
        )
    return cmap


def _fallback_cmap(n_classes: int) -> str:
    """A palette with at least ``n_classes`` distinct colours, as few as needed."""
    if n_classes <= 10:
        return DEFAULT_CMAP
    return "tab20" if n_classes <= 20 else "nipy_spectral"


def plot_embedding(
    points: np.ndarray,
    labels: Sequence[Any] | np.ndarray,
    cmap: str | Any = DEFAULT_CMAP,
    ax: Axes | None = None,
    s: float = 20,
    alpha: float = 0.9,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
    colorbar: bool = True,
) -> Axes:
    """Scatter 2-D points coloured by class label and return the axes.

    ``points``: shape (n, 2), any real dtype, in the map's own units; every value must be
    finite. ``labels``: shape (n,), ints or strings; each distinct label is one class, and
    classes are ordered as ``np.unique`` sorts them. Each class gets one colour of ``cmap``
    (a matplotlib colormap name, ``"petroff10"`` or a ``Colormap`` object) cut into as many
    colours as there are classes, and the colorbar shows the class labels (or
    ``class_names``, one per class in that order) centred on their colours. The default
    palette is colour-blind safe (``DEFAULT_CMAP``); the book's ``"nipy_spectral"`` is
    accepted by name.

    Never fewer colours than classes: when ``cmap`` has too few distinct colours (``"Dark2"``
    has 8, so a 9th class would reuse one), the plot falls back to ``"petroff10"`` (up to 10
    classes), ``"tab20"`` (up to 20) or ``"nipy_spectral"`` and says so with a ``UserWarning``.

    Raises ``ValueError`` for points not of shape (n, 2), a count of labels that differs from
    the count of points, NaN or infinite points (with how many and the first row: they are
    never dropped silently), a wrong number of ``class_names``, and an unknown colormap name.
    """
    import matplotlib.pyplot as plt

    points = np.asarray(points)
    labels = np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    if labels.ndim != 1 or len(points) != len(labels):
        raise ValueError(f"got {len(points)} points but labels of shape {labels.shape}")
    if not np.issubdtype(points.dtype, np.number) or np.iscomplexobj(points):
        raise ValueError(f"points must be real numbers, got dtype {points.dtype}")
    finite = np.isfinite(points).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise ValueError(
            f"{len(bad)} of {len(points)} points are NaN or infinite (the first is row "
            f"{bad[0]}: {points[bad[0]].tolist()}); a map cannot place them, and they are not "
            "dropped silently. Check the model's training (a NaN loss?) or the input rows"
        )
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("labels contain NaN; give every point a label")
    classes, codes = np.unique(labels, return_inverse=True)
    if class_names is not None and len(class_names) != len(classes):
        raise ValueError(f"got {len(class_names)} class names for {len(classes)} classes")
    n_classes = max(len(classes), 1)
    try:
        colours = _distinct_colormap(cmap, n_classes)
    except ValueError as error:
        if "too few" not in str(error):
            raise
        fallback = _fallback_cmap(n_classes)
        warnings.warn(f"{error}. Using {fallback!r} instead.", UserWarning, stacklevel=2)
        colours = _distinct_colormap(fallback, n_classes)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.2))
    scatter = ax.scatter(
        points[:, 0], points[:, 1], c=codes, cmap=colours, vmin=-0.5,
        vmax=n_classes - 0.5, s=s, alpha=alpha, edgecolors="none",
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


_SUPPORTED_SHAPES = (
    "split_autoencoder supports one chain of layers from one input of shape (n, features) to "
    "one output of the same width, each layer taking the previous layer's output (Dense, "
    "Activation, Dropout, normalization and noise layers, possibly inside nested "
    "Sequential/Functional models), with at least one hidden layer; built as keras.Sequential, "
    "with the functional API, or as a subclassed model with .encoder and .decoder attributes"
)


def _chain_of(model: Any, depth: int = 0) -> list[Any]:
    """Return the layers of ``model`` in the order data flows through them, nested models
    flattened; raise ``ValueError`` when the layers do not form one chain."""
    import keras

    if depth > 20:
        raise ValueError(f"models nested too deeply. {_SUPPORTED_SHAPES}")
    if not isinstance(model, keras.Model):
        if isinstance(model, keras.layers.InputLayer):
            return []
        return [model]
    if isinstance(model, keras.Sequential):
        return [layer for sub in model.layers for layer in _chain_of(sub, depth + 1)]
    if not isinstance(model, keras.Model) or not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            f"cannot see inside the subclassed model {model.name!r}: give it .encoder and "
            f".decoder attributes, or build it as keras.Sequential or with the functional API. "
            f"{_SUPPORTED_SHAPES}"
        )
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model {model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} "
            f"outputs, not one of each. {_SUPPORTED_SHAPES}"
        )
    chain: list[Any] = []
    tensor = model.outputs[0]
    start = model.inputs[0]
    while tensor is not start:
        operation, node_index, _ = tensor._keras_history
        node = operation._inbound_nodes[node_index]
        inputs = list(node.input_tensors)
        if len(inputs) != 1:
            raise ValueError(
                f"layer {operation.name!r} of {model.name!r} takes {len(inputs)} inputs: the "
                f"model branches. {_SUPPORTED_SHAPES}"
            )
        chain[:0] = _chain_of(operation, depth + 1)
        tensor = inputs[0]
    users = [op for op in model.operations if not isinstance(op, keras.layers.InputLayer)]
    flat_users = {id(layer) for op in users for layer in _chain_of(op, depth + 1)}
    if flat_users != {id(layer) for layer in chain}:
        raise ValueError(f"model {model.name!r} has layers off the main path. {_SUPPORTED_SHAPES}")
    return chain


_ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax")


def split_autoencoder(autoencoder: keras.Model) -> tuple[keras.Model, keras.Model]:
    """Return ``(encoder, decoder)`` models that share their layers (and weights) with
    ``autoencoder``, with ``decoder(encoder(x))`` equal to ``autoencoder(x)``.

    ``autoencoder`` maps an input of shape (n, features) to an output of the same width
    through one chain of layers. It may be built with ``keras.Sequential`` (even one that was
    never called: it is then built for inputs as wide as its last Dense layer), with the
    functional API (nested encoder/decoder sub-models are looked into), or as a subclassed
    model with ``.encoder`` and ``.decoder`` attributes, which are then used as they are.

    The code (the bottleneck) is the layer named ``"code"`` if the chain has one (as
    ``build_autoencoder`` names it); otherwise the narrowest hidden layer with weights (Dense
    and alike) before the output layer (the first one if several are equally narrow).
    Activation layers right after it (``Activation``, ``ReLU``, ``LeakyReLU``, ...) belong to
    the encoder, so the code is taken after its activation. ``encoder`` maps (n, features)
    to (n, code width); ``decoder`` maps (n, code width) to (n, features); both are
    functional models named "encoder" and "decoder". Works for models from
    ``build_autoencoder`` and for them loaded from a file.

    Raises ``ValueError`` saying which shapes are supported when the model branches, has
    several inputs or outputs, has no hidden layer, has layers whose outputs are not
    (n, width), is subclassed without ``.encoder``/``.decoder``, or when ``decoder(encoder(x))``
    does not reproduce ``autoencoder(x)`` on a test batch.
    """
    import keras

    if not isinstance(autoencoder, keras.Model):
        raise ValueError(f"expected a keras.Model, got {type(autoencoder).__name__}")
    parts = None
    subclassed = not hasattr(autoencoder, "_nodes_by_depth")
    if not isinstance(autoencoder, keras.Sequential) and subclassed:
        sub_encoder = getattr(autoencoder, "encoder", None)
        sub_decoder = getattr(autoencoder, "decoder", None)
        if not (isinstance(sub_encoder, keras.layers.Layer)
                and isinstance(sub_decoder, keras.layers.Layer)):
            _chain_of(autoencoder)  # raises: a subclassed model without encoder/decoder
        parts = (_chain_of(sub_encoder), _chain_of(sub_decoder))
        chain = parts[0] + parts[1]
        width = _input_width(sub_encoder)
    else:
        chain = _chain_of(autoencoder)
        if isinstance(autoencoder, keras.Sequential) and not autoencoder.built:
            last = [layer for layer in chain if isinstance(layer, keras.layers.Dense)]
            if not last:
                raise ValueError(
                    "this Sequential model was never called and has no Dense layer to tell its "
                    "input width: start it with keras.Input(shape=(features,))"
                )
            autoencoder.build((None, last[-1].units))
        width = _input_width(autoencoder)
    if width is None:
        raise ValueError(f"cannot tell the input width of {autoencoder.name!r}: start it with "
                         f"keras.Input(shape=(features,)). {_SUPPORTED_SHAPES}")
    if not chain:
        raise ValueError(f"{autoencoder.name!r} has no layers. {_SUPPORTED_SHAPES}")

    inputs = keras.Input(shape=(width,), name="features")
    outputs = []
    x = inputs
    for layer in chain:
        x = layer(x)
        if len(x.shape) != 2:
            raise ValueError(f"layer {layer.name!r} outputs shape {x.shape}, not (n, width). "
                             f"{_SUPPORTED_SHAPES}")
        outputs.append(x)
    if outputs[-1].shape[-1] != width:
        raise ValueError(f"{autoencoder.name!r} maps {width} inputs to {outputs[-1].shape[-1]} "
                         f"outputs, so it is not an autoencoder. {_SUPPORTED_SHAPES}")

    def is_activation(layer: Any) -> bool:
        return type(layer).__name__ in _ACTIVATION_LAYERS

    if parts is not None:
        code = len(parts[0]) - 1
    else:
        output_start = len(chain) - 1  # the output layer and the activations after it
        while output_start > 0 and is_activation(chain[output_start]):
            output_start -= 1
        hidden = [i for i in range(output_start) if chain[i].weights]  # layers that learn
        named = [i for i in range(output_start) if chain[i].name == "code"]
        if not hidden and not named:
            raise ValueError(f"{autoencoder.name!r} has no hidden layer between its input and "
                             f"its output layer, so it has no code. {_SUPPORTED_SHAPES}")
        code = named[0] if named else min(hidden, key=lambda i: (outputs[i].shape[-1], i))
        while code + 1 < output_start and is_activation(chain[code + 1]):
            code += 1
    encoder = keras.Model(inputs, outputs[code], name="encoder")
    code_input = keras.Input(shape=(outputs[code].shape[-1],), name="code")
    x = code_input
    for layer in chain[code + 1 :]:
        x = layer(x)
    decoder = keras.Model(code_input, x, name="decoder")

    probe = np.random.default_rng(0).random((8, width), dtype=np.float32)
    whole = np.asarray(autoencoder(probe, training=False))
    halves = np.asarray(decoder(encoder(probe, training=False), training=False))
    if whole.shape != halves.shape or not np.allclose(whole, halves, rtol=1e-4, atol=1e-5):
        raise ValueError(
            f"could not split {autoencoder.name!r}: decoder(encoder(x)) differs from "
            f"autoencoder(x), so its call does not run its layers as one chain. "
            f"{_SUPPORTED_SHAPES}"
        )
    return encoder, decoder


def _input_width(model: Any) -> int | None:
    """The input width of a built model or layer, or None when it is not known."""
    try:
        shape = model.input_shape if hasattr(model, "inputs") and model.inputs else None
    except (AttributeError, ValueError):
        shape = None
    if shape is None:
        spec = getattr(model, "_build_shapes_dict", None) or {}
        shape = next(iter(spec.values()), None)
    if isinstance(shape, list):
        shape = shape[0] if len(shape) == 1 else None
    if shape is None or len(shape) != 2 or shape[-1] is None:
        return None
    return int(shape[-1])


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
    ``activation``; any Keras activation name is accepted. Layers are named ``dense_i``, the
    bottleneck ``"code"`` and the last one ``"reconstruction"``; the encoder maps (n, inputs)
    float32 to (n, bottleneck) and the decoder back (see ``split_autoencoder``). The models
    are not compiled. Raises ``ValueError`` for fewer than 3 sizes, an even count, sizes that
    are not positive whole numbers, or a list that is not symmetric.
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

    ``data`` has shape (n, inputs), any real dtype (converted to float32); the result has
    shape (n, outputs), float32, in the model's output units. Runs in batches of
    ``batch_size`` rows, prints nothing (unlike ``predict``'s progress bar) and builds no new
    TensorFlow function per call, so it is cheap to call on many models. Raises
    ``ValueError`` for data of another width than the model's input, or a ``batch_size``
    that is not a whole number of at least 1.
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
        Prints ``epoch = NNNN loss = 0.xxxxxx`` lines to stdout, with ``fit`` and with
        ``train_autoencoder`` alike. Raises ``ValueError`` for ``every`` below 1.
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


_OUTPUT_RANGES = {
    "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0), "relu": (0.0, math.inf),
    "softplus": (0.0, math.inf), "exponential": (0.0, math.inf), "relu6": (0.0, 6.0),
}
"""Output activations whose values cannot leave a range: (lowest, highest)."""

PROGRESS_AFTER_SECONDS = 60.0
"""With ``verbose="auto"``, ``train_autoencoder`` shows progress once a run is expected to take
longer than this. Notebook cells train for less, so their saved outputs stay stable."""


def _first_non_finite(data: np.ndarray) -> tuple[int, tuple[int, int]]:
    """Count the NaN/inf values of a 2-D array and return the (row, column) of the first."""
    bad = ~np.isfinite(data)
    rows, cols = np.nonzero(bad)
    return int(bad.sum()), (int(rows[0]), int(cols[0]))


def _output_activation(autoencoder: Any) -> tuple[str, str] | None:
    """Return ``(layer name, activation name)`` of the model's last activation, if known."""
    try:
        chain = (_chain_of(autoencoder.decoder) if hasattr(autoencoder, "decoder")
                 else _chain_of(autoencoder))
    except (ValueError, AttributeError):
        return None
    for layer in reversed(chain):
        kind = type(layer).__name__
        if kind in ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout"):
            continue
        if kind in ("ReLU", "Softmax"):
            return layer.name, kind.lower()
        activation = getattr(layer, "activation", None)
        name = getattr(activation, "__name__", None)
        return (layer.name, name) if name else None
    return None


def _training_setup(autoencoder: Any, callbacks: Sequence[Any]) -> tuple[Any, Any, dict]:
    """Read what ``autoencoder`` was compiled with; refuse what cannot be honoured.

    Returns ``(optimizer or None, loss function (y_true, y_pred) -> scalar, Adam settings)``.
    """
    import keras

    lr_callbacks = [c for c in callbacks if isinstance(
        c, keras.callbacks.LearningRateScheduler | keras.callbacks.ReduceLROnPlateau)]
    optimizer = getattr(autoencoder, "optimizer", None) if getattr(
        autoencoder, "compiled", False) else None
    if optimizer is None:
        if lr_callbacks:
            raise ValueError(
                f"{type(lr_callbacks[0]).__name__} changes the optimizer's learning rate, but the "
                "model is not compiled, so it has no optimizer; compile it first, e.g. "
                "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), "
                "loss='mean_squared_error')"
            )
        settings = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
        return None, lambda y, p: keras.ops.mean(keras.losses.mean_squared_error(y, p)), settings

    config = autoencoder._compile_config.config if getattr(
        autoencoder, "_compile_config", None) else {}
    use_fit = "; train with model.fit instead, or compile with what train_autoencoder supports"
    if type(optimizer) is not keras.optimizers.Adam:
        raise ValueError(
            f"the model was compiled with the {type(optimizer).__name__} optimizer, but "
            f"train_autoencoder implements Adam only (keras.optimizers.Adam){use_fit}"
        )
    opt = optimizer.get_config()
    extras = {key: opt.get(key) for key in ("weight_decay", "clipnorm", "clipvalue",
                                             "global_clipnorm", "loss_scale_factor",
                                             "gradient_accumulation_steps")
              if opt.get(key) is not None}
    if opt.get("amsgrad"):
        extras["amsgrad"] = True
    if opt.get("use_ema"):
        extras["use_ema"] = True
    if extras:
        raise ValueError(f"the model's Adam optimizer uses {extras}, which train_autoencoder "
                         f"does not implement (plain Adam only){use_fit}")
    if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            "the model's optimizer follows a LearningRateSchedule, which train_autoencoder does "
            "not implement; pass a fixed learning rate and change it per epoch with a "
            f"keras.callbacks.LearningRateScheduler callback{use_fit}"
        )
    for key in ("metrics", "weighted_metrics", "loss_weights"):
        if config.get(key):
            raise ValueError(
                f"the model was compiled with {key}={config[key]!r}, but train_autoencoder "
                f"computes and reports the loss only{use_fit}"
            )
    loss = getattr(autoencoder, "loss", None)
    if loss is None or isinstance(loss, dict | list | tuple):
        raise ValueError(f"train_autoencoder needs one loss for the model's one output; the "
                         f"model was compiled with loss={loss!r}{use_fit}")
    if isinstance(loss, keras.losses.Loss):
        if loss.reduction not in ("sum_over_batch_size", "mean"):
            raise ValueError(f"the loss {loss.name!r} uses reduction={loss.reduction!r}; "
                             f"train_autoencoder averages over the batch{use_fit}")
        loss_fn = loss
    else:
        function = keras.losses.get(loss)
        loss_fn = lambda y, p: keras.ops.mean(function(y, p))  # noqa: E731 - as compile does
    settings = {"beta_1": float(opt["beta_1"]), "beta_2": float(opt["beta_2"]),
                "epsilon": float(opt["epsilon"])}
    return optimizer, loss_fn, settings


class _Progress:
    """A one-line progress report like ``fit(verbose=1)``: epochs done, loss, time left.

    Rewrites its line with a carriage return in a terminal and in Jupyter, at most twice a
    second; elsewhere (a log file) prints a line at every tenth of the run.
    """

    def __init__(self, epochs: int, start: float) -> None:
        import sys

        self.epochs, self.start = epochs, start
        self.dynamic = ("ipykernel" in sys.modules
                        or (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()))
        self.last_shown = -math.inf
        self.shown_any = False

    def update(self, done: int, loss: float, now: float, last: bool = False) -> None:
        """Show the state after ``done`` epochs (if it is time to)."""
        import sys

        if not last and (now - self.last_shown < 0.5
                         or (not self.dynamic and done * 10 // self.epochs
                             == (done - 1) * 10 // self.epochs)):
            return
        elapsed = now - self.start
        left = elapsed / done * (self.epochs - done)
        width = len(str(self.epochs))
        bar = "=" * (20 * done // self.epochs)
        text = (f"epoch {done:>{width}}/{self.epochs} [{bar:<20}] - loss: {loss:.4f} - "
                f"{elapsed:.0f}s elapsed" + ("" if last else f", about {left:.0f}s left"))
        end = "\n" if last or not self.dynamic else ""
        sys.stdout.write(("\r" if self.dynamic else "") + text + end)
        sys.stdout.flush()
        self.last_shown, self.shown_any = now, True


def train_autoencoder(
    autoencoder: keras.Model,
    pixels: np.ndarray,
    epochs: int = 500,
    batch_size: int = 8,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    seed: int = 1,
    verbose: int | str = "auto",
) -> keras.callbacks.History:
    """Train ``autoencoder`` to reproduce ``pixels``; a much faster stand-in for ``fit``.

    ``pixels``: shape (n, features), any real dtype (trained as float32), every value finite;
    ``features`` is the model's input and output width. Runs the same algorithm as
    ``fit(pixels, pixels, batch_size=batch_size, epochs=epochs)``: every epoch the items are
    reshuffled and cut into mini-batches of ``batch_size``, the last one smaller if they do
    not divide evenly; one Adam step per batch with Keras's update formula. An epoch's loss is
    the mean of its batch losses weighted by batch size, as ``fit`` reports.

    What the model was compiled with is honoured: a model compiled with
    ``keras.optimizers.Adam`` (any learning rate, beta_1, beta_2, epsilon) and one loss (a
    name such as ``"binary_crossentropy"``, a loss function or a ``keras.losses.Loss``)
    trains with exactly those. An uncompiled model trains as after
    ``compile(optimizer="adam", loss="mean_squared_error")``: learning rate 0.001,
    beta_1 0.9, beta_2 0.999, epsilon 1e-7. The optimizer's state (moments, step count) starts
    fresh on every call, as after a new ``compile``; the optimizer object is not stepped.
    Anything it cannot honour raises ``ValueError`` saying so: another optimizer, Adam with
    weight decay, clipping, amsgrad or EMA, a ``LearningRateSchedule``, compiled metrics or
    loss weights, several losses.

    Callbacks are called as ``fit`` calls them: ``on_train_begin``, then per epoch
    ``on_epoch_begin`` and ``on_epoch_end`` (logs ``{"loss": ...}``, weights as at the end of
    that epoch), then ``on_train_end``. The learning rate is read from the model's optimizer
    at the start of every epoch, so callbacks that change it between epochs
    (``LearningRateScheduler``, ``ReduceLROnPlateau``) work as with ``fit``; they need a
    compiled model (an uncompiled one raises ``ValueError``). Batch-level hooks are not called
    (a ``UserWarning`` names a callback that defines them). Setting
    ``autoencoder.stop_training = True`` (as ``EarlyStopping`` does) ends training after that
    epoch. Returns the ``History``: ``history.history["loss"]`` holds one float per epoch.

    ``verbose``: 0 prints nothing; 1 shows a progress line like ``fit``'s (epochs done, loss,
    time left), in a terminal and in Jupyter; ``"auto"`` (default) shows it only once the run
    is expected to take longer than ``PROGRESS_AFTER_SECONDS`` (60 s), so the short runs in
    the notebooks print nothing and their outputs stay stable under nbval. Setting the
    environment variable ``AUTOENC_VERBOSE=0`` makes ``"auto"`` silent always (the Makefile's
    test targets do).

    Refuses (``ValueError``) data with NaN or infinite values (how many, and the first row and
    column: one NaN would turn every weight into NaN), a shape other than (n, features), a
    model whose output width differs from its input width, and bad ``epochs``, ``batch_size``
    or ``seed``. Warns (``UserWarning``) when the data leave the range the output activation
    can produce (a sigmoid output gives values in [0, 1] only).

    Each epoch runs as one XLA-compiled TensorFlow function (compiled once per call, about a
    second), 20-30x faster than ``fit`` for the book's model on a 2-core CPU
    (``benchmarks/train_speed.py`` measures it). The shuffles depend only on ``seed`` and the
    epoch number, so the same seed and initial weights give bit-identical losses on the same
    machine; they are not ``fit``'s shuffles, so losses differ from ``fit``'s in the late
    digits. Weights are updated in place. Needs the TensorFlow backend.
    """
    import time

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
    if verbose not in (0, 1, "auto") or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 0, 1 or 'auto', got {verbose!r}")
    callbacks = list(callbacks)
    n_inputs = autoencoder.input_shape[-1]
    data = np.asarray(pixels)
    if data.ndim != 2 or data.shape[1] != n_inputs or len(data) == 0:
        raise ValueError(
            f"pixels must have shape (n, {n_inputs}) with n >= 1 for this model, got {data.shape}"
        )
    if not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
        raise ValueError(f"pixels must be real numbers, got dtype {data.dtype}")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, refused just below
        data = data.astype(np.float32)
    if not np.isfinite(data).all():
        count, (row, col) = _first_non_finite(data)
        raise ValueError(
            f"pixels hold {count} NaN or infinite value(s) (as float32), the first at row {row}, "
            f"column {col}: {data[row, col]}. One such value makes every loss and weight NaN; "
            "remove or fill those values first"
        )
    if autoencoder.output_shape[-1] != n_inputs:
        raise ValueError(
            f"the model's output width {autoencoder.output_shape[-1]} differs from its input "
            f"width {n_inputs}, so it cannot learn to reproduce its input"
        )
    optimizer, loss_fn, adam = _training_setup(autoencoder, callbacks)
    output = _output_activation(autoencoder)
    if output is not None and output[1] in _OUTPUT_RANGES:
        low, high = _OUTPUT_RANGES[output[1]]
        if data.min() < low or data.max() > high:
            warnings.warn(
                f"the data range from {data.min():g} to {data.max():g}, but the output layer "
                f"{output[0]!r} uses {output[1]}, which only gives values in [{low:g}, {high:g}]: "
                "the model cannot reproduce the values outside. Scale the data into that range "
                "(load_table scales to [0, 1]) or use another output activation "
                "(e.g. build_autoencoder(..., output_activation='linear'))",
                UserWarning, stacklevel=2,
            )
    for callback in callbacks:
        batch_hooks = [name for name in ("on_batch_begin", "on_batch_end",
                                         "on_train_batch_begin", "on_train_batch_end")
                       if getattr(type(callback), name, None)
                       is not getattr(keras.callbacks.Callback, name)]
        if batch_hooks and not isinstance(callback, keras.callbacks.History):
            warnings.warn(
                f"callback {type(callback).__name__} defines {', '.join(batch_hooks)}, which "
                "train_autoencoder never calls (it calls epoch-level hooks only); use fit if "
                "the callback needs them", UserWarning, stacklevel=2)

    n_items = len(data)
    n_full = n_items // batch_size  # full mini-batches per epoch; the rest form one more
    n_rest = n_items - n_full * batch_size
    data = tf.constant(data)
    beta_1, beta_2, epsilon = adam["beta_1"], adam["beta_2"], adam["epsilon"]

    weights = autoencoder.trainable_variables
    m_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 1st moments
    v_estimates = [tf.Variable(tf.zeros(w.shape)) for w in weights]  # Adam's 2nd moments
    step = tf.Variable(0, dtype=tf.int64)

    def train_step(batch: tf.Tensor, learning_rate: tf.Tensor) -> tf.Tensor:
        """One Adam step on one batch; return the batch loss times the batch size."""
        with tf.GradientTape() as tape:
            output = autoencoder(batch, training=True)
            loss = tf.cast(loss_fn(batch, output), tf.float32)
        gradients = tape.gradient(loss, weights)
        step.assign_add(1)
        t = tf.cast(step, tf.float32)
        alpha = learning_rate * tf.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        for w, g, m, v in zip(weights, gradients, m_estimates, v_estimates, strict=True):
            m.assign_add((g - m) * (1 - beta_1))
            v.assign_add((tf.square(g) - v) * (1 - beta_2))
            w.assign_sub(m * alpha / (tf.sqrt(v) + epsilon))
        return loss * batch.shape[0]

    def train_epoch(epoch: tf.Tensor, learning_rate: tf.Tensor) -> tf.Tensor:
        """Shuffle, run every mini-batch once, and return the epoch's mean loss."""
        order = tf.argsort(tf.random.stateless_uniform([n_items], seed=[int(seed), epoch]))
        shuffled = tf.gather(data, order)
        total = tf.constant(0.0)
        if n_full:
            full = tf.reshape(shuffled[: n_full * batch_size], [n_full, batch_size, n_inputs])
            _, total = tf.while_loop(
                lambda i, _: i < n_full,
                lambda i, total: (i + 1, total + train_step(full[i], learning_rate)),
                (tf.constant(0), total),
            )
        if n_rest:
            total += train_step(shuffled[n_full * batch_size :], learning_rate)
        return total / n_items

    # Trace once, up front, into a graph that XLA compiles on its first call.
    train_epoch = tf.function(train_epoch, jit_compile=True).get_concrete_function(
        tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.float32)
    )
    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, model=autoencoder, epochs=epochs,
        steps=math.ceil(n_items / batch_size), verbose=0,
    )
    if verbose == "auto" and os.environ.get("AUTOENC_VERBOSE", "").strip() == "0":
        verbose = 0
    progress = _Progress(epochs, time.perf_counter()) if verbose == 1 else None
    second_epoch_start = None
    autoencoder.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] | None = None
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        learning_rate = 0.001 if optimizer is None else float(optimizer.learning_rate)
        if not (math.isfinite(learning_rate) and learning_rate >= 0):
            raise ValueError(f"epoch {epoch}: the learning rate is {learning_rate}")
        loss = float(train_epoch(tf.constant(epoch, tf.int64),
                                 tf.constant(learning_rate, tf.float32)))
        logs = {"loss": loss}
        now = time.perf_counter()
        if epoch == 0:
            second_epoch_start = now
            start_all = progress.start if progress else now
        elif verbose == "auto" and progress is None and second_epoch_start is not None:
            per_epoch = (now - second_epoch_start) / epoch  # the first epoch also compiled
            if (now - start_all) + per_epoch * (epochs - epoch - 1) > PROGRESS_AFTER_SECONDS:
                progress = _Progress(epochs, start_all)
        if progress is not None:
            progress.update(epoch + 1, loss, now, last=epoch == epochs - 1)
        callback_list.on_epoch_end(epoch, logs)
        if autoencoder.stop_training:
            break
    if progress is not None and progress.shown_any and epoch < epochs - 1:
        progress.update(epoch + 1, loss, time.perf_counter(), last=True)
    callback_list.on_train_end(logs)
    return autoencoder.history


def _damage_in(path: Path, expected: keras.Model) -> tuple[keras.Model | None, str]:
    """Load a cached model; return ``(model, "")``, or ``(None, what is wrong with the file)``."""
    import zipfile

    import keras

    size = path.stat().st_size
    if size == 0:
        return None, "it is empty (0 bytes)"
    if not zipfile.is_zipfile(path):
        return None, f"it is not a .keras (zip) file ({size} bytes; truncated or overwritten?)"
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
        if broken is not None:
            return None, f"its part {broken!r} is corrupt"
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - any failure to load means a damaged cache
        return None, f"Keras cannot load it ({type(error).__name__}: {str(error)[:200]})"
    got = [tuple(w.shape) for w in model.weights]
    want = [tuple(w.shape) for w in expected.weights]
    if got != want or model.input_shape != expected.input_shape:
        return None, f"it holds another architecture (weight shapes {got}, expected {want})"
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        return None, "its weights contain NaN or infinite values"
    return model, ""


def get_trained_book_model(
    epochs: int = 500, seed: int = 1
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Return the book's trained ``(autoencoder, encoder, decoder)``, training it only once.

    The book's model is ``build_autoencoder(seed=seed)`` (64-32-2-32-64, sigmoid) trained by
    ``train_autoencoder`` for ``epochs`` epochs after ``keras.utils.set_random_seed(seed)`` on
    the 1,797 digits. It is saved as ``MODELS_DIR / "book_autoencoder_e{epochs}_s{seed}.keras"``;
    when that file exists it is loaded instead of trained. Either way the model returned is the
    one loaded from that file, it prints nothing, and it leaves Keras's global random generators
    (Python, NumPy, TensorFlow) freshly seeded with ``seed``, so the code after it behaves the
    same whether or not the file existed (notebooks may run in any order).

    A damaged file (empty, truncated, not a .keras zip, unreadable by Keras, another
    architecture, NaN weights) is never used: a ``UserWarning`` names the file and what is
    wrong, and the model is retrained and the file replaced. The file is written under a
    temporary name in the same folder and renamed into place (``os.replace``), so a crash
    mid-write never leaves a file at the final path; the temporary file is removed on error.
    Delete the file to retrain. Raises ``ValueError`` for an ``epochs`` below 1.
    """
    import keras

    epochs = _check_count("epochs", epochs)
    path = Path(MODELS_DIR) / f"book_autoencoder_e{epochs}_s{seed}.keras"
    if path.is_file():
        keras.utils.set_random_seed(seed)
        model, damage = _damage_in(path, build_autoencoder(seed=seed)[0])
        if model is not None:
            keras.utils.set_random_seed(seed)
            encoder, decoder = split_autoencoder(model)
            return model, encoder, decoder
        warnings.warn(
            f"the cached model {path} is damaged: {damage}. Retraining it ({epochs} epochs) "
            "and replacing the file", UserWarning, stacklevel=2,
        )
    keras.utils.set_random_seed(seed)
    autoencoder, encoder, decoder = build_autoencoder(seed=seed)
    train_autoencoder(autoencoder, load_digits_file()[0], epochs=epochs, seed=seed, verbose=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Save under a temporary name, then rename: a reader never sees a half-written file.
    partial = path.with_name(f"{path.stem}.partial-{os.getpid()}.keras")
    try:
        autoencoder.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    # Return the model as loaded from the file, as every later call does: a freshly built model
    # differs from a loaded one in details that show (its saved config marks the dtype policy
    # its layers share), and a notebook must print the same whether or not the file existed.
    autoencoder = keras.models.load_model(path)
    encoder, decoder = split_autoencoder(autoencoder)
    keras.utils.set_random_seed(seed)
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
    ``labels``: shape (n,), one per item. Raises ``ValueError`` for arrays of other shapes
    or lengths (scikit-learn raises for a class with fewer than ``folds`` items).
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
    ``labels``: shape (n,). Raises ``ValueError`` for labels of another shape (and
    scikit-learn's for a class with a single item).
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
    Points: shape (n, d) with the same d for both; labels: shape (n,). Returns a float in
    [0, 1]. Raises ``ValueError`` for mismatched shapes or lengths.
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
# A parametric map that places new digits as well as t-SNE does
# --------------------------------------------------------------------------------------------


def tsne_targets(
    pixels: np.ndarray, perplexity: float = 30.0, seed: int = 0, init: str = "random"
) -> np.ndarray:
    """Return a scikit-learn t-SNE map of ``pixels`` (n, d): float32 points of shape (n, 2).

    ``seed`` seeds the random start (``init="random"``); ``init="pca"`` starts from the first
    two principal components, and scikit-learn's t-SNE then gives the same map for every seed.
    """
    from sklearn.manifold import TSNE

    data = _check_map_inputs(pixels=pixels)["pixels"].astype(np.float64)  # t-SNE in float64
    tsne = TSNE(n_components=2, perplexity=perplexity, init=init, random_state=seed)
    return tsne.fit_transform(data).astype(np.float32)


def build_neighbour_map(
    train_pixels: np.ndarray, train_points: np.ndarray, temperature: float = 0.05
) -> keras.Model:
    """An encoder that places any digit at the soft average of its nearest training digits' points.

    The network is 64 -> n_train (softmax) -> 2, built from standard Keras layers with weights
    written in closed form, no gradient descent. Hidden unit j scores training digit j by
    ``-|x - x_j|^2 / temperature``; the softmax turns the scores into weights that sum to 1 and
    fall on the nearest training digits; the output layer returns the weighted average of their
    points. The identity that makes this a Dense layer: ``-|x - x_j|^2 = 2 x.x_j - |x_j|^2 -
    |x|^2``, and the last term is the same for every j, so the softmax ignores it. A training
    digit is placed (almost exactly) at its own point; a new digit among its neighbours. A small
    ``temperature`` (in squared pixel distance, pixels in [0, 1]) trusts the nearest few.
    This is kernel t-SNE (Gisbrecht, Schulz and Hammer 2015) with a softmax kernel, and the
    soft form of how openTSNE's ``transform`` starts a new point.
    """
    import keras

    checked = _check_map_inputs(train_pixels=train_pixels, train_points=train_points)
    keys = checked["train_pixels"].astype(np.float64)
    values = checked["train_points"].astype(np.float32)
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    n_train, n_inputs = keys.shape
    inputs = keras.Input(shape=(n_inputs,), name="pixels")
    scores = keras.layers.Dense(n_train, activation="softmax", name="neighbour_weights")
    place = keras.layers.Dense(values.shape[1], use_bias=False, name="map_position")
    encoder = keras.Model(inputs, place(scores(inputs)), name="neighbour_map")
    scores.set_weights([
        (2.0 * keys.T / temperature).astype(np.float32),
        (-(keys**2).sum(axis=1) / temperature).astype(np.float32),
    ])
    place.set_weights([values])
    return encoder


def fit_parametric_map(
    train_pixels: np.ndarray,
    perplexity: float = 30.0,
    temperature: float = 0.05,
    seed: int = 0,
) -> keras.Model:
    """The series' best parametric map: t-SNE of the training digits, then an encoder for it.

    Runs ``tsne_targets(train_pixels, perplexity, seed)`` (a few seconds for 1,257 digits) and
    returns ``build_neighbour_map(train_pixels, points, temperature)``, an encoder that places
    any new digit in one forward pass. On ``heldout_split(labels, seed=0)`` of the 1,797
    digits it reaches held-out 5-NN accuracy of about 0.978 and trustworthiness of about 0.993
    (``benchmarks/map_quality.py`` measures it).
    """
    points = tsne_targets(train_pixels, perplexity=perplexity, seed=seed)
    return build_neighbour_map(train_pixels, points, temperature=temperature)


# --------------------------------------------------------------------------------------------
# Loading your own table (CSV with a header row)
# --------------------------------------------------------------------------------------------


def _header_problem(
    path: Path, names: list[str], next_row: list[str] | None, delimiter: str
) -> str | None:
    """Say why the first line cannot be the header row, or return None when it can."""
    shown = delimiter.join(names)
    if re.fullmatch(r"sep=.", shown.strip()):
        return (
            f"{path}, line 1: {shown.strip()!r} is Excel's delimiter line, not a header: delete "
            f"that line (and pass delimiter={shown.strip()[-1]!r} if it is not a comma)"
        )
    if len(names) == 1:
        others = [(d, label) for d, label in ((";", "';'"), ("\t", "'\\t'"), (",", "','"),
                                              ("|", "'|'")) if d != delimiter and d in names[0]]
        if others:
            found, spelled = others[0]
            return (
                f"{path}, line 1: the header is one single column {names[0]!r} that holds "
                f"{spelled}: the file is probably separated by {spelled}, not by "
                f"{delimiter!r}; pass delimiter={spelled}"
            )
    numeric = [bool(_NUMBER.fullmatch(name)) for name in names]
    if not any(numeric):
        return None
    below = None if next_row is None else [
        bool(_NUMBER.fullmatch(field.strip())) for field in next_row]
    if all(numeric) or numeric == below:
        return (
            f"{path}, line 1: the first line {shown!r} looks like data, not a header: "
            "load_table needs a first line that names the columns (such as 'x1,x2,label'), "
            "so that no row is mistaken for names. Add such a line to the file; if line 1 "
            "really is the header, give its columns names that are not plain numbers"
        )
    return None


def _labels_from_tokens(
    tokens: Sequence[str], line_of: Any, where: str
) -> np.ndarray:
    """Turn label strings (stripped, as written) into the label array; see ``load_table``.

    ``line_of(i)`` gives the file line of label ``i``; ``where`` starts every message.
    """
    first: dict[str, int] = {}
    for i, token in enumerate(tokens):
        first.setdefault(token, i)
    spellings = list(first)
    if all(_CANONICAL_INT.fullmatch(s) for s in spellings):
        for s in spellings:
            if not _INT64.min <= int(s) <= _INT64.max:
                raise ValueError(
                    f"{where}, line {line_of(first[s])}: label {s!r} is a whole number too large "
                    "for a 64-bit integer; labels that are whole numbers must lie within "
                    f"{_INT64.min} to {_INT64.max} (or write them as text, e.g. with a letter)"
                )
        return np.array([int(t) for t in tokens], dtype=np.int64)
    from decimal import Decimal

    same_number: dict[Decimal, str] = {}
    for s in spellings:
        if _NUMBER.fullmatch(s):
            value = Decimal(s)
            if value in same_number:
                other = same_number[value]
                raise ValueError(
                    f"{where}: labels {other!r} (line {line_of(first[other])}) and {s!r} (line "
                    f"{line_of(first[s])}) are different spellings of the same number; "
                    "load_table keeps labels exactly as written, so they would be two classes. "
                    "Write each label one way throughout the file"
                )
            same_number[value] = s
    return np.array(tokens, dtype=str)


def _read_table_exact(
    path: Path, text: str, delimiter: str, names: list[str], label_index: int | None,
    feature_cols: list[int], ignored_col: int | None,
) -> tuple[np.ndarray, list[str], list[int]]:
    """Read every row with the ``csv`` module and check every field: slow, exact messages.

    Returns ``(values, label_tokens, line_numbers)``; raises ``ValueError`` at the first
    problem, naming the file, line, column and value.
    """
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        rows.append((reader.line_num, row))
    rows = rows[1:]
    if not rows:
        raise ValueError(f"{path}: the file has a header but no data rows")
    label_name = None if label_index is None else names[label_index]

    def text_share(col: int) -> float:
        """The share of rows whose field in column ``col`` is not a number."""
        cells = [row[col].strip() for _, row in rows if len(row) > col]
        return sum(not _NUMBER.fullmatch(c) for c in cells) / max(len(cells), 1)

    values = np.empty((len(rows), len(feature_cols)), dtype=np.float64)
    label_tokens: list[str] = []
    for index, (line_no, row) in enumerate(rows):
        if not row or (len(row) == 1 and not row[0].strip() and len(names) > 1):
            raise ValueError(f"{path}, line {line_no}: empty line")
        if ignored_col is not None and len(row) == len(names) - 1:
            row = [*row, ""]  # this row lacks the empty trailing column: nothing is lost
        if len(row) != len(names):
            raise ValueError(
                f"{path}, line {line_no}: expected {len(names)} fields (as in the header), "
                f"found {len(row)}"
            )
        if ignored_col is not None and row[ignored_col].strip():
            raise ValueError(
                f"{path}, line {line_no}, column {ignored_col + 1}: value "
                f"{row[ignored_col].strip()!r} in a column that has no name in the header"
            )
        for j, col in enumerate(feature_cols):
            where = f"{path}, line {line_no}, column {col + 1} ({names[col]!r})"
            token = row[col].strip()
            if _NUMBER.fullmatch(token):
                values[index, j] = _parse_number(token, where)
                continue
            hint = ""
            if text_share(col) >= 0.5 and not _NUMBER.fullmatch(names[col]):
                hint = (f"; if this column holds labels, pass label_column={names[col]!r}"
                        if label_name is None else
                        f"; column {names[col]!r} holds text in most rows, but only one column "
                        f"can be the labels ({label_name!r}): remove it from the file")
            _parse_number(token, where, hint)  # raises with the reason
        if label_index is not None:
            label = row[label_index].strip()
            if not label:
                raise ValueError(
                    f"{path}, line {line_no}, column {label_index + 1} ({label_name!r}): "
                    "missing label (empty field)"
                )
            label_tokens.append(label)
    return values, label_tokens, [line_no for line_no, _ in rows]


def _read_table_fast(
    path: Path, delimiter: str, n_columns: int, label_index: int | None,
    feature_cols: list[int], ignored_col: int | None, n_rows: int,
) -> tuple[np.ndarray, list[str]] | None:
    """Read the data rows with pandas' C parser; None when anything needs a closer look.

    Returns ``(values, label_tokens)`` only when every row has every field, every feature is
    a finite number in ``_NUMBER``'s syntax and every label is non-empty; the exact reader then
    agrees. Otherwise returns None, and the caller re-reads the file exactly for the message.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in requirements.txt
        return None
    text_cols = [c for c in (label_index, ignored_col) if c is not None]
    dtypes: dict[int, Any] = {c: np.float64 for c in feature_cols}
    dtypes.update({c: str for c in text_cols})
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first row has more fields than the header, and drops
            # them: let that stop the fast reader like every other irregularity.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path, sep=delimiter, header=None, skiprows=1, names=list(range(n_columns)),
                dtype=dtypes, na_filter=False, skip_blank_lines=False, encoding="utf-8-sig",
                quotechar='"', engine="c", comment=None, index_col=False,
            )
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError,
            OverflowError):
        return None
    if len(frame) != n_rows:
        return None
    values = frame[feature_cols].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    tokens: list[str] = []
    if label_index is not None:
        tokens = [t.strip() for t in frame[label_index].tolist()]
        if not all(tokens):
            return None
    if ignored_col is not None and any(t.strip() for t in frame[ignored_col].tolist()):
        return None
    return values, tokens


def load_table(
    path: str | Path, label_column: str | None = None, delimiter: str = ","
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Read a CSV file with a header row and return ``(features, labels, feature_names)``.

    ``features`` is float32 of shape (rows, features), scaled to [0, 1] column by column
    (min-max: the smallest value becomes 0, the largest 1); a column whose values are all equal
    becomes all zeros. ``feature_names`` lists the feature columns in file order. ``labels`` has
    shape (rows,), or is None when ``label_column`` is None.

    The file: UTF-8 text (Excel: "CSV UTF-8"; a byte-order mark is accepted), Windows or Unix
    line endings, a final newline or none. Line 1 names the columns; every later line is one
    row, fields separated by ``delimiter`` (one character: ``","``, ``";"``, ``"\\t"``...).
    Fields may be quoted (``"1.5"``; a quoted field may hold the delimiter or a line break)
    and are stripped of surrounding spaces. ``label_column`` (a column name) holds the labels;
    every other column is a feature and must hold numbers as people write them: ``-1``,
    ``2.5``, ``.5``, ``1e-3`` (not ``1_000``, ``1,5``, ``nan``, ``inf`` or a value beyond the
    float64 range). An Excel export whose every line ends with the delimiter (a last column
    with no name and no values) is accepted; that empty column is ignored.

    The label rule: labels are the exact strings written (after stripping spaces and quotes),
    so no two spellings are ever merged into one class, unless every label is a whole number
    written the plain way (``0``, ``7``, ``-3``, ``42``: no ``+``, no leading zero, no decimal
    point), in which case ``labels`` is int64. Otherwise ``labels`` is a str array. Zero-padded
    ids such as ``007``, ``008`` stay text. Two spellings of the same number in one column (``1``
    and ``1.0``, ``01`` and ``1``, ``007`` and ``7``) raise ``ValueError`` naming both spellings
    and their lines, since keeping them apart would split a class and merging them would guess.

    Raises ``FileNotFoundError`` for a missing file, and ``ValueError`` naming the file, the
    line, the column (number and name) and the value for anything else: a file that is not
    UTF-8 (with how to re-save it), an empty file or one with only a header, a first line
    that looks like data rather than column names, a header that is one column holding
    ``;`` or a tab (it says which ``delimiter`` to pass), an empty line, a row with the wrong
    number of fields, an empty field, a feature value that is not a number as above, a column
    without a name, duplicate column names, a ``label_column`` that is not in the header (the
    message lists the columns), a label problem as above. Nothing is skipped silently.

    Speed: NumPy-like. pandas' C parser reads the rows; only when it meets something odd does
    the slow, exact reader run, to name the problem. A 50,000 x 100 table loads within a few
    times ``np.loadtxt``'s time and memory (``benchmarks/load_speed.py`` measures it).
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character (not a quote or line break), "
                         f"got {delimiter!r}")
    text = _read_text(path, "CSV file")
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    first_lines = text.split("\n", 2)
    header = next(csv.reader([first_lines[0].rstrip("\r")], delimiter=delimiter))
    second = None
    if len(first_lines) > 1 and first_lines[1].strip():
        second = next(csv.reader([first_lines[1].rstrip("\r")], delimiter=delimiter))
    names = [name.strip() for name in header]
    problem = _header_problem(path, names, second, delimiter)
    if problem:
        raise ValueError(problem)
    ignored_col = None
    if len(names) > 1 and not names[-1] and all(names[:-1]):
        ignored_col = len(names) - 1  # an Excel export's trailing delimiter; checked empty below
    for col, name in enumerate(names, start=1):
        if not name and col - 1 != ignored_col:
            raise ValueError(f"{path}, line 1, column {col}: column has no name")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ValueError(f"{path}: duplicate column names in the header: {repeated}")
    if label_column is not None and label_column not in names:
        shown = [name for name in names if name]
        raise ValueError(f"{path}: no column named {label_column!r}; the columns are {shown}")
    label_index = None if label_column is None else names.index(label_column)
    feature_cols = [i for i in range(len(names)) if i not in (label_index, ignored_col)]
    if not feature_cols:
        raise ValueError(f"{path}: no feature columns (only the label column {label_column!r})")

    simple = '"' not in text and text.count("\r") == text.count("\r\n")
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    del text, first_lines  # the fast reader reads the file itself; keep memory low
    fast = None
    if simple and n_lines > 1:
        fast = _read_table_fast(path, delimiter, len(names), label_index, feature_cols,
                                ignored_col, n_lines - 1)
    if fast is not None:
        values, tokens = fast
        line_numbers = None
    else:
        values, tokens, line_numbers = _read_table_exact(
            path, _read_text(path, "CSV file"), delimiter, names, label_index, feature_cols,
            ignored_col)

    labels: np.ndarray | None = None
    if label_index is not None:
        def line_of(i: int) -> int:
            return i + 2 if line_numbers is None else line_numbers[i]

        labels = _labels_from_tokens(tokens, line_of, f"{path}, column {label_index + 1} "
                                     f"({label_column!r})")
    low, high = values.min(axis=0), values.max(axis=0)
    with np.errstate(over="ignore"):  # an overflow is reported just below
        span = high - low
    if not np.isfinite(span).all():
        col = feature_cols[int(np.flatnonzero(~np.isfinite(span))[0])]
        raise ValueError(f"{path}, column {col + 1} ({names[col]!r}): the values span more than "
                         "the float64 range, so they cannot be scaled to [0, 1]")
    span[span == 0] = 1.0
    features = np.empty(values.shape, dtype=np.float32)
    for start in range(0, len(values), 4096):  # in blocks: no full-size float64 temporaries
        block = values[start : start + 4096]
        features[start : start + 4096] = (block - low) / span
    del values
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


# --------------------------------------------------------------------------------------------
# Watching the map form, and asking why a digit is where it is (issue 22; machinery in
# _autoenc/explorers.py)
# --------------------------------------------------------------------------------------------

_getattr_before_explorers = __getattr__


def __getattr__(name: str) -> Any:  # noqa: F811 - extends the lazy classes above
    """Create ``MapRecorder`` (a Keras callback) the first time it is asked for.

    Taught in 04; used in benchmarks/recording_overhead.py. ``MapRecorder(encoder, data,
    every=10)`` keeps the 2-D codes of all ``data`` rows ((n, inputs) floats) before training
    and every ``every`` epochs, with ``fit`` and ``train_autoencoder`` alike. Afterwards
    ``.epochs`` (epochs completed; 0 = untrained), ``.losses`` and ``.maps`` ((snapshots, n, 2)
    float32). Raises ``ValueError`` for ``every`` < 1, data of the wrong width or an encoder
    whose output is not 2-D.
    """
    if name == "MapRecorder":
        if name not in _LAZY:
            from _autoenc.explorers import make_map_recorder

            _LAZY[name] = make_map_recorder()
        return _LAZY[name]
    return _getattr_before_explorers(name)


def animate_map(recording: Any, labels: Sequence[Any] | np.ndarray, max_frames: int = 40,
                interval_ms: int = 250) -> Any:
    """The map forming: an animation of a ``MapRecorder``'s snapshots, ready to display.

    Taught in 04. ``recording``: a ``MapRecorder`` after training, or a tuple ``(epochs,
    losses, maps)`` with maps of shape (snapshots, n, 2); ``labels``: n class labels,
    coloured as in ``plot_embedding``. At most ``max_frames`` snapshots (denser early on,
    first and last always in), ``interval_ms`` milliseconds each; the axes hold every snapshot and
    never move, and the title gives the epoch and the loss. Returns ``IPython.display.HTML``:
    matplotlib's JavaScript player with the frames inlined as PNG, so it plays in JupyterLab
    and in the built site with no network. Raises ``ValueError`` for no snapshots, NaN codes,
    labels of the wrong length or ``max_frames`` < 2.
    """
    from IPython.display import HTML

    from _autoenc.explorers import animate_map as animate

    return HTML(animate(recording, labels, max_frames=max_frames, interval_ms=interval_ms))


def plot_map_snapshots(recording: Any, labels: Sequence[Any] | np.ndarray,
                       epochs: Sequence[int] = (0, 5, 20, 100, 500)) -> Figure:
    """The map forming, as small multiples: one recorded map per epoch in ``epochs``.

    Taught in 04 (the static version of ``animate_map``, for readers without JavaScript).
    Inputs as for ``animate_map``; every panel has the same axes and gives the epoch and the
    loss. Returns the matplotlib ``Figure``. Raises ``ValueError`` naming the epochs that were
    not recorded (and those that were).
    """
    from _autoenc.explorers import plot_map_snapshots as snapshots

    return snapshots(recording, labels, epochs=epochs)


def why_here_explorer(encoder: keras.Model, decoder: keras.Model, pixels: np.ndarray,
                      labels: Sequence[Any] | np.ndarray, k: int = 5) -> Any:
    """"Why is this digit here?": a bokeh map that answers where the pointer is.

    Taught in 08. ``encoder``/``decoder`` from ``build_autoencoder``/``split_autoencoder``
    (2-D codes; Dense layers with activations in ``_autoenc.explorers.JS_ACTIVATIONS``);
    ``pixels``: (n, 64) floats in the units the model was trained on; ``labels``: n labels,
    coloured as in ``plot_embedding``. Pointing at an empty place shows the 8x8 picture the
    decoder draws there (computed in the browser from the decoder's weights, so it is live
    without a kernel or network). Pointing at a digit shows it, its reconstruction, its ``k``
    nearest digits in the 64 pixel values (red: not among its ``k`` nearest on the map) and
    its ``k`` nearest on the map (orange: not among its ``k`` nearest in pixels), with lines
    on the map. Show it with
    ``show_interactive``; ``plot_why_here`` is the static version. Raises ``ValueError`` for
    inputs of the wrong shape, ``k`` out of range, or a layer the browser cannot compute.
    """
    from _autoenc.explorers import why_here_explorer as explorer

    return explorer(encoder, decoder, pixels, labels, k=k)


def plot_why_here(encoder: keras.Model, decoder: keras.Model, pixels: np.ndarray,
                  labels: Sequence[Any] | np.ndarray, item: int, k: int = 5) -> Figure:
    """The static version of ``why_here_explorer`` for one digit (row ``item``).

    Taught in 08; inputs as for ``why_here_explorer``. Left: the map with lines from the digit
    to its ``k`` nearest neighbours (green: among the nearest in pixels and on the map; red:
    in pixels only, separated by the map; orange: on the map only, joined by it). Right: the
    digit, its reconstruction and both rows of neighbours, framed in the same colours.
    Returns the ``Figure``; raises ``ValueError`` for an ``item`` that is not a row number.
    """
    from _autoenc.explorers import plot_why_here as why_here

    return why_here(encoder, decoder, pixels, labels, item=item, k=k)
