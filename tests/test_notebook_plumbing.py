"""The project's kernel and its plumbing (autoenc_notebook.py, share/jupyter/kernels/autoenc-viz).

Unit tests of the extension's parts, then two real kernels: the kernelspec installed with the
project is the one Jupyter finds, and a notebook that imports TensorFlow, trains, saves a legacy
``.h5`` file and prints a path writes nothing to standard error, even when the kernel is started
without the Makefile's TF_* variables.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from PIL import Image

import autoenc_notebook as an

ROOT = Path(__file__).resolve().parent.parent
KERNEL_JSON = ROOT / "share" / "jupyter" / "kernels" / "autoenc-viz" / "kernel.json"


def scatter_figure(n: int = 2000):
    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(*rng.random((2, n)), c=rng.integers(0, 10, n), cmap="tab10", s=12, alpha=0.8)
    ax.plot([0, 1], [0, 1])
    return fig


# --- smaller figures ----------------------------------------------------------------------------


def test_compact_png_has_at_most_256_colours_and_is_smaller():
    fig = scatter_figure()
    full = io.BytesIO()
    fig.savefig(full, format="png", bbox_inches="tight")
    small = an.compact_png(fig)
    image = Image.open(io.BytesIO(small))
    assert image.format == "PNG" and image.mode == "P"
    assert len(image.getcolors(maxcolors=10_000)) <= 256
    assert len(small) < 0.8 * len(full.getvalue())


def test_crisp_scatters_only_touches_big_scatters():
    fig, ax = plt.subplots()
    big = ax.scatter(np.arange(500), np.arange(500))
    few = ax.scatter([1, 2], [3, 4])
    assert an.crisp_scatters(fig) == 1
    assert not big.get_antialiased()[0] and few.get_antialiased()[0]


def test_empty_figure_shows_nothing():
    assert an.compact_png(plt.figure()) == b""


def test_extension_sets_the_png_formatter_of_a_shell(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setattr(sys, "stdout", io.StringIO())  # the extension wraps these streams
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    gc_settings: list[str] = []  # checked here, tried out in the tests below
    monkeypatch.setattr(an, "fewer_full_collections", lambda: gc_settings.append("fewer"))
    monkeypatch.setattr(an, "freeze_at_exit", lambda: gc_settings.append("freeze at exit"))
    class Shell(InteractiveShell):  # a kernel's shell, minus the kernel
        def enable_gui(self, gui=None):
            pass

    shell = Shell.instance()
    try:
        an.load_ipython_extension(shell)
        data, _ = shell.display_formatter.format(scatter_figure())
        assert Image.open(io.BytesIO(data["image/png"])).mode == "P"
        shell.run_line_magic("matplotlib", "inline")  # a learner runs it again...
        an._keep_compact_png(shell)  # ...and after the cell the formatter is back
        data, _ = shell.display_formatter.format(scatter_figure())
        assert Image.open(io.BytesIO(data["image/png"])).mode == "P"
        print(an.ROOT / "models", file=sys.stdout)
        assert sys.stdout.getvalue() == "models\n"
        assert gc_settings == ["fewer", "freeze at exit"]
    finally:
        Shell.clear_instance()


# --- a quick exit -------------------------------------------------------------------------------

# A process that leaves an object with a finalizer in a reference cycle (TensorFlow and Keras leave
# many cycles) and an exit handler that releases another such object (as IPython's clears the
# user's variables), then exits; it prints what the exit reached.
CYCLE_AT_EXIT = """
import atexit
import gc
import sys

import autoenc_notebook as an

gc.disable()  # no collection before the exit's own (those run even when disabled)
class Cycle:
    def __del__(self):
        print("the final collection ran", flush=True)
cycle = Cycle()
cycle.me = cycle
del cycle
class Alone:
    def __del__(self):
        print("an object the exit handler released was finalized", flush=True)
alone = Alone()
def release():  # as IPython's exit handler clears the user's variables
    print("an exit handler registered earlier ran", flush=True)
    del globals()["alone"]
atexit.register(release)
if sys.argv[1] == "quick":
    an.freeze_at_exit()
    an.freeze_at_exit()  # loading the extension twice must not matter
