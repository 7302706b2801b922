"""The language switch leads to the same page in the other language, and says so to tools."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from petition.platforms.demo import TEXTS

HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}
OTHER = {"en": "fr", "fr": "en"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_switch_goes_to_the_same_platform_in_the_other_language(
    page, live_server, demo_platform, lang
):
    other = OTHER[lang]
    page.goto(f"/{lang}/p/{demo_platform}/")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXTS[lang]["title"])

    switch = page.locator("a.lang-switch")
    expect(switch).to_have_attribute("lang", HTML_LANG[other])
    expect(switch).to_have_attribute("hreflang", HTML_LANG[other])
    switch.click()

    expect(page).to_have_url(live_server.absolute(f"/{other}/p/{demo_platform}/"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[other])
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXTS[other]["title"])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_root_follows_the_browser_language(new_page, live_server, lang):
    page = new_page(locale=f"{lang}-CA")
    page.goto("/")
    expect(page).to_have_url(live_server.absolute(f"/{lang}/"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
