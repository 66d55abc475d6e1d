"""The map-forming animation of notebook 04 plays in the built website with no network.

Needs ``make book`` first (``_build/html``). In headless Chromium, with every request that is
not to the local test server blocked and recorded, the page of 04 shows matplotlib's JavaScript
player; pressing Play changes the frame shown, the last frame differs from the first, and no
request tried to leave the machine. Screenshot: screenshots/site-map-animation.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, offline_site_page, play_to_the_last_frame

PAGE = "notebooks/04_training.html"
SCREENSHOTS = ROOT / "screenshots"


def test_map_animation_plays_offline_in_the_site(site: Path, server: str, chromium: str) -> None:
    if not (site / PAGE).is_file():
        pytest.fail(f"no {PAGE} in _build/html/: run `make book` first")
    outside: list[str] = []
    errors: list[str] = []
    with offline_site_page(chromium, server, outside, errors) as page:
        page.goto(server + PAGE, wait_until="load")
        player = page.locator(".animation").filter(has=page.locator(".anim-slider"))
        assert player.count() == 1, "no animation player on the page of 04"
        frame = player.locator('img[id^="_anim_img"]')
        player.scroll_into_view_if_needed()
        first = frame.get_attribute("src")
        assert first and first.startswith("data:image/png"), "the player shows no frame"
        assert len(frame.get_attribute("alt") or "") >= 8, "the frame has no alt text"
        play_to_the_last_frame(page, player, frame, first)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        player.screenshot(path=SCREENSHOTS / "site-map-animation.png")
    assert not outside, f"requests that tried to leave the machine: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
