"""The set-up files agree with each other: README, Makefile, CI, requirements, environment.yml."""

import re
import tomllib
from pathlib import Path

import yaml

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
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == "python=3.11" and minimum == ">=3.11"


def test_environment_yml_sets_the_same_variables_as_the_makefile():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    exports = makefile_exports()
    assert exports, "the Makefile should export the TensorFlow log settings"
    assert env["variables"] == exports


def test_every_requirement_has_a_range_and_says_who_needs_it():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
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


def test_generated_folders_are_gitignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    for folder in ["models/", "student/", ".venv/", "figures/"]:
        assert folder in ignored
