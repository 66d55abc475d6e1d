"""Browser-test plumbing: a summary of where each notebook's time went.

Each notebook's test puts its phase times into its report's ``user_properties``
(``phase_seconds``); collecting them from the reports works the same whether the notebooks ran in
this process or in pytest-xdist workers (``make browser-test`` runs two).
"""

from __future__ import annotations

import pytest

PHASES = ["open", "run", "checks", "screenshot", "close"]
PHASE_TIMES: dict[str, dict[str, float]] = {}
WORKERS: dict[str, str] = {}  # notebook -> the pytest-xdist worker that ran it ("-": this process)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep the phase times of each notebook's test (from its call-phase report)."""
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "phase_seconds":
            name = report.nodeid.rsplit("[", 1)[-1].rstrip("]")
            PHASE_TIMES[name] = dict(value)
            gateway = getattr(getattr(report, "node", None), "gateway", None)
            WORKERS[name] = gateway.id if gateway is not None else "-"


def pytest_terminal_summary(terminalreporter) -> None:
    """Print each notebook's phase times (open, run, checks, screenshot, close) in seconds."""
    if not PHASE_TIMES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser test: seconds per notebook and phase")
    write(f"{'notebook':36}" + "".join(f"{p:>11}" for p in PHASES) + f"{'total':>9}  worker")
    totals = dict.fromkeys(PHASES, 0.0)
    for name, by_phase in sorted(PHASE_TIMES.items()):
        for phase in PHASES:
            totals[phase] += by_phase.get(phase, 0.0)
        write(f"{name:36}" + "".join(f"{by_phase.get(p, 0.0):11.1f}" for p in PHASES)
              + f"{sum(by_phase.values()):9.1f}  {WORKERS[name]}")
    write(f"{'all':36}" + "".join(f"{totals[p]:11.1f}" for p in PHASES)
          + f"{sum(totals.values()):9.1f}")
