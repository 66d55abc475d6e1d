"""Where data and models live (_autoenc/paths.py): teacher settings read at each use, a
per-user writable models cache outside a clone, and the clone's own folders inside one; and
``make setup``'s refusal of Pythons and platforms TensorFlow 2.21 has no wheels for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, load_tool

from _autoenc import paths

check_python = load_tool("check_python")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(paths.DATA_ENV, raising=False)
    monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    return monkeypatch


def test_a_clone_uses_its_own_data_and_models_folders(clean_env) -> None:
    assert paths.data_dir() == ROOT / "data"
    assert paths.models_dir() == ROOT / "models"


def test_settings_are_read_at_each_call(clean_env, tmp_path: Path) -> None:
    clean_env.setenv(paths.DATA_ENV, str(tmp_path / "d"))
    clean_env.setenv(paths.MODELS_ENV, "~/class-models")
    assert paths.data_dir() == tmp_path / "d"
    assert paths.models_dir() == Path.home() / "class-models"
    clean_env.setenv(paths.MODELS_ENV, "relative")
    assert paths.models_dir() == Path.cwd() / "relative"
    clean_env.setenv(paths.MODELS_ENV, "  ")  # blank: as if unset
    assert paths.models_dir() == ROOT / "models"


def test_outside_a_clone_models_go_to_the_users_cache(clean_env, tmp_path: Path) -> None:
    clean_env.setattr(paths, "PACKAGE_ROOT", tmp_path / "site-packages")
    clean_env.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if sys.platform.startswith("linux"):
        assert paths.models_dir() == tmp_path / "cache" / "autoenc-viz" / "models"
    assert paths.data_dir() == Path(sys.prefix) / "share" / "autoenc-viz" / "data"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root may write anywhere: the read-only case needs another user")
def test_a_clone_the_user_cannot_write_to_uses_the_cache(clean_env, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / "data").mkdir(parents=True)
    (clone / "pyproject.toml").write_text("")
    clone.chmod(0o555)
    try:
        clean_env.setattr(paths, "PACKAGE_ROOT", clone)
        assert paths.models_dir().parts[-2:] == ("autoenc-viz", "models")
    finally:
        clone.chmod(0o755)


def test_the_helpers_folders_follow_the_settings_in_a_fresh_process(tmp_path: Path) -> None:
    """ah.DATA_FILE and ah.MODELS_DIR (what notebooks use) follow a setting made after import."""
    script = ("import json, os, autoenc_helpers as ah; before = str(ah.MODELS_DIR);"
              f"os.environ['AUTOENC_MODELS_DIR'] = {str(tmp_path)!r};"
              f"os.environ['AUTOENC_DATA_DIR'] = {str(tmp_path)!r};"
              "print(json.dumps([before, str(ah.MODELS_DIR), str(ah.DATA_FILE)]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOENC_")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, check=True).stdout
    before, after, data = json.loads(out)
    assert before == str(ROOT / "models")
    assert after == str(tmp_path) and data == str(tmp_path / "digits_uci_test_1797.txt")


@pytest.mark.parametrize(("version", "system", "machine", "word"), [
    ((3, 14), "Linux", "x86_64", "3.14"), ((3, 10), "Windows", "AMD64", "3.10"),
    ((3, 9), "Darwin", "arm64", "3.9"), ((3, 12), "Darwin", "x86_64", "Intel macOS")])
def test_make_setup_refuses_what_tensorflow_has_no_wheels_for(version, system, machine,
                                                               word) -> None:
    message = check_python.problem(version, system, machine)
    assert message and word in message


@pytest.mark.parametrize(("version", "system", "machine"), [
    ((3, 11), "Linux", "x86_64"), ((3, 13), "Linux", "aarch64"), ((3, 12), "Darwin", "arm64"),
    ((3, 13), "Windows", "AMD64")])
def test_make_setup_accepts_the_supported_platforms(version, system, machine) -> None:
    assert check_python.problem(version, system, machine) is None
