"""Machinery behind the map explorers of issue 22: the map recorder, its animation and
small multiples, and the "why is this digit here?" explorer.

Private: learners read the short public functions in ``autoenc_helpers.py`` (``MapRecorder``,
``animate_map``, ``plot_map_snapshots``, ``why_here_explorer``, ``plot_why_here``).
Keras, matplotlib and bokeh are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

# Activations the explorer's JavaScript decoder implements (Keras's definitions).
JS_ACTIVATIONS = ("linear", "sigmoid", "relu", "tanh", "selu", "elu", "softplus")


# --------------------------------------------------------------------------------------------
# Recording the map while training
# --------------------------------------------------------------------------------------------


@functools.cache
def make_map_recorder() -> type:
    """Define ``MapRecorder`` (a Keras callback) on first use, so importing stays Keras-free."""
    import keras

    import autoenc_helpers as ah

    class MapRecorder(keras.callbacks.Callback):
        """Keep the 2-D codes of all ``data`` rows before training and every ``every`` epochs.
        Taught in 04.

        ``encoder``: the model that maps (n, inputs) to (n, 2); ``data``: (n, inputs) array
        (converted to float32 once). After training, ``epochs`` lists the epochs completed at
        each snapshot (0 = before training, then every, 2*every, ... and the last epoch),
        ``losses`` the training loss at each (at 0: the mean squared error of the untrained
        model on ``data``) and ``maps`` the snapshots as a (snapshots, n, 2) float32 array.
        Raises ``ValueError`` for ``every`` below 1, data of the wrong width, or an encoder
        whose output is not 2-D.
        """

        def __init__(self, encoder: Any, data: np.ndarray, every: int = 10) -> None:
            super().__init__()
            if isinstance(every, bool) or not isinstance(every, int | np.integer) or every < 1:
                raise ValueError(f"every must be a whole number of at least 1, got {every!r}")
            if encoder.output_shape[-1] != 2:
                raise ValueError(f"the encoder must output 2 numbers per row (a map), not "
                                 f"{encoder.output_shape[-1]}")
            self.encoder = encoder
            self.data = np.asarray(data, dtype=np.float32)
            width = encoder.input_shape[-1]
            if self.data.ndim != 2 or self.data.shape[1] != width:
                raise ValueError(f"data must have shape (n, {width}) for this encoder, got "
                                 f"{self.data.shape}")
            self.every = int(every)
            self.epochs: list[int] = []
            self.losses: list[float] = []
            self._maps: list[np.ndarray] = []

        @property
        def maps(self) -> np.ndarray:
            if not self._maps:
                return np.empty((0, len(self.data), 2), dtype=np.float32)
            return np.stack(self._maps)

        def _record(self, epochs_done: int, loss: float) -> None:
            self.epochs.append(epochs_done)
            self.losses.append(float(loss))
            self._maps.append(ah.encode(self.encoder, self.data))

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self.epochs, self.losses, self._maps = [], [], []
            output = ah.encode(self.model, self.data) if self.model is not None else None
            loss = float(np.mean((output - self.data) ** 2)) if output is not None and (
                output.shape == self.data.shape) else float("nan")
            self._record(0, loss)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            done = epoch + 1
            last = self.params.get("epochs", 0) if self.params else 0
            if done % self.every == 0 or done == last:
                self._record(done, logs.get("loss", float("nan")))

        def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
            # Stopped early (e.g. EarlyStopping): keep the last map too.
            if self.model is not None and getattr(self.model, "stop_training", False):
                done = len(self.model.history.epoch) if getattr(
                    self.model, "history", None) else None
                if done and done != self.epochs[-1]:
                    self._record(done, (logs or {}).get("loss", float("nan")))

    MapRecorder.__module__ = "autoenc_helpers"
    MapRecorder.__qualname__ = "MapRecorder"
    return MapRecorder


def snapshots_of(recording: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(epochs (k,) int, losses (k,) float, maps (k, n, 2) float)`` from a
    ``MapRecorder`` or a tuple of the three; raise ``ValueError`` if they do not fit."""
    if isinstance(recording, tuple) and len(recording) == 3:
        epochs, losses, maps = recording
    else:
        try:
            epochs, losses, maps = recording.epochs, recording.losses, recording.maps
        except AttributeError:
            raise ValueError("expected a MapRecorder (after training) or a tuple "
                             f"(epochs, losses, maps), got {type(recording).__name__}") from None
    epochs = np.asarray(epochs, dtype=int)
    losses = np.asarray(losses, dtype=float)
    maps = np.asarray(maps, dtype=float)
    if len(epochs) == 0:
        raise ValueError("no snapshots recorded: train with the MapRecorder among the callbacks")
    if maps.ndim != 3 or maps.shape[2] != 2 or len(maps) != len(epochs) or len(losses) != len(
            epochs):
        raise ValueError(f"got {len(epochs)} epochs, {len(losses)} losses and maps of shape "
                         f"{maps.shape}; expected (snapshots, n, 2) with one per epoch")
    if not np.isfinite(maps).all():
        raise ValueError("a recorded map contains NaN or infinite codes (did the loss become "
                         "NaN?); they cannot be drawn")
    return epochs, losses, maps


