"""The map-forming animation of notebook 04 plays in the built website with no network.

Needs ``make book`` first (``_build/html``). In headless Chromium, with every request that is
not to the local test server blocked and recorded, the page of 04 shows matplotlib's JavaScript
player; pressing Play changes the frame shown, the last frame differs from the first, and no
request tried to leave the machine. Screenshot: screenshots/site-map-animation.png.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator

import pytest
from support import CHROMIUM_ARGS, ROOT, offline_context

SITE = ROOT / "_build" / "html"
PAGE = "notebooks/04_training.html"
SCREENSHOTS = ROOT / "screenshots"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A local HTTP server for the built site, on a free port of 127.0.0.1."""
    if not (SITE / PAGE).is_file():
        pytest.fail(f"no {PAGE} in _build/html/: run `make book` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_map_animation_plays_offline_in_the_site(server: str, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = offline_context(browser, (server, "data:", "blob:"), outside,
                                      {"width": 1300, "height": 900})
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + PAGE, wait_until="load")
            player = page.locator(".animation").filter(has=page.locator(".anim-slider"))
            assert player.count() == 1, "no animation player on the page of 04"
            frame = player.locator('img[id^="_anim_img"]')
            player.scroll_into_view_if_needed()
            first = frame.get_attribute("src")
            assert first and first.startswith("data:image/png"), "the player shows no frame"
            assert len(frame.get_attribute("alt") or "") >= 8, "the frame has no alt text"
            player.locator('button[title="Play"]').click()
            deadline = time.monotonic() + 20
            while frame.get_attribute("src") == first:
                assert time.monotonic() < deadline, "pressing Play did not change the frame"
                page.wait_for_timeout(100)
            player.locator('button[title="Last frame"]').click()
            page.wait_for_timeout(300)
            assert frame.get_attribute("src") not in (first, None), "the last frame is the first"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            player.screenshot(path=SCREENSHOTS / "site-map-animation.png")
        finally:
            browser.close()
    assert not outside, f"requests that tried to leave the machine: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
