"""Browser-test plumbing: a summary of where each notebook's time went."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    """Print each notebook's phase times (open, run, checks, screenshot, close) in seconds."""
    module = sys.modules.get("test_jupyterlab")
    times = getattr(module, "PHASE_TIMES", None)
    if not times:
        return
    phases = ["open", "run", "checks", "screenshot", "close"]
    write = terminalreporter.write_line
    terminalreporter.section("browser test: seconds per notebook and phase")
    write(f"{'notebook':32}" + "".join(f"{p:>11}" for p in phases) + f"{'total':>9}")
    totals = dict.fromkeys(phases, 0.0)
    for name, by_phase in times.items():
        for phase in phases:
            totals[phase] += by_phase.get(phase, 0.0)
        write(f"{name:32}" + "".join(f"{by_phase.get(p, 0.0):11.1f}" for p in phases)
              + f"{sum(by_phase.values()):9.1f}")
    write(f"{'all':32}" + "".join(f"{totals[p]:11.1f}" for p in phases)
          + f"{sum(totals.values()):9.1f}")
