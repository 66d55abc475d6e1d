"""The class-colour rule, for every plotting surface (matplotlib figures and bokeh maps).

One distinct colour per class, the same colour for a class on every surface, classes in
natural order (``2`` before ``10``, ``"digit 2"`` before ``"digit 10"``). A palette with too
few distinct colours is replaced, with a ``UserWarning``, by one with enough; an unknown name
raises ``ValueError`` suggesting the closest names.
"""

from __future__ import annotations

import difflib
import re
import warnings
from typing import Any

import numpy as np

from _autoenc import checks

DEFAULT_CMAP = "petroff10"


def colormap(name: str | Any, n_colors: int) -> Any:
    """Colormap ``name`` (a name, ``"petroff10"`` or a Colormap) cut into ``n_colors`` colours;
    see ``autoenc_helpers.get_colormap``."""
    import matplotlib
    import matplotlib.style  # noqa: F401  (not loaded by `import matplotlib` alone)
    from matplotlib.colors import Colormap, ListedColormap

    n_colors = checks.whole_number("n_colors", n_colors)
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


def distinct_colours(cmap: Any) -> int:
    """Count the distinct RGBA colours of a discrete colormap (one per index 0..N-1)."""
    colours = np.asarray(cmap(np.arange(cmap.N)))
    return len(np.unique(np.round(colours, 6), axis=0))


def distinct_colormap(name: str | Any, n_colors: int) -> Any:
    """``colormap``, but raise ``ValueError`` unless all ``n_colors`` colours differ."""
    cmap = colormap(name, n_colors)
    available = distinct_colours(cmap)
    if available < n_colors:
        label = name if isinstance(name, str) else getattr(name, "name", "given")
        raise ValueError(
            f"the {label!r} palette has {available} distinct colours, too few for {n_colors} "
            "classes (some classes would share a colour); pass a colormap with more, such as "
            "'tab20' (20 colours) or 'nipy_spectral' (any number)"
        )
    return cmap


def fallback_cmap(n_classes: int) -> str:
    """A palette with at least ``n_classes`` distinct colours, as few as needed."""
    if n_classes <= 10:
        return DEFAULT_CMAP
    return "tab20" if n_classes <= 20 else "nipy_spectral"


def _natural_key(value: Any) -> tuple:
    """Sort key: numbers by value, text with its digit runs read as numbers."""
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, float(value), "")
    parts = re.split(r"(\d+)", str(value))
    return (1, 0.0, tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts))


def classes_in_order(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(classes in natural order, each item's class index)`` for 1-D ``labels``."""
    classes, codes = np.unique(labels, return_inverse=True)
    order = sorted(range(len(classes)), key=lambda i: _natural_key(classes[i]))
    rank = np.empty(len(classes), dtype=np.int64)
    rank[order] = np.arange(len(classes))
    return classes[order], rank[codes.ravel()]


def class_colours(labels: np.ndarray, cmap: str | Any, stacklevel: int = 3
                  ) -> tuple[np.ndarray, np.ndarray, Any]:
    """The class-colour rule: ``(classes, codes, colormap)`` with one colour per class.

    ``classes`` are in natural order, ``codes[i]`` is item i's class index, and colour
    ``colormap(k)`` belongs to class ``classes[k]`` on every surface. A palette with too few
    distinct colours falls back (``UserWarning``) to ``fallback_cmap``.
    """
    classes, codes = classes_in_order(labels)
    n_classes = max(len(classes), 1)
    try:
        colours = distinct_colormap(cmap, n_classes)
    except ValueError as error:
        if "too few" not in str(error):
            raise
        fallback = fallback_cmap(n_classes)
        warnings.warn(f"{error}. Using {fallback!r} instead.", UserWarning,
                      stacklevel=stacklevel)
        colours = distinct_colormap(fallback, n_classes)
    return classes, codes, colours
