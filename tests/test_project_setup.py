"""The set-up files agree with each other: README, Makefile, CI, requirements, environment.yml."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from support import load_module

ROOT = Path(__file__).resolve().parent.parent


def makefile_exports() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text()
    return dict(re.findall(r"^export (\w+) := (\S+)$", text, flags=re.MULTILINE))


def test_environment_yml_takes_its_pip_packages_from_requirements_txt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-r requirements.txt" in pip_section
    assert "-e ." in pip_section


def test_environment_yml_python_satisfies_the_project_minimum():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == "python=3.11" and required == ">=3.11,<3.14"


def test_supported_pythons_agree_in_pyproject_check_and_readme():
    """pyproject, tools/check_python.py (make setup) and the README name the same versions."""
    check = load_module(ROOT / "tools" / "check_python.py")
    assert check.SUPPORTED == ((3, 11), (3, 12), (3, 13))
    readme = (ROOT / "README.md").read_text()
    assert "3.11, 3.12 and 3.13" in readme and "Intel Macs" in readme
    assert "3.11 or newer" not in readme


def test_environment_yml_sets_the_same_variables_as_the_makefile():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    exports = makefile_exports()
    assert exports, "the Makefile should export the TensorFlow log settings"
    assert env["variables"] == exports


TEST_TOOLS = {"pytest", "nbval", "pytest-xdist", "ruff", "playwright"}


def requirement_names(name: str) -> set[str]:
    lines = (ROOT / name).read_text().splitlines()
    return {re.split(r"[<>=;\s]", line, maxsplit=1)[0].lower() for line in lines
            if line.strip() and not line.startswith(("#", "-r"))}


def test_learners_requirements_have_no_test_tools_and_dev_adds_them():
    assert not requirement_names("requirements.txt") & TEST_TOOLS
    assert TEST_TOOLS <= requirement_names("requirements-dev.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def test_make_and_the_readme_route_install_the_dev_requirements():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements-dev.txt" in makefile
    assert "$(STAMP): requirements.txt requirements-dev.txt pyproject.toml" in makefile
    readme = (ROOT / "README.md").read_text()
    assert "pip install -r requirements-dev.txt" in readme


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_has_a_range_and_says_who_needs_it(name):
    for line in (ROOT / name).read_text().splitlines():
        if not line.strip() or line.startswith(("#", "-r")):
            continue
        if ";" in line:  # platform-specific lines are explained by the comment above them
            assert ">=" in line and "<" in line, line
            continue
        spec, _, comment = line.partition("#")
        assert ">=" in spec and "<" in spec and "==" not in spec, line
        assert comment.strip(), f"say which notebook or tool needs it: {line}"


def test_ci_runs_the_test_command_that_the_readme_gives():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\b", ci, flags=re.MULTILINE)


def test_ci_runs_the_site_and_install_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    for target in ("classroom-test", "install-test"):
        assert re.search(rf"^make {target}\b", ci, flags=re.MULTILINE), target


def test_generated_folders_are_gitignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    for folder in ["models/", "student/", ".venv/", "figures/"]:
        assert folder in ignored
