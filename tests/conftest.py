"""Shared test set-up: a non-interactive matplotlib backend, quiet TensorFlow, none of the
learner's own settings (see ``support.ISOLATED_SETTINGS``), the kernel's garbage-collector
settings, and the ``chromium`` fixture of the browser tests (tests/browser, tests/classroom)."""

import os

from support import ISOLATED_SETTINGS, ONE_THREAD_PER_LANE, chromium_path, in_several_lanes

# The Makefile exports these; set them here too so `pytest` run by hand stays quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# Set before matplotlib is imported, which reads its settings once.
os.environ.update(ISOLATED_SETTINGS)
# Before TensorFlow or scikit-learn is imported; JupyterLab's kernels inherit these too.
if in_several_lanes():
    for name, value in ONE_THREAD_PER_LANE.items():
        os.environ.setdefault(name, value)

# The garbage-collector settings of the project's kernel (autoenc_notebook's module docstring):
# the unit-test processes import TensorFlow, whose objects each full collection would search again
# (the browser test's notebook kernels get them from the extension itself).
import autoenc_notebook  # noqa: E402

autoenc_notebook.fewer_full_collections()
autoenc_notebook.freeze_at_exit()

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so figures do not pile up across tests."""
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, for the browser tests (skipped or failed without it)."""
    return chromium_path()
