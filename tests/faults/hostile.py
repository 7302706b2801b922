"""Hostile values an attacker would plant, and the check that none of them comes out live.

Every piece of markup here carries the attribute `data-pwn`, so a parsed page can be searched
for it: if any element has that attribute, a value reached the page as HTML instead of text.
The values are parsed as a browser would (html.parser), never grepped.
"""

from __future__ import annotations

from html.parser import HTMLParser

MARK = "data-pwn"

# A form that would own the page's CSRF token, a refresh with no click, a script, an image.
FORM = f'<form {MARK} action="/admin/accounts/new" method="post"><input name="email"></form>'
META = f'<meta {MARK} http-equiv="refresh" content="0;url=https://evil.example/">'
SCRIPT = f"<script {MARK}>alert(1)</script>"
IMG = f'<img {MARK} src="x" onerror="alert(1)">'
# Attribute breakouts: a value that closes a quoted attribute and opens a tag of its own.
BREAKOUT = f'"><b {MARK}>x</b>'
SINGLE_BREAKOUT = f"'><i {MARK}>x</i>"

MARKUP = (FORM, META, SCRIPT, IMG, BREAKOUT, SINGLE_BREAKOUT)
JAVASCRIPT_URL = "javascript:alert(document.domain)"
CRLF = "Line one\r\nSet-Cookie: pwn=1\r\n"
FORMULAS = ('=HYPERLINK("https://evil.example")', "+1+2", "-2+3", "@SUM(A1)")


def hostile_text(label: str = "") -> str:
    """Return one value holding every piece of markup (with `label`, to find it again)."""
    return label + " " + " ".join(MARKUP)


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.javascript: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if MARK in names or any(name.startswith("on") for name in names):
            self.live.append(f"<{tag} {attrs}>")
        if tag == "meta" and any(n == "http-equiv" and v == "refresh" for n, v in attrs):
            self.live.append(f"<meta refresh {attrs}>")
        for name, value in attrs:
            link = name in {"href", "src", "action", "formaction"} and (value or "")
            if link and link.strip().lower().replace("\t", "").startswith("javascript:"):
                self.javascript.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def scan(markup: str) -> _Scan:
    """Parse `markup` as a browser would and return what it found."""
    parser = _Scan()
    parser.feed(markup)
    parser.close()
    return parser


def assert_nothing_live(response, where: str = "") -> str:
    """Fail if the page holds any planted element or javascript: link; return its text."""
    body = response.get_data(as_text=True)
    found = scan(body)
    where = where or response.request.path
    assert not found.live, f"live markup from user data on {where}: {found.live[:3]}"
    assert not found.javascript, f"javascript: link on {where}: {found.javascript[:3]}"
    return " ".join(found.text)
