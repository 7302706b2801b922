"""Phones and narrow windows: no sideways scrolling (WCAG 1.4.10 Reflow), pages usable by touch."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from petition.platforms.demo import TEXTS

HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("where", ["home", "platform", "print", "not-found"])
def test_no_horizontal_scrolling_at_320_pixels(new_page, demo_platform, lang, where):
    page = new_page(viewport={"width": 320, "height": 640})
    path = {
        "home": f"/{lang}/",
        "platform": f"/{lang}/p/{demo_platform}/",
        "print": f"/{lang}/p/{demo_platform}/print",
        "not-found": f"/{lang}/p/no-such-platform/",
    }[where]
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width}px wide in a 320px window"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reading_a_platform_on_a_phone(new_page, live_server, demo_platform, lang):
    page = new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale=f"{lang}-CA",
    )
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=TEXTS[lang]["title"]).tap()
    expect(page).to_have_url(live_server.absolute(f"/{lang}/p/{demo_platform}/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The numbered recommendations are all there, down to the last one.
    recommendations = page.locator(".document ol > li")
    expect(recommendations).to_have_count(8)
    recommendations.last.scroll_into_view_if_needed()
    expect(recommendations.last).to_be_in_viewport()

    # The other language is one tap away, and so is the printable version.
    other = "fr" if lang == "en" else "en"
    page.locator("a.lang-switch").tap()
    expect(page).to_have_url(live_server.absolute(f"/{other}/p/{demo_platform}/"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[other])
    page.locator(".print-link a").tap()
    expect(page).to_have_url(live_server.absolute(f"/{other}/p/{demo_platform}/print"))
