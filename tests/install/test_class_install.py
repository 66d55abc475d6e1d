"""A plain (not editable) install works for a class, as TEACHING.md's JupyterHub section says.

The test follows that section as far as one machine allows:

1. the repository's tracked files are copied to a temporary folder and installed from there
   with ``pip install --no-deps <folder>`` (a plain install: nothing points back at the clone)
   into a fresh virtual environment, the "one shared environment" of the section; the heavy
   libraries of requirements.txt are not downloaded again: a ``.pth`` file makes the test's own
   environment's site-packages visible behind the fresh one's (the install itself, the data
   files, the kernel spec and the helper are the fresh environment's own: checked);
2. as a user who is not root (``nobody``, with a home folder of its own, when the test runs as
   root; else the current user) and who cannot write to the environment, notebook 01 (it reads
   the digits) runs top to bottom in the project's kernel, found in the fresh environment;
3. that user's ``ah.MODELS_DIR`` is a per-user cache folder they can write to, ``ah.DATA_FILE``
   is the installed copy, and AUTOENC_DATA_DIR / AUTOENC_MODELS_DIR move them, read when used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOK = "01_data_format.ipynb"
NOBODY = 65534


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0")
            if name and (ROOT / name).is_file()]


def learner_prefix() -> list[str]:
    """The command prefix that runs a program as a learner who is not root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot act as a learner")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def learner_python() -> str:
    """This Python's base interpreter, or the system's of the same version, whichever a learner
    may run (a Python below root's home folder is out of their reach)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
                  f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    # run as the learner, and run itself again (as a kernel is started): the first exec of a
    # program below a folder the user cannot enter may succeed where every later one fails
    check = (f"import subprocess, sys; assert sys.version.startswith('{version}.');"
             "subprocess.run([sys.executable, '-c', 'pass'], check=True)")
    for candidate in candidates:
        if os.access(candidate, os.X_OK) and subprocess.run(
                [*learner_prefix(), candidate, "-c", check], capture_output=True).returncode == 0:
            return candidate
    pytest.skip(f"no Python {version} that a user other than root may run: {candidates}")


@pytest.fixture(scope="module")
def class_env() -> Iterator[dict[str, Path]]:
    """Install the project into a fresh environment; return its folders."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the files to install")
    base = Path(tempfile.mkdtemp(prefix="autoenc-class-"))
    try:
        yield install(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def install(base: Path) -> dict[str, Path]:
    """The JupyterHub section's steps in ``base``; return the folders made."""
    base.chmod(0o755)
    source, env = base / "source", base / "env"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([learner_python(), "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                                "'purelib'))"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # The heavy libraries, from this environment (see the module docstring).
    (site / "zz_shared_libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", str(source)], check=True)
    shutil.rmtree(source)
    for path in [base, *base.rglob("*")]:  # read-only for everyone but the owner
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    home = base / "home"
    home.mkdir()
    work = home / "notebooks"
    work.mkdir()
    shutil.copy2(ROOT / "notebooks" / NOTEBOOK, work / NOTEBOOK)
    if os.geteuid() == 0:
        for path in [home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    return {"env": env, "python": python, "site": site, "home": home, "work": work}


def as_learner(env: dict[str, Path], command: list[str], **settings: str) -> str:
    """Run ``command`` as a learner who is not root; return its stdout (check=True)."""
    variables = {"HOME": str(env["home"]), "PATH": f"{env['env'] / 'bin'}:/usr/bin:/bin",
                 "TF_CPP_MIN_LOG_LEVEL": "3", "LANG": "C.UTF-8", **settings}
    result = subprocess.run([*learner_prefix(), *command], cwd=env["work"], env=variables,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


# Where the helper finds things for this user; it writes a file into their models folder.
WHERE = ("import json, autoenc_helpers as ah;"
         "ah.MODELS_DIR.mkdir(parents=True, exist_ok=True);"
         "(ah.MODELS_DIR / 'probe.txt').write_text('written');"
         "print(json.dumps({'helper': ah.__file__, 'data': str(ah.DATA_FILE),"
         " 'models': str(ah.MODELS_DIR), 'digits': len(ah.load_digits_file()[1])}))")


def test_installed_package_has_its_data_and_a_per_user_models_cache(class_env) -> None:
    where = json.loads(as_learner(class_env, [str(class_env["python"]), "-c", WHERE]))
    assert where["helper"].startswith(str(class_env["site"])), "not the installed copy"
    installed = class_env["env"] / "share" / "autoenc-viz" / "data"
    assert where["data"] == str(installed / "digits_uci_test_1797.txt")
    assert where["digits"] == 1797
    assert where["models"] == str(class_env["home"] / ".cache/autoenc-viz/models")
    assert (class_env["home"] / ".cache/autoenc-viz/models/probe.txt").is_file()
    kernel = class_env["env"] / "share/jupyter/kernels/autoenc-viz/kernel.json"
    assert kernel.is_file(), "the project's kernel was not installed"


def test_teacher_settings_move_the_folders(class_env, tmp_path: Path) -> None:
    data = class_env["home"] / "class-data"
    shutil.copytree(class_env["env"] / "share/autoenc-viz/data", data)
    if os.geteuid() == 0:
        for path in [data, *data.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    where = json.loads(as_learner(class_env, [str(class_env["python"]), "-c", WHERE],
                                  AUTOENC_DATA_DIR=str(data), AUTOENC_MODELS_DIR="~/m"))
    assert where["data"] == str(data / "digits_uci_test_1797.txt")
    assert where["models"] == str(class_env["home"] / "m")
    assert where["digits"] == 1797


def test_a_notebook_runs_for_a_learner_in_the_installed_kernel(class_env) -> None:
    as_learner(class_env, [str(class_env["python"]), "-m", "nbconvert", "--to",
                           "notebook", "--execute", "--output", "executed.ipynb",
                           "--ExecutePreprocessor.kernel_name=autoenc-viz",
                           "--ExecutePreprocessor.timeout=300", NOTEBOOK])
    executed = json.loads((class_env["work"] / "executed.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    outputs = sum(len(c.get("outputs", [])) for c in executed["cells"])
    assert outputs > 5, f"only {outputs} outputs: did the notebook run?"


def teaching_block(marker: str) -> str:
    """The fenced code block of TEACHING.md's JupyterHub section that contains ``marker``."""
    section = (ROOT / "TEACHING.md").read_text(encoding="utf-8").split("## On a JupyterHub")[1]
    blocks = re.findall(r"```\w*\n(.*?)```", section.split("\n## ")[0], re.S)
    found = [textwrap.dedent(b) for b in blocks if marker in b]
    assert len(found) == 1, f"TEACHING.md, On a JupyterHub: no single block with {marker!r}"
    return found[0]


def test_learners_are_offered_only_the_series_kernel(class_env) -> None:
    """TEACHING.md's server configuration, in the environment: the server lists one kernel."""
    config = class_env["env"] / "etc" / "jupyter" / "jupyter_server_config.py"
    config.parent.mkdir(parents=True)
    config.write_text(teaching_block("allowed_kernelspecs"), encoding="utf-8")
    script = ("import json, jupyter_server.serverapp as s;"
              "app = s.ServerApp(); app.initialize(argv=[]);"
              "m = app.kernel_spec_manager;"
              "print(json.dumps({'specs': sorted(m.get_all_specs()),"
              " 'default': app.kernel_manager.default_kernel_name}))")
    shown = json.loads(as_learner(class_env, [str(class_env["python"]), "-c", script],
                                  JUPYTER_RUNTIME_DIR=str(class_env["home"] / "runtime")
                                  ).strip().splitlines()[-1])
    assert shown == {"specs": ["autoenc-viz"], "default": "autoenc-viz"}
