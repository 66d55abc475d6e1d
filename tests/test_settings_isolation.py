"""Settings isolation: `make test` has the same verdict whatever settings the learner keeps at home.

A hostile home folder (a matplotlibrc with ``figure.dpi: 144``, a keras.json asking for
float16, an IPython startup file, a Jupyter config) changes a notebook's figure when nothing
isolates the tests; with the settings the Makefile's test targets export (and conftest.py sets
for a bare pytest) it changes nothing.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ISOLATED_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_data_format.ipynb"
HAS_MAKE = shutil.which("make") is not None

# Runs the self-contained figure cells of notebook 01 (those that need only np and plt) and
# prints, for the first one that runs, the figure text nbval compares and the text saved in
# the notebook; then what Keras, IPython and Jupyter would read.
PROBE = r"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
notebook = json.load(open(sys.argv[1], encoding="utf-8"))
report = {}
for cell in notebook["cells"]:
    texts = [''.join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])]
    saved = [t for t in texts if t.startswith("<Figure size")]
    if cell["cell_type"] != "code" or not saved:
        continue
    try:
        exec(''.join(cell["source"]), {"np": np, "plt": plt})
    except Exception:
        continue
    report.update(saved=saved[0], now=repr(plt.gcf()))
    break
if "keras" in sys.argv[2:]:
    import keras
    report["floatx"] = keras.config.floatx()
    from IPython.paths import get_ipython_dir
    from jupyter_core.paths import jupyter_config_dir
    report["ipython_dir"] = get_ipython_dir()
    report["jupyter_config_dir"] = jupyter_config_dir()
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory):
    """A home folder full of settings that would change outputs if they were read."""
    home = tmp_path_factory.mktemp("home")
    rc = home / ".config" / "matplotlib" / "matplotlibrc"
    rc.parent.mkdir(parents=True)
    rc.write_text("figure.dpi: 144\nfigure.figsize: 3, 2\nfont.size: 20\n")
    (home / ".keras").mkdir()
    (home / ".keras" / "keras.json").write_text(json.dumps(
        {"floatx": "float16", "epsilon": 1e-3, "backend": "tensorflow",
         "image_data_format": "channels_first"}))
    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-hostile.py").write_text("print('HOSTILE STARTUP')\n")
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "jupyter_server_config.py").write_text("c.ServerApp.port = 1\n")
    return home


def run_probe(home: Path, settings: dict[str, str], *extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_SETTINGS}
    env.pop("XDG_CONFIG_HOME", None)
    env.update(settings, HOME=str(home))
    out = subprocess.run([sys.executable, "-c", PROBE, str(NOTEBOOK), *extra], env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_settings() -> dict[str, str]:
    """The Makefile's TEST_ENV, as make expands it."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", 'isolation-probe: ; @echo "$(TEST_ENV)"',
         "isolation-probe"], cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(item.split("=", 1) for item in out.stdout.split())


def test_the_hostile_home_really_changes_the_figure_when_nothing_isolates(hostile_home):
    report = run_probe(hostile_home, {})
    assert report["saved"] != report["now"]  # the hazard the issue reports: 864x432 and alike


def test_with_the_isolated_settings_the_figure_and_keras_are_as_saved(hostile_home):
    report = run_probe(hostile_home, ISOLATED_SETTINGS, "keras")
    assert report["now"] == report["saved"]
    assert report["floatx"] == "float32"
    assert report["ipython_dir"] == ISOLATED_SETTINGS["IPYTHONDIR"]
    assert report["jupyter_config_dir"] == ISOLATED_SETTINGS["JUPYTER_CONFIG_DIR"]
    assert str(hostile_home) not in json.dumps(report)


@pytest.mark.skipif(not HAS_MAKE, reason="make is not installed")
def test_the_makefile_and_conftest_isolate_the_same_settings():
    assert make_settings() == ISOLATED_SETTINGS


@pytest.mark.skipif(not HAS_MAKE or not (ROOT / ".venv" / ".installed").is_file(),
                    reason="needs make and the Makefile's .venv")
@pytest.mark.parametrize("target", ["unit", "nbval", "browser-test"])
def test_every_test_target_exports_the_isolated_settings(target):
    # A probe made a prerequisite of the target prints its environment, then stops make
    # before the target's own recipe runs (-o: never reinstall the venv here).
    probe = 'isolation-probe: ; @env; exit 3'
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.installed", "--eval", probe,
         "--eval", f"{target}: isolation-probe", target],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "MPLCONFIGDIR": "/x"})
    env = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    assert {k: env.get(k) for k in ISOLATED_SETTINGS} == ISOLATED_SETTINGS
