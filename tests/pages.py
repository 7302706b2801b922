"""Reading pages the way a person would: as text, with HTML entities decoded."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser


def text(response) -> str:
    """Return the response body with entities decoded (tags kept)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(response) -> str:
    """Return the CSRF token of the first form in a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(True))
    if match is None:
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(True))
    assert match, "no CSRF token in page"
    return match.group(1)


def elements(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Return every start tag in `markup` with its attributes, as a browser would parse them."""
    found: list = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(markup)
    return found
