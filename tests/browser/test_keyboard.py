"""Keyboard users: the skip link comes first and works, and focus is always visible."""

from __future__ import annotations

import pytest

from tests.browser.actions import describe, focus_is_visible, tab_through, tab_until


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_first_tab_focuses_the_skip_link_and_enter_moves_to_main(page, demo_platform, lang):
    page.goto(f"/{lang}/p/{demo_platform}/")
    assert tab_until(page, "a.skip-link", max_tabs=1) == 1
    box = page.locator("a.skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("where", ["home", "platform", "print"])
def test_every_focused_element_shows_a_focus_ring(page, demo_platform, lang, where):
    path = {
        "home": f"/{lang}/",
        "platform": f"/{lang}/p/{demo_platform}/",
        "print": f"/{lang}/p/{demo_platform}/print",
    }[where]
    page.goto(path)
    visited = tab_through(page)
    assert len(visited) >= 2, [describe(e) for e in visited]
    invisible = [describe(e) for e in visited if not focus_is_visible(e)]
    assert not invisible, f"no visible focus on: {invisible}"
