"""Shared test set-up: a non-interactive matplotlib backend and quiet TensorFlow."""

import importlib.util
import os
from pathlib import Path
from types import ModuleType

# The Makefile exports these; set them here too so `pytest` run by hand stays quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

# The learner's own settings must not change a verdict (issue 9 G): matplotlib, Keras, IPython
# and Jupyter read theirs from .test-config/ instead of the home folder, as the Makefile's test
# targets arrange (its TEST_ENV; tests/test_settings_isolation.py checks the two agree). Set
# before matplotlib is imported, which reads its settings once.
TEST_CONFIG = Path(__file__).resolve().parent.parent / ".test-config"
ISOLATED_SETTINGS = {
    "MPLCONFIGDIR": f"{TEST_CONFIG}/matplotlib",
    "MATPLOTLIBRC": f"{TEST_CONFIG}/matplotlib",
    "KERAS_HOME": f"{TEST_CONFIG}/keras",
    "IPYTHONDIR": f"{TEST_CONFIG}/ipython",
    "JUPYTER_CONFIG_DIR": f"{TEST_CONFIG}/jupyter",
    "JUPYTER_DATA_DIR": f"{TEST_CONFIG}/jupyter-data",
    "JUPYTERLAB_SETTINGS_DIR": f"{TEST_CONFIG}/jupyter/lab/user-settings",
    "JUPYTERLAB_WORKSPACES_DIR": f"{TEST_CONFIG}/jupyter/lab/workspaces",
    "MPLBACKEND": "",
    "KERAS_BACKEND": "tensorflow",
    "AUTOENC_VERBOSE": "0",
}
os.environ.update(ISOLATED_SETTINGS)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so figures do not pile up across tests."""
    yield
    plt.close("all")


def load_tool(name: str) -> ModuleType:
    """Import tools/<name>.py (tools/ is a folder of scripts, not a package)."""
    path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
