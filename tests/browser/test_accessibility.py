"""Pages that need a server of their own pass axe-core's WCAG 2.1 A/AA checks, as served.

Every other public and admin page, in both languages, is checked in test_every_page.py.
"""

from __future__ import annotations

import pytest

from tests.browser.axe import axe, axe_violations

LANGS = ["en", "fr"]


def _open(page, path: str, status: int = 200):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path}: {response and response.status}"
    )
    return csp_errors


@pytest.mark.parametrize("lang", LANGS)
def test_empty_home_page(page, lang):
    _open(page, f"/{lang}/")
    axe(page)


@pytest.mark.parametrize("lang", LANGS)
def test_bilingual_not_found_page(new_page, lang):
    # A URL in no known language: the page speaks the browser's language (one language
    # decision for every response), and stays accessible.
    page = new_page(locale=f"{lang}-CA")
    _open(page, "/de/p/anything/", status=404)
    axe(page)
    assert page.locator("html").get_attribute("lang") == f"{lang}-CA"
    other = "fr" if lang == "en" else "en"
    assert page.locator(f"section[lang={other}-CA]").count() == 0


def test_axe_reports_violations_readably(page):
    # The harness itself: a page with a known defect is caught, and the message names it.
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    violations = axe_violations(page)
    assert "image-alt" in {v["id"] for v in violations}
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).*\n.*at img"):
        axe(page)