print("exiting", flush=True)
"""


@pytest.mark.parametrize("mode", ["plain", "quick"])
def test_a_quick_exit_skips_only_the_final_search_for_cycles(mode):
    import subprocess

    done = subprocess.run([sys.executable, "-c", CYCLE_AT_EXIT, mode],
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "exiting"
    assert ("the final collection ran" in lines) == (mode == "plain"), lines
    assert "an exit handler registered earlier ran" in lines  # the rest of the exit is as before
    assert "an object the exit handler released was finalized" in lines


def test_full_collections_come_ten_times_rarer_and_young_ones_as_before(monkeypatch):
    import gc

    set_to: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *values: set_to.append(values))
    monkeypatch.setattr(gc, "get_threshold", lambda: (500, 7, 10))
    an.fewer_full_collections()
    assert set_to == [(500, 7, 100)]


def test_the_quick_exit_is_registered_once(monkeypatch):
    registered = []
    monkeypatch.setattr(an.atexit, "register", registered.append)
    monkeypatch.setattr(an.atexit, "unregister", lambda f: registered.remove(f)
                        if f in registered else None)
    an.freeze_at_exit()
    an.freeze_at_exit()
    assert registered == [an.gc.freeze]


# --- tidy paths and captured logs ---------------------------------------------------------------


def test_tidy_removes_the_repository_folder():
    path = an.ROOT / "models" / "book.keras"
    assert an.tidy(f"saved {path} and {path}") == "saved models/book.keras and models/book.keras"
    assert an.tidy("/elsewhere/models/x") == "/elsewhere/models/x"


def test_tidy_stream_wraps_write_once():
    stream = io.StringIO()
    an.tidy_stream(stream)
    an.tidy_stream(stream)
    print(an.ROOT / "data" / "iris.csv", file=stream)
    assert stream.getvalue() == "data/iris.csv\n"


def test_short_log_lines_print_one_line_on_stdout(capsys):
    an.short_log_lines()
    logging.getLogger("absl").warning("You are saving a legacy file. Use .keras instead. More.")
    out, err = capsys.readouterr()
    assert out == "[keras warning] You are saving a legacy file.\n" and err == ""


def test_captured_logs_collects_and_restores():
    logger = logging.getLogger("absl")
    before = (logger.handlers[:], logger.propagate)
    with an.captured_logs() as messages:
        logger.warning("first %s", an.ROOT / "x")
    assert messages == ["first x"]
    assert (logger.handlers, logger.propagate) == before


# --- the kernelspec -----------------------------------------------------------------------------


def test_kernel_json_is_what_the_module_describes():
    assert json.loads(KERNEL_JSON.read_text(encoding="utf-8")) == an.kernel_spec()
    assert an.kernel_spec()["env"] == {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def test_installed_kernelspec_is_the_projects():
    """`make setup` (python -m autoenc_notebook install) put the kernel into this environment."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(an.KERNEL_NAME)
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve()), (
        f"{an.KERNEL_NAME} found in {spec.resource_dir}, not in this environment: "
        "run `python -m autoenc_notebook install` (make setup does)"
    )
    assert spec.env == an.KERNEL_ENV and spec.argv[1:] == an.kernel_spec()["argv"][1:]
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve(), (
        f"the kernel runs {spec.argv[0]}, not this environment's Python {sys.executable}")