def _fixed_limits(maps: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis limits that hold every snapshot, with 5 % padding: the axes never move."""
    low, high = maps.reshape(-1, 2).min(axis=0), maps.reshape(-1, 2).max(axis=0)
    pad = np.where(high > low, (high - low) * 0.05, 0.5)
    return (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1])


def _caption(epoch: int, loss: float) -> str:
    loss_text = "loss not known" if not np.isfinite(loss) else f"loss {loss:.4f}"
    return f"after {epoch} epochs · {loss_text}"


def animate_map(recording: Any, labels: Any, max_frames: int = 40,
                interval_ms: int = 250) -> Any:
    """The map forming: an animation of a ``MapRecorder``'s snapshots, ready to display.

    Taught in 04. ``recording``: a ``MapRecorder`` after training, or a tuple ``(epochs,
    losses, maps)`` with maps of shape (snapshots, n, 2); ``labels``: n class labels,
    coloured as in ``plot_embedding``. At most ``max_frames`` snapshots (denser early on,
    first and last always in), ``interval_ms`` milliseconds each; the axes hold every snapshot
    and never move, and the title gives the epoch and the loss. Returns ``IPython.display.HTML``:
    matplotlib's JavaScript player with the frames inlined as PNG, so it plays in JupyterLab
    and in the built site with no network. Raises ``ValueError`` for no snapshots, NaN codes,
    labels of the wrong length or ``max_frames`` < 2.
    """
    from IPython.display import HTML

    return HTML(animation_html(recording, labels, max_frames=max_frames,
                               interval_ms=interval_ms))


def animation_html(recording: Any, labels: Any, max_frames: int = 40, interval_ms: int = 250,
                   figsize: tuple[float, float] = (5.6, 4.4), dpi: int = 72) -> str:
    """Return the HTML (JavaScript player, frames inlined as PNG) of the map forming."""
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    import autoenc_helpers as ah
    from autoenc_notebook import crisp_scatters

    epochs, losses, maps = snapshots_of(recording)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != maps.shape[1]:
        raise ValueError(f"got {maps.shape[1]} points per map but labels of shape "
                         f"{labels.shape}")
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}")
    # All snapshots if they fit; else denser early on, where the map moves most (evenly
    # spaced on a square-root scale).
    frames = np.arange(len(epochs)) if len(epochs) <= max_frames else np.unique(
        (np.linspace(0, 1, max_frames) ** 2 * (len(epochs) - 1)).round().astype(int))
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    ah.plot_embedding(maps[0], labels, ax=ax, s=6)
    scatter = ax.collections[0]
    xlim, ylim = _fixed_limits(maps)
    ax.set(xlim=xlim, ylim=ylim)
    title = ax.set_title(_caption(epochs[0], losses[0]))

    def draw(frame: int) -> tuple[Any, ...]:
        scatter.set_offsets(maps[frame])
        title.set_text(_caption(epochs[frame], losses[frame]))
        return scatter, title

    crisp_scatters(fig)  # as the notebooks' figures: crisp dots compress far better
    animation = FuncAnimation(fig, draw, frames=list(frames), interval=interval_ms, blit=False)
    with matplotlib.rc_context({"savefig.dpi": dpi, "animation.frame_format": "png"}):
        html = animation.to_jshtml(default_mode="once")
    plt.close(fig)
    return offline_player(_FRAME.sub(_compact_frame, html))


_FRAME = re.compile(r'"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"')


def _compact_frame(match: re.Match[str]) -> str:
    """One frame of the player, re-encoded with at most 256 colours (as the notebooks' PNGs)."""
    import base64
    import io

    from PIL import Image

    from autoenc_notebook import MAX_COLOURS

    raw = base64.b64decode(match.group(1).replace("\\\n", ""))
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    small = io.BytesIO()
    image.quantize(MAX_COLOURS, method=Image.Quantize.MAXCOVERAGE,
                   dither=Image.Dither.NONE).save(small, format="png", optimize=True)
    return '"data:image/png;base64,' + base64.b64encode(small.getvalue()).decode("ascii") + '"'


_FONT_AWESOME = re.compile(r'<link rel="stylesheet"\s*href="https://[^"]*font-awesome[^"]*">')
# The player's buttons use Font Awesome icons fetched from a CDN; draw them with plain
# symbols that every font has (triangles and bars) instead, so the player needs no network.
_ICONS_CSS = """<style>
.anim-buttons .fa { font-style: normal; font-family: sans-serif; font-weight: bold; }
.anim-buttons .fa-minus:before { content: "\\2212"; }
.anim-buttons .fa-plus:before { content: "+"; }
.anim-buttons .fa-fast-backward:before { content: "|\\25C0\\FE0E\\25C0\\FE0E"; }
.anim-buttons .fa-step-backward:before { content: "|\\25C0\\FE0E"; }
.anim-buttons .fa-play:before { content: "\\25B6\\FE0E"; }
.anim-buttons .fa-flip-horizontal { display: inline-block; transform: scaleX(-1); }
.anim-buttons .fa-pause:before { content: "| |"; }
.anim-buttons .fa-step-forward:before { content: "\\25B6\\FE0E|"; }
.anim-buttons .fa-fast-forward:before { content: "\\25B6\\FE0E\\25B6\\FE0E|"; }
</style>"""


def offline_player(html: str) -> str:
    """matplotlib's JavaScript player without its one network fetch (the icon font), and with
    alt text on its image. Raises ``RuntimeError`` if matplotlib's template changed."""
    html, found = _FONT_AWESOME.subn(lambda _: _ICONS_CSS, html)
    if found != 1 or '<img id="_anim_img' not in html:
        raise RuntimeError("matplotlib's animation player changed; update offline_player")
    return html.replace('<img id="_anim_img', '<img alt="the map of the digits at one recorded '
                        'epoch; the title gives the epoch and the loss" id="_anim_img', 1)


def plot_map_snapshots(recording: Any, labels: Any, epochs: Sequence[int] = (0, 5, 20, 100, 500),
                       size: float = 2.6) -> Any:
    """The map forming, as small multiples: one recorded map per epoch in ``epochs``.

    Taught in 04 (the static version of ``animate_map``, for readers without JavaScript).
    Inputs as for ``animate_map``; every panel has the same axes and gives the epoch and the
    loss. Returns the matplotlib ``Figure``. Raises ``ValueError`` naming the epochs that were
    not recorded (and those that were).
    """
    import matplotlib.pyplot as plt

    import autoenc_helpers as ah

    recorded, losses, maps = snapshots_of(recording)
    missing = [epoch for epoch in epochs if epoch not in set(recorded.tolist())]
    if missing or not len(epochs):
        raise ValueError(f"epochs {missing or list(epochs)} were not recorded; the recording "
                         f"has {recorded.tolist()}")
    xlim, ylim = _fixed_limits(maps)
    fig, axes = plt.subplots(1, len(epochs), figsize=(size * len(epochs), size + 0.4),
                             sharex=True, sharey=True, layout="constrained", squeeze=False)
    for ax, epoch in zip(axes[0], epochs, strict=True):
        k = int(np.flatnonzero(recorded == epoch)[0])
        ah.plot_embedding(maps[k], labels, ax=ax, s=3, colorbar=ax is axes[0, -1])
        ax.set(xlim=xlim, ylim=ylim, xlabel="", ylabel="", xticks=[], yticks=[])
        ax.set_title(_caption(epoch, losses[k]).replace(" · ", "\n"), fontsize=9)
    return fig


# --------------------------------------------------------------------------------------------
# "Why is this digit here?"
# --------------------------------------------------------------------------------------------


def decoder_layers(decoder: Any) -> list[dict[str, Any]]:
    """The decoder's Dense layers as ``{"w", "b", "act"}`` for the JavaScript decoder.

    Raises ``ValueError`` for a layer that is not Dense (or an input) or an activation the
    JavaScript decoder does not implement (it knows ``JS_ACTIVATIONS``).
    """
    import keras

    layers = []
    for layer in decoder.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if not isinstance(layer, keras.layers.Dense):
            raise ValueError(f"the explorer decodes in the browser and knows Dense layers only; "
                             f"layer {layer.name!r} is a {type(layer).__name__}")
        act = getattr(layer.activation, "__name__", str(layer.activation))
        if act not in JS_ACTIVATIONS:
            raise ValueError(f"layer {layer.name!r} uses the activation {act!r}; the explorer "
                             f"knows {', '.join(JS_ACTIVATIONS)}")
        kernel, bias = (np.asarray(v, dtype=np.float64) for v in layer.get_weights()[:2])
        layers.append({"w": np.round(kernel, 6).tolist(), "b": np.round(bias, 6).tolist(),
                       "act": act})
    if not layers:
        raise ValueError("the decoder has no Dense layers")
    return layers


def neighbour_tables(pixels: np.ndarray, points: np.ndarray, k: int) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """The ``k`` nearest other rows of each row in pixel space and on the map: two (n, k) int
    arrays, nearest first (Euclidean distance; ties broken by index)."""
    from sklearn.neighbors import NearestNeighbors

    def nearest(values: np.ndarray) -> np.ndarray:
        found = NearestNeighbors(n_neighbors=k + 1).fit(values).kneighbors(
            values, return_distance=False)
        rows = [[j for j in row if j != i][:k] for i, row in enumerate(found)]
        return np.asarray(rows, dtype=int)

    return nearest(pixels), nearest(points)


def why_here_explorer(encoder: Any, decoder: Any, pixels: Any, labels: Any, k: int = 5,
                      cmap: Any = None, width: int = 520, height: int = 460) -> Any:
    """"Why is this digit here?": a bokeh map that answers where the pointer is. Taught in 08.

    ``encoder``/``decoder`` from ``build_autoencoder``/``split_autoencoder`` (2-D codes; Dense
    layers with activations in ``JS_ACTIVATIONS``); ``pixels``: (n, 64) floats in the units the
    model was trained on; ``labels``: n labels, coloured as in ``plot_embedding``. Pointing at
    an empty place shows the 8x8 picture the decoder draws there (computed in the browser from
    the decoder's weights: live without a kernel or network). Pointing at a digit shows it, its
    reconstruction, its ``k`` nearest digits in the 64 pixel values (red: not among its ``k``
    nearest on the map) and its ``k`` nearest on the map (orange: not among its ``k`` nearest
    in pixels), with lines on the map. Show it with ``show_interactive``; ``plot_why_here`` is
    the static version. Raises ``ValueError`` for inputs of the wrong shape, ``k`` out of
    range, or a layer the browser cannot compute.
    """
    import matplotlib.style  # noqa: F401 - get_colormap reads it; no pyplot here
    from bokeh.events import MouseMove
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource, CustomJS, Div
    from bokeh.plotting import figure
    from matplotlib.colors import to_hex

    import autoenc_helpers as ah

    pixels = np.asarray(pixels, dtype=np.float32)
    labels = np.asarray(labels)
    if pixels.ndim != 2 or pixels.shape[1] != encoder.input_shape[-1]:
        raise ValueError(f"pixels must have shape (n, {encoder.input_shape[-1]}), got "
                         f"{pixels.shape}")
    if labels.ndim != 1 or len(labels) != len(pixels):
        raise ValueError(f"got {len(pixels)} rows of pixels but labels of shape {labels.shape}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k < len(pixels):
        raise ValueError(f"k must be a whole number from 1 to {len(pixels) - 1}, got {k!r}")
    if pixels.shape[1] != 64:
        raise ValueError(f"the explorer draws 8x8 digits (64 pixels), got {pixels.shape[1]}")
    layers = decoder_layers(decoder)
    points = ah.encode(encoder, pixels).astype(np.float64)
    if points.shape[1] != 2:
        raise ValueError(f"the encoder must output 2 numbers per row, not {points.shape[1]}")
    pixel_nn, map_nn = neighbour_tables(pixels, points, k)
    from _autoenc.colours import class_colours

    classes, codes, colours = class_colours(labels, cmap or ah.DEFAULT_CMAP)  # the one rule
    palette = [to_hex(colours(i)) for i in range(len(classes))]
    vmax = float(ah.PIXEL_MAX) if pixels.max() > 1 else 1.0
    source = ColumnDataSource({
        "x": points[:, 0], "y": points[:, 1], "label": [str(v) for v in labels],
        "colour": [palette[c] for c in codes],
    })
    (x0, x1), (y0, y1) = _fixed_limits(points[None])
    plot = figure(width=width, height=height, tools="pan,wheel_zoom,reset",
                  x_range=(x0, x1), y_range=(y0, y1),
                  title="Point anywhere: the decoder draws it; point at a digit: why is it here?",
                  x_axis_label="component 1", y_axis_label="component 2")
    plot.title.text_font_size = "9pt"
    plot.scatter("x", "y", source=source, size=5, fill_color="colour", line_color=None,
                 fill_alpha=0.8, legend_group="label")
    links = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": [], "colour": []})
    plot.segment("x0", "y0", "x1", "y1", source=links, line_color="colour", line_width=2)
    marker = ColumnDataSource({"x": [], "y": []})
    plot.scatter("x", "y", source=marker, marker="circle_cross", size=14, fill_color=None,
                 line_color="black", line_width=2)
    legend = plot.legend[0]
    legend.title = "label"
    legend.label_text_font_size = "8pt"
    plot.add_layout(legend, "right")
    panel = Div(text="<p>Point at the map.</p>", width=330, css_classes=["why-here-panel"])
    # Each digit as 64 letters "a" (blank) to "q" (full ink): 17 grey levels, compact.
    levels = np.clip(np.round(pixels / vmax * 16), 0, 16).astype(int)
    digits = ["".join(chr(97 + v) for v in row) for row in levels]
    data = {"digits": digits, "pixel_nn": pixel_nn.tolist(),
            "map_nn": map_nn.tolist(), "layers": layers, "vmax": vmax}
    code = "const D = " + json.dumps(data, separators=(",", ":")) + ";\n" + _WHY_JS
    plot.js_on_event(MouseMove, CustomJS(
        args={"source": source, "links": links, "marker": marker, "panel": panel, "plot": plot},
        code=code))
    return row(plot, panel)


_WHY_JS = r"""
const act = {linear: v => v, sigmoid: v => 1 / (1 + Math.exp(-v)), relu: v => Math.max(v, 0),
  tanh: v => Math.tanh(v), softplus: v => Math.log1p(Math.exp(v)),
  elu: v => v > 0 ? v : Math.expm1(v),
  selu: v => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))};
function decode(x, y) {
  let h = [x, y];
  for (const L of D.layers) {
    const out = L.b.slice();
    for (let i = 0; i < h.length; i++) { const row = L.w[i];
      for (let j = 0; j < out.length; j++) out[j] += h[i] * row[j]; }
    h = out.map(act[L.act]);
  }
  return h;
}
function svg(values, label, border) {
  let s = `<svg role="img" aria-label="${label}" width="56" height="56" viewBox="0 0 8 8"`
    + ` style="border: 2px solid ${border || '#888'}; margin: 1px">`;
  for (let p = 0; p < 64; p++) {
    const g = Math.round(255 * (1 - Math.min(Math.max(values[p] / D.vmax, 0), 1)));
    s += `<rect x="${p % 8}" y="${Math.floor(p / 8)}" width="1.02" height="1.02"`
      + ` fill="rgb(${g},${g},${g})"/>`;
  }
  return s + "</svg>";
}
function pix(j) { return Array.from(D.digits[j], c => (c.charCodeAt(0) - 97) / 16 * D.vmax); }
const d = source.data, n = d.x.length;
const xs = (plot.x_range.end - plot.x_range.start) / plot.inner_width;
const ys = (plot.y_range.end - plot.y_range.start) / plot.inner_height;
let best = -1, bestDist = 36;  // within 6 screen pixels
for (let i = 0; i < n; i++) {
  const dx = (d.x[i] - cb_obj.x) / xs, dy = (d.y[i] - cb_obj.y) / ys, dd = dx * dx + dy * dy;
  if (dd < bestDist) { bestDist = dd; best = i; }
}
if (best < 0) {
  marker.data = {x: [cb_obj.x], y: [cb_obj.y]};
  links.data = {x0: [], y0: [], x1: [], y1: [], colour: []};
  panel.text = `<div class="why-empty"><p><b>The decoder draws this at (${cb_obj.x.toFixed(3)},`
    + ` ${cb_obj.y.toFixed(3)}):</b></p>` + svg(decode(cb_obj.x, cb_obj.y),
      "what the decoder draws at this place") + `<p>No digit lies here; this is the picture`
    + ` the decoder makes from these two numbers.</p></div>`;
  return;
}
const i = best, px = D.pixel_nn[i], mp = D.map_nn[i];
const inPx = new Set(px), inMap = new Set(mp);
const x0 = [], y0 = [], x1 = [], y1 = [], colour = [];
function link(j, c) { x0.push(d.x[i]); y0.push(d.y[i]); x1.push(d.x[j]); y1.push(d.y[j]);
  colour.push(c); }
let torn = 0, joined = 0;
let rowPx = "", rowMap = "";
for (const j of px) {
  const kept = inMap.has(j); if (!kept) torn++;
  link(j, kept ? "#1a9850" : "#d73027");
  rowPx += svg(pix(j), `neighbour ${j}, a ${d.label[j]}, ${kept ? "kept" : "separated"}`,
               kept ? "#1a9850" : "#d73027");
}
for (const j of mp) {
  const kept = inPx.has(j); if (!kept) { joined++; link(j, "#fc8d59"); }
  rowMap += svg(pix(j), `map neighbour ${j}, a ${d.label[j]}, ${kept ? "kept" : "joined"}`,
                kept ? "#1a9850" : "#fc8d59");
}
marker.data = {x: [d.x[i]], y: [d.y[i]]};
links.data = {x0, y0, x1, y1, colour};
panel.text = `<div class="why-digit"><p><b>Item ${i}, a ${d.label[i]}</b>: the digit and the`
  + ` decoder's reconstruction</p>` + svg(pix(i), `item ${i}`)
  + svg(decode(d.x[i], d.y[i]), `the reconstruction of item ${i}`)
  + `<p>Its ${px.length} nearest in the 64 pixels (red: separated, not among its`
  + ` ${mp.length} nearest on the map; ${torn} of ${px.length}):</p>` + rowPx
  + `<p>Its ${mp.length} nearest on the map (orange: joined, not among its ${px.length}`
  + ` nearest in pixels; ${joined} of ${mp.length}):</p>` + rowMap + `</div>`;
"""


def plot_why_here(encoder: Any, decoder: Any, pixels: Any, labels: Any, item: int,
                  k: int = 5) -> Any:
    """The static version of ``why_here_explorer`` for one digit (row ``item``). Taught in 08.

    Inputs as for ``why_here_explorer``. Left: the map with lines from the digit to its ``k``
    nearest neighbours (green: among the nearest in pixels and on the map; red: in pixels only,
    separated by the map; orange: on the map only, joined by it). Right: the digit, its
    reconstruction and both rows of neighbours, framed in the same colours. Returns the
    ``Figure``; raises ``ValueError`` for an ``item`` that is not a row number.
    """
    import matplotlib.pyplot as plt

    import autoenc_helpers as ah

    pixels = np.asarray(pixels, dtype=np.float32)
    labels = np.asarray(labels)
    if isinstance(item, bool) or not isinstance(item, int | np.integer) or not (
            0 <= item < len(pixels)):
        raise ValueError(f"item must be a row number from 0 to {len(pixels) - 1}, got {item!r}")
    points = ah.encode(encoder, pixels)
    pixel_nn, map_nn = neighbour_tables(pixels, points, k)
    px, mp = pixel_nn[item].tolist(), map_nn[item].tolist()
    fig = plt.figure(figsize=(10, 4.2), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1])
    ax = left.subplots()
    ah.plot_embedding(points, labels, ax=ax, s=4, alpha=0.5,
                      title=f"Item {item} (a {labels[item]}) and its neighbours")
    for j in px:
        ax.plot(*points[[item, j]].T, color="#1a9850" if j in mp else "#d73027", lw=1.8)
    for j in set(mp) - set(px):
        ax.plot(*points[[item, j]].T, color="#fc8d59", lw=1.8)
    ax.plot(*points[item], "o", mfc="none", mec="black", ms=12, mew=2)
    vmax = float(ah.PIXEL_MAX) if pixels.max() > 1 else 1.0
    rows = [("the digit", [pixels[item]], ["#888"]),
            ("its reconstruction", [ah.encode(decoder, points[item:item + 1])[0]], ["#888"]),
            ("nearest in pixels", [pixels[j] for j in px],
             ["#1a9850" if j in mp else "#d73027" for j in px]),
            ("nearest on the map", [pixels[j] for j in mp],
             ["#1a9850" if j in px else "#fc8d59" for j in mp])]
    grid = right.subplots(4, k)
    for (name, images, edges), axes in zip(rows, grid, strict=True):
        for col, ax_img in enumerate(axes):
            ax_img.set(xticks=[], yticks=[])
            if col >= len(images):
                ax_img.set_axis_off()
                continue
            ax_img.imshow(np.reshape(images[col], (8, 8)), cmap="gray_r", vmin=0, vmax=vmax)
            for spine in ax_img.spines.values():
                spine.set(edgecolor=edges[col], linewidth=3)
        axes[0].set_title(name, fontsize=9, loc="left")
    return fig
