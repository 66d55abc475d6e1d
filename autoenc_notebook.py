"""Notebook plumbing for the series: the one place for what a lesson should not have to show.

The project's Jupyter kernel, "Python (autoenc-viz)" (``share/jupyter/kernels/autoenc-viz``,
installed with the project), loads this module as an IPython extension when it starts. Nothing
here runs on ``import autoenc_helpers``; to get the same behaviour in another kernel, run
``%load_ext autoenc_notebook`` as the first cell.

What it does, once per kernel:

- **Smaller figures.** The PNG a notebook stores of a matplotlib figure is drawn with scatter
  plots of many points (``CRISP_SCATTER_POINTS``) without anti-aliasing, and reduced to at most
  256 colours (Pillow, no dithering) only where no pixel moves by more than
  ``MAX_COLOUR_ERROR`` (12 of 255, under 5 %) from the full-colour picture; photos and smooth
  gradients that would band keep all their colours. Measured: a map of the 1,797 digits,
  128 kB -> 24 kB with a largest error of 2; a 64 x 64 random photo would err by 33, so it stays
  full colour (``tests/test_notebook_plumbing.py`` holds every picture to the limit). The
  figure object itself is never changed: ``savefig`` afterwards draws it
  exactly as you made it. A figure format you choose (``%config InlineBackend.figure_formats =
  ['retina']``, ``set_matplotlib_formats('svg')``) is kept as you chose it.
- **Tidy paths.** A path printed by a cell has this repository's folder removed, so
  ``print(path)`` shows ``models/x.keras`` on every machine instead of ``/home/you/.../x.keras``.
  Only whole paths are shortened (after a space, a quote, a bracket or at the start of the text),
  never the folder's name inside other text such as a ``file:///...`` URL.
- **Captured logs.** Messages that Keras and TensorFlow log through Python's ``logging``
  (the ``absl`` logger: for example the legacy ``.h5`` warning) are printed on standard output,
  a warning as one short line ``[keras warning] <first sentence>``, an error with its whole
  message and traceback, instead of a timestamped line on standard error. ``captured_logs()``
  collects them in a list instead, for a lesson that wants to look at them.
- **Fewer full garbage collections.** Python searches every object for reference cycles after
  each 10 collections of the middle generation (once the heap has grown by a quarter).
  Importing TensorFlow and Keras creates about 400,000 objects, and those full searches cost
  about 1 s of every kernel's first cells (measured with ``gc.callbacks`` on a 2-core machine:
  1.3 s of garbage collection while importing Keras and training a first model, 0.2 s with this
  setting). The kernel makes a full search after each 100 such collections instead
  (``gc.set_threshold(700, 10, 100)``); the young objects, where most garbage is, are collected
  as often as before.
- **A quick exit.** When the kernel shuts down (Restart, or the end of a test run), the objects
  still alive are frozen (``gc.freeze``) so that Python's final garbage collections skip them.
  Once TensorFlow is imported those collections search millions of objects for reference cycles:
  about 1.5 s on a 2-core machine, per kernel. The exit handlers still run: IPython saves its
  history and clears the notebook's variables (an object freed then is finalized as before),
  ``logging`` flushes its files, the kernel closes its sockets. What is still alive after them,
  caught in a reference cycle or held by a module, is left to the operating system without its
  ``__del__`` being called, which Python never promises at exit anyway.

Keeping TensorFlow's C++ start-up lines out of cells is not done here: those are written before
any Python code could intervene. The kernelspec's ``env`` sets ``TF_CPP_MIN_LOG_LEVEL=3`` and
``TF_ENABLE_ONEDNN_OPTS=0`` before the kernel process starts.

Installing the kernel: ``python -m autoenc_notebook install`` writes it into this environment
(``make setup``/``make lab`` run it; so do the README's conda route and route without make);
``--user`` registers it for a Jupyter that runs from another environment. Either way the
kernelspec names this Python by its full path. A regular (non-editable) ``pip install`` of the
project also ships the same kernelspec as data files; an editable install (``pip install -e .``)
does not, which is why the install step exists.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import io
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
KERNEL_NAME = "autoenc-viz"
KERNEL_DISPLAY_NAME = "Python (autoenc-viz)"
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
MAX_COLOURS = 256
# The largest change of any colour channel (0-255) that the 256-colour reduction may make.
MAX_COLOUR_ERROR = 12
# Scatter plots with at least this many points lose anti-aliasing (crisp dots, smaller PNGs).
CRISP_SCATTER_POINTS = 200
LOGGERS = ("absl",)


# --- smaller figures ----------------------------------------------------------------------------


def crisp_scatters(fig: Any, min_points: int = CRISP_SCATTER_POINTS) -> int:
    """Switch off anti-aliasing of every scatter in ``fig`` with ``min_points`` points or more.

    Returns how many scatters were changed.
    """
    from matplotlib.collections import PathCollection

    changed = 0
    for ax in fig.axes:
        for collection in ax.collections:
            many = len(collection.get_offsets()) >= min_points
            if isinstance(collection, PathCollection) and many:
                collection.set_antialiased(False)
                changed += 1
    return changed


@contextlib.contextmanager
def crisp_while_drawing(fig: Any) -> Iterator[None]:
    """Draw big scatters of ``fig`` without anti-aliasing inside the block, then put every
    scatter's own setting back: the learner's figure leaves the block as it came in."""
    from matplotlib.collections import PathCollection

    saved = [(c, c.get_antialiased()) for ax in fig.axes for c in ax.collections
             if isinstance(c, PathCollection)]
    crisp_scatters(fig)
    try:
        yield
    finally:
        for collection, antialiased in saved:
            collection.set_antialiased(antialiased)


def compact_png(fig: Any) -> bytes:
    """Render ``fig`` as the PNG bytes a notebook stores (see "Smaller figures" above)."""
    import numpy as np
    from PIL import Image

    if not fig.axes and not fig.images and not fig.texts:
        return b""  # an empty figure shows nothing, as with matplotlib's own formatter
    full, small = io.BytesIO(), io.BytesIO()
    with crisp_while_drawing(fig):
        fig.savefig(full, format="png", bbox_inches="tight", metadata={"Software": None})
    image = Image.open(full).convert("RGB")
    reduced = image.quantize(MAX_COLOURS, method=Image.Quantize.MAXCOVERAGE,
                             dither=Image.Dither.NONE)
    error = np.abs(np.asarray(reduced.convert("RGB"), dtype=np.int16)
                   - np.asarray(image, dtype=np.int16)).max()
    (reduced if error <= MAX_COLOUR_ERROR else image).save(small, format="png", optimize=True)
    return small.getvalue()


def _png_or_none(fig: Any) -> bytes | None:
    data = compact_png(fig)
    return data or None


def use_compact_png(shell: Any) -> None:
    """Make ``shell`` show matplotlib figures with :func:`compact_png`."""
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_or_none)


def _keep_compact_png(shell: Any) -> None:
    """After each cell: put :func:`compact_png` back if ``%matplotlib inline`` replaced it with
    its plain PNG printer; a format the learner chose (retina, SVG, ...) is left alone."""
    import functools

    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    printer = formatter.type_printers.get(Figure)
    if printer is _png_or_none:
        return
    plain_png = (isinstance(printer, functools.partial)
                 and getattr(printer.func, "__name__", "") == "print_figure"
                 and printer.keywords.get("fmt") == "png")
    if printer is not None and not plain_png:
        return  # e.g. retina_figure: the learner asked for it
    if printer is None and any(Figure in shell.display_formatter.formatters[kind].type_printers
                               for kind in ("image/svg+xml", "application/pdf", "image/jpeg")):
        return  # the learner switched PNG off for another format
    use_compact_png(shell)


# --- tidy paths ---------------------------------------------------------------------------------


def tidy(text: str, root: Path = ROOT) -> str:
    """Remove the repository folder from paths in ``text`` (``/repo/models/a`` -> ``models/a``).

    Only a whole path is shortened: one at the start of the text or after a space, a quote, a
    bracket, ``=`` or ``,``; the folder inside other text (``file:///repo/a``) is left as it is.
    """
    import re

    seps = "".join(re.escape(sep) for sep in {os.sep, "/"})
    pattern = r"(?:^|(?<=[\s'\"(\[=,]))" + re.escape(str(root)) + rf"[{seps}]"
    return re.sub(pattern, "", text)


class _TidyWrite:
    """A ``write`` that tidies text before handing it to the stream's own ``write``."""

    def __init__(self, write: Any) -> None:
        self.write = write

    def __call__(self, text: str) -> Any:
        return self.write(tidy(text) if isinstance(text, str) else text)


def tidy_stream(stream: Any) -> None:
    """Make ``stream.write`` tidy paths (once; calling it again changes nothing)."""
    if not isinstance(getattr(stream, "write", None), _TidyWrite):
        stream.write = _TidyWrite(stream.write)


# --- captured logs ------------------------------------------------------------------------------


def first_sentence(message: str) -> str:
    """The first sentence of a log message, on one line."""
    line = " ".join(message.split())
    head, dot, _ = line.partition(". ")
    return head + dot.strip()


class ShortLogLines(logging.Handler):
    """Print each log record on standard output: ``[keras warning] <first sentence>`` for
    warnings and below, the whole message and its traceback for errors."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.levelno >= logging.ERROR:
                text = tidy(record.getMessage())
                if record.exc_info:
                    text += "\n" + tidy(logging.Formatter().formatException(record.exc_info))
            else:
                text = tidy(first_sentence(record.getMessage()))
            print(f"[keras {record.levelname.lower()}] {text}", file=sys.stdout)
        except Exception:  # a log line must never break a cell
            self.handleError(record)


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__()
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(tidy(record.getMessage()))


def short_log_lines() -> None:
    """Route the ``absl`` logger (Keras, TensorFlow) to :class:`ShortLogLines` only."""
    with contextlib.suppress(ImportError):
        import absl.logging  # noqa: F401  (let absl create its own logger class first)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, ShortLogLines) for h in logger.handlers):
            logger.addHandler(ShortLogLines())
        logger.propagate = False


@contextlib.contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Collect what Keras logs inside the ``with`` block in a list, and print nothing.

    >>> with captured_logs() as messages:       # doctest: +SKIP
    ...     model.save("model.h5")
    >>> messages[0]                             # doctest: +SKIP
    'You are saving your model as an HDF5 file ...'
    """
    messages: list[str] = []
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate)
        logger.handlers = [_ListHandler(messages)]
        logger.propagate = False
    try:
        yield messages
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers = handlers
            logging.getLogger(name).propagate = propagate