def test_install_writes_a_kernelspec_with_this_python(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    folder = Path(an.install("sys-prefix"))
    assert folder == tmp_path / "share" / "jupyter" / "kernels" / an.KERNEL_NAME
    spec = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
    assert spec == an.kernel_spec(sys.executable)


def test_a_kernel_without_the_makefile_variables_writes_nothing_to_stderr(tmp_path: Path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TF_", "KERAS_")) and k != "PYTHONWARNINGS"}
    nb = new_notebook(metadata={"kernelspec": {"name": an.KERNEL_NAME, "language": "python",
                                               "display_name": an.KERNEL_DISPLAY_NAME}})
    nb.cells = [
        new_code_cell("import keras\nimport numpy as np\nimport tensorflow as tf\n"
                      "import autoenc_helpers as ah"),
        new_code_cell("model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
                      "print(model.predict(np.ones((3, 4)), verbose=0).shape)\n"
                      f"model.save({str(tmp_path / 'legacy.h5')!r})\n"
                      "print(ah.MODELS_DIR / 'model.keras')"),
        new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"),
    ]
    kernel_stderr = tmp_path / "kernel_stderr.txt"
    with kernel_stderr.open("w") as stderr:
        NotebookClient(nb, timeout=180, kernel_name=an.KERNEL_NAME,
                       resources={"metadata": {"path": str(tmp_path)}}).execute(
            env=env, stderr=stderr)
    outputs = [o for c in nb.cells for o in c.outputs]
    in_cells = [o.get("text", o.get("ename")) for o in outputs
                if o.output_type == "error" or o.get("name") == "stderr"]
    assert not in_cells, f"written to stderr in a cell: {in_cells}"
    # The kernel process's own stderr (outside any cell) may hold ipykernel's notes, never TF's.
    tf_lines = [line for line in kernel_stderr.read_text().splitlines()
                if not line.startswith("[IPKernelApp]")]
    assert not tf_lines, f"the kernel process wrote to stderr: {tf_lines}"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "[keras warning] You are saving your model as an HDF5 file" in text
    assert "models/model.keras" in text and str(ROOT) not in text
    png = next(o.data["image/png"] for o in outputs if "image/png" in o.get("data", {}))
    assert Image.open(io.BytesIO(base64.b64decode(png))).mode == "P"


@pytest.fixture(autouse=True)
def _restore_absl_logger():
    logger = logging.getLogger("absl")
    saved = (logger.handlers[:], logger.propagate)
    yield
    logger.handlers, logger.propagate = saved


# --- the kernel never alters what the learner made ----------------------------------------------


def test_showing_a_figure_leaves_its_scatters_antialiased_for_a_later_savefig():
    fig = scatter_figure()
    before = io.BytesIO()
    fig.savefig(before, format="png")
    an.compact_png(fig)
    after = io.BytesIO()
    fig.savefig(after, format="png")
    assert all(c.get_antialiased()[0] for c in fig.axes[0].collections)
    assert np.array_equal(np.asarray(Image.open(before)), np.asarray(Image.open(after)))


def _stored_and_full(fig) -> tuple[np.ndarray, np.ndarray]:
    full = io.BytesIO()
    with an.crisp_while_drawing(fig):
        fig.savefig(full, format="png", bbox_inches="tight", metadata={"Software": None})
    stored = Image.open(io.BytesIO(an.compact_png(fig))).convert("RGB")
    return (np.asarray(stored, dtype=np.int16),
            np.asarray(Image.open(full).convert("RGB"), dtype=np.int16))


@pytest.mark.parametrize("kind", ["photo", "gradient", "pcolormesh", "contourf", "scatter"])
def test_the_stored_picture_never_moves_a_colour_further_than_the_limit(kind):
    rng = np.random.default_rng(0)
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 200)
    if kind == "photo":
        ax.imshow(rng.random((64, 64, 3)))
    elif kind == "gradient":
        ax.imshow(np.add.outer(x, x), cmap="twilight")
    elif kind == "pcolormesh":
        ax.pcolormesh(rng.random((40, 40)), cmap="viridis")
    elif kind == "contourf":
        ax.contourf(x, x, np.sin(6 * np.add.outer(x, x)), levels=100, cmap="magma")
    else:
        fig = scatter_figure()
    stored, full = _stored_and_full(fig)
    assert np.abs(stored - full).max() <= an.MAX_COLOUR_ERROR


def test_a_photo_keeps_all_its_colours():
    fig, ax = plt.subplots()
    ax.imshow(np.random.default_rng(0).random((64, 64, 3)))
    image = Image.open(io.BytesIO(an.compact_png(fig)))
    assert image.mode == "RGB"


def test_tidy_leaves_the_folder_inside_other_text_alone():
    url = f"file://{an.ROOT.as_posix()}/docs/digit_map.png"
    assert an.tidy(f"open {url}") == f"open {url}"
    assert an.tidy(f"x{an.ROOT}/a") == f"x{an.ROOT}/a"
    assert an.tidy(f"PosixPath('{an.ROOT / 'models'}')") == "PosixPath('models')"
    assert an.tidy(f"[{an.ROOT / 'a'}, {an.ROOT / 'b'}]") == "[a, b]"


def test_an_error_logged_with_its_traceback_keeps_the_whole_message_and_traceback(capsys):
    an.short_log_lines()
    try:
        raise RuntimeError("the inner problem")
    except RuntimeError:
        logging.getLogger("absl").exception("Saving failed. The file is read-only. Try again.")
    out, err = capsys.readouterr()
    assert "Saving failed. The file is read-only. Try again." in out
    assert "Traceback" in out and "RuntimeError: the inner problem" in out and err == ""


def test_a_format_the_learner_chooses_is_kept():
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    shell = InteractiveShell.instance()
    an.use_compact_png(shell)
    set_matplotlib_formats("retina")
    an._keep_compact_png(shell)
    printer = shell.display_formatter.formatters["image/png"].type_printers[Figure]
    assert printer is not an._png_or_none and printer.func.__name__ == "retina_figure"
    set_matplotlib_formats("png")  # the plain PNG printer, as `%matplotlib inline` sets it ...
    an._keep_compact_png(shell)  # ... and is replaced by the compact one again
    assert shell.display_formatter.formatters["image/png"].type_printers[Figure] is \
        an._png_or_none
