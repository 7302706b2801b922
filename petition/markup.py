"""Safe HTML from what people typed: Markdown for platform texts, web links for addresses."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is shown as text, never passed through; nh3 then removes anything
# a future Markdown extension might let slip (scripts, event handlers, javascript: links).
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "abbr": {"title"}}


def render_markdown(source: str) -> Markup:
    """Render Markdown to sanitized HTML: no scripts, no event handlers, only safe links."""
    html = _md.render(source or "")
    # A document's own h1 is the page title; demote headings so the page keeps one h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


def safe_website(url: str | None) -> str:
    """Return `url` if it is an http(s) address, else "" (never a javascript: link).

    Every address a person or a file supplied (a website, a resource) goes through this
    before it becomes an `href`: forms check addresses, but data can come from elsewhere.
    """
    stripped = (url or "").strip()
    return stripped if stripped.lower().startswith(("https://", "http://")) else ""
