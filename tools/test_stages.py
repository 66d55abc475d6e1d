"""Run ``make test``'s stages and print each stage's time at the end.

Each argument is one stage, ``NAME=COMMAND`` (run by the shell). Stages run one after another
in the order given; a stage written ``NAME&=COMMAND`` starts in the background and the next
stage starts at once (its output is held back and printed when it ends, so outputs do not
interleave). Once a stage fails no new stage starts; the ones running are waited for. The exit
status is 0 only when every stage passed.

Usage (what ``make test`` runs where Chromium is installed; without it, ``"nbval=make nbval"``
comes before the browser test, which then skips)::

    .venv/bin/python tools/test_stages.py "lint=make lint" "unit=make unit" \\
        "browser-test=make browser-test"
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO


class Stage:
    """One stage: its command, and once run, its time and exit status."""

    def __init__(self, name: str, command: str, background: bool):
        self.name, self.command, self.background = name, command, background
        self.start = 0.0
        self.seconds: float | None = None
        self.returncode: int | None = None
        self.process: subprocess.Popen | None = None
        self.log: IO[bytes] | None = None
        self.waiter: threading.Thread | None = None

    def wait(self) -> None:
        """Wait for the process; record its exit status and its own end time."""
        assert self.process is not None
        self.returncode = self.process.wait()
        self.seconds = time.monotonic() - self.start


def parse(argument: str) -> Stage:
    """``NAME=COMMAND`` or ``NAME&=COMMAND``."""
    name, sep, command = argument.partition("=")
    if not sep or not name.rstrip("&") or not command.strip():
        raise ValueError(f"a stage is NAME=COMMAND or NAME&=COMMAND, not {argument!r}")
    return Stage(name.rstrip("&"), command, background=name.endswith("&"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def start(stage: Stage) -> None:
    print(f"=== {stage.name}: {stage.command}" + (" (in the background)" if stage.background
                                                  else ""), flush=True)
    stage.start = time.monotonic()
    if stage.background:
        stage.log = tempfile.TemporaryFile()
        stage.process = subprocess.Popen(stage.command, shell=True, stdout=stage.log,
                                         stderr=subprocess.STDOUT)
        # a thread waits, so the stage's time ends when it ends, not when it is looked at
        stage.waiter = threading.Thread(target=stage.wait, daemon=True)
        stage.waiter.start()
    else:
        stage.process = subprocess.Popen(stage.command, shell=True)


def finish(stage: Stage) -> None:
    if stage.waiter is not None:
        stage.waiter.join()
    else:
        stage.wait()
    if stage.log is not None:
        stage.log.seek(0)
        print(f"=== output of {stage.name} (ran in the background):", flush=True)
        sys.stdout.buffer.write(stage.log.read())
        sys.stdout.flush()
        stage.log.close()


def summary(stages: list[Stage], wall: float, load_before: str) -> str:
    lines = ["", "make test: stage times (seconds, wall clock)"]
    for stage in stages:
        if stage.seconds is None:
            lines.append(f"  {stage.name:14} {'-':>7}  not run")
            continue
        result = "ok" if stage.returncode == 0 else f"FAILED (exit {stage.returncode})"
        where = "  (in parallel with the next stages)" if stage.background else ""
        lines.append(f"  {stage.name:14} {stage.seconds:7.1f}  {result}{where}")
    lines.append(f"  {'total':14} {wall:7.1f}  on {os.cpu_count()} CPU cores; "
                 f"load average before {load_before}, after {load()}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if arguments else 2
    stages = [parse(a) for a in arguments]
    load_before, began = load(), time.monotonic()
    running: list[Stage] = []
    failed = False
    for stage in stages:
        if failed:
            break
        start(stage)
        if stage.background:
            running.append(stage)
            continue
        finish(stage)
        failed = stage.returncode != 0
        for other in [s for s in running if s.waiter and not s.waiter.is_alive()]:
            finish(other)
            running.remove(other)
            failed |= other.returncode != 0
    for stage in running:
        finish(stage)
    print(summary(stages, time.monotonic() - began, load_before), flush=True)
    return 0 if all(s.returncode == 0 for s in stages) else 1


if __name__ == "__main__":
    sys.exit(main())
