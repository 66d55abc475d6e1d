"""Constants shared by the classroom browser tests (imported by their conftest and tests)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = (
    "Chromium is not installed, so the website and explorer browser tests cannot run. "
    "Install it with `apt-get install chromium` (Debian/Ubuntu), then run `make classroom-test`."
)
# The machine has no network: without these flags Chromium keeps trying to reach Google.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