# --- garbage collection: fewer full searches, and none at exit ------------------------------------

FULL_COLLECTION_EVERY = 100  # collections of the middle generation (Python's default: 10)


def fewer_full_collections() -> None:
    """Search all objects for reference cycles less often (see the module docstring)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def freeze_at_exit() -> None:
    """Have ``gc.freeze`` run at interpreter exit (once per process; see "A quick exit" above)."""
    atexit.unregister(gc.freeze)  # loading the extension twice registers it once
    atexit.register(gc.freeze)


# --- the IPython extension ----------------------------------------------------------------------


def load_ipython_extension(shell: Any) -> None:
    """Set up a kernel for the series (the kernelspec runs this with ``--ext``)."""
    shell.run_line_magic("matplotlib", "inline")  # set up figure display now, then adjust it
    use_compact_png(shell)
    shell.events.register("post_execute", lambda: _keep_compact_png(shell))
    tidy_stream(sys.stdout)
    tidy_stream(sys.stderr)
    short_log_lines()
    fewer_full_collections()
    freeze_at_exit()


# --- installing the kernelspec for another Jupyter ----------------------------------------------


def kernel_spec(python: str = "python") -> dict[str, Any]:
    """The kernelspec (``kernel.json``) of the project's kernel.

    ``"python"`` as the program means "the Python that runs Jupyter" (jupyter_client replaces
    it with ``sys.executable``): right for the copy installed inside the environment.
    """
    return {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--ext=autoenc_notebook"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "env": dict(KERNEL_ENV),
        "metadata": {"debugger": True},
    }


def install(where: str = "sys-prefix") -> str:
    """Register the kernel, run by this Python (full path); return the folder written.

    ``where``: ``"sys-prefix"`` (this environment's ``share/jupyter/kernels``: what ``make lab``
    and the README's other routes run) or ``"user"`` (for a Jupyter in another environment).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        spec_dir = Path(folder) / KERNEL_NAME
        spec_dir.mkdir()
        (spec_dir / "kernel.json").write_text(
            json.dumps(kernel_spec(sys.executable), indent=1) + "\n", encoding="utf-8")
        return KernelSpecManager().install_kernel_spec(
            str(spec_dir), KERNEL_NAME, user=where == "user",
            prefix=sys.prefix if where == "sys-prefix" else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autoenc_notebook",
        description="Register the series' Jupyter kernel, Python (autoenc-viz).")
    parser.add_argument("command", choices=["install"])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sys-prefix", dest="where", action="store_const", const="sys-prefix",
                       help="in this environment (default)")
    where.add_argument("--user", dest="where", action="store_const", const="user",
                       help="for this user, for a Jupyter that runs from another environment")
    args = parser.parse_args(argv)
    path = install(args.where or "sys-prefix")
    print(f"installed kernel {KERNEL_NAME!r} ({KERNEL_DISPLAY_NAME}) in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
