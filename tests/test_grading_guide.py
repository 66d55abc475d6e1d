"""docs/grading.md names only nbgrader commands that ``make autograde-demo`` runs, word for word.

(tools/autograde_demo.py runs them; CI runs the demo, which fails when any command fails.)
"""

from __future__ import annotations

import re
from pathlib import Path

from support import load_tool

demo = load_tool("autograde_demo")
ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "grading.md"


def guide_commands() -> list[str]:
    """Return the nbgrader command lines of the guide's bash blocks (comments removed)."""
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("nbgrader ")]


def test_the_guide_names_only_commands_the_demo_runs() -> None:
    demo_commands = {command.format(assignment="01_data_format")
                     for command in (*demo.TEACHER_COMMANDS, *demo.STUDENT_COMMANDS)}
    named = set(guide_commands())
    assert named, "no nbgrader command found in the guide's bash blocks"
    extra = named - demo_commands - {"nbgrader generate_assignment 01_data_format --force"}
    assert not extra, f"the guide names commands the demo does not run: {sorted(extra)}"
    assert demo_commands <= named, f"the demo runs commands the guide does not name: " \
        f"{sorted(demo_commands - named)}"


def test_the_guide_names_no_retired_command() -> None:
    assert "nbgrader formgrade" not in guide_commands()
