"""A crawler for the Flask test client: follows links and GET forms, and collects every form.

Links come from HTML (`href`, `src`, GET form actions with their default values), and from
feeds, JSON and text bodies (absolute URLs on the site, JSON strings that are site paths), so
the API's pagination links, a sitemap's entries and a feed's links are followed too.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

LINK_ATTRS = {
    "a": "href",
    "link": "href",
    "area": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
}
TEXT_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")
ABSOLUTE_URL = re.compile(r"https?://[^\s<>\"'\\]+")


@dataclass
class FormField:
    name: str
    kind: str  # text, hidden, password, email, checkbox, radio, select, textarea, submit...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)

    def field_names(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.fields))

    def choices(self, name: str) -> list[str]:
        """Return the values a browser could send for `name` (options, radio values...)."""
        values = []
        for f in self.fields:
            if f.name != name:
                continue
            values.extend(f.options or [f.value])
        return list(dict.fromkeys(values))

    def defaults(self) -> list[tuple[str, str]]:
        """Return what a browser submits when nobody changes anything but the first button."""
        data = []
        clicked = False
        for f in self.fields:
            if f.kind == "submit" and not clicked:
                clicked = True
                data.append((f.name, f.value))
                continue
            if f.kind in {"submit", "button", "reset", "image", "file"}:
                continue
            if f.kind in {"checkbox", "radio"}:
                if f.checked:
                    data.append((f.name, f.value or "on"))
            elif f.kind == "select":
                data.append((f.name, f.value if f.value else (f.options[0] if f.options else "")))
            else:
                data.append((f.name, f.value))
        return data


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option_value: str | None = None
        self._option_text = ""
        # Controls outside their form, attached by `form="<id>"`.
        self._by_id: dict[str, Form] = {}
        self._detached: list[tuple[str, FormField]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag in LINK_ATTRS and a.get(LINK_ATTRS[tag]):
            self.links.append(a[LINK_ATTRS[tag]])
        if tag == "form":
            self._form = Form(page="", action=a.get("action", ""), method=a.get("method", "get"))
            self._form.method = self._form.method.lower() or "get"
            self.forms.append(self._form)
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        if tag == "option" and self._select is not None:
            self._start_option(a)
            return
        if "name" not in a or tag not in {"input", "button", "select", "textarea"}:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            control = FormField(a["name"], kind, a.get("value", ""), checked="checked" in a)
        elif tag == "button":
            control = FormField(a["name"], "submit", a.get("value", ""))
        elif tag == "select":
            control = self._select = FormField(a["name"], "select")
        else:
            control = self._textarea = FormField(a["name"], "textarea")
        if a.get("form"):
            self._detached.append((a["form"], control))
        elif self._form is not None:
            self._form.fields.append(control)

    def _start_option(self, a):
        self._option_value = a.get("value")
        self._option_text = ""
        if "selected" in a:
            self._select.value = a.get("value", "")
        self._selected_pending = "selected" in a

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text
            self._select.options.append(value)
            if getattr(self, "_selected_pending", False):
                self._select.value = value
            self._option_value = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option_value is None and self._select is not None:
            self._option_text += data.strip()

    def close(self):
        super().close()
        for form_id, control in self._detached:
            if form_id in self._by_id:
                self._by_id[form_id].fields.append(control)


def parse_html(markup: str) -> tuple[list[str], list[Form]]:
    parser = _PageParser()
    parser.feed(markup)
    parser.close()
    return parser.links, parser.forms


def _json_strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


@dataclass
class Page:
    path: str
    status: int
    mimetype: str
    headers: dict
    cookies: list[str]
    body: str
    forms: list[Form]
    location: str | None = None


class Crawler:
    """Breadth-first crawl through a Flask test client, staying on the site."""

    def __init__(
        self,
        client,
        base_url: str,
        allow: Callable[[str], bool] = lambda path: True,
        limit: int = 400,
        per_path: int = 8,
    ) -> None:
        self.client = client
        self.base = urlsplit(base_url)
        self.allow = allow
        self.limit = limit
        # Filter and page links multiply query strings: a few variants of a path are enough.
        self.per_path = per_path
        self._variants: dict[str, int] = {}
        self.pages: dict[str, Page] = {}

    def local(self, url: str, page: str) -> str | None:
        """Return the site path (with query) of `url` as seen from `page`, or None if off-site."""
        url = url.strip()
        if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
            return None
        parts = urlsplit(urljoin(f"{self.base.scheme}://{self.base.netloc}{page}", url))
        if (parts.scheme, parts.netloc) != (self.base.scheme, self.base.netloc):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def links(self, page: Page) -> list[str]:
        found: list[str] = []
        if page.mimetype == "text/html":
            raw, _forms = parse_html(page.body)
            found.extend(raw)
            for form in page.forms:
                if form.method == "get":
                    action = form.action or page.path.split("?")[0]
                    query = urlencode(form.defaults())
                    found.append(f"{action}?{query}" if query else action)
        else:
            found.extend(ABSOLUTE_URL.findall(page.body))
            found.extend(re.findall(r'href="([^"]+)"', page.body))
            if "json" in page.mimetype:
                try:
                    document = json.loads(page.body)
                except ValueError:
                    document = None
                found.extend(
                    s for s in _json_strings(document) if s.startswith("/") and " " not in s
                )
        return [p for p in (self.local(u, page.path) for u in found) if p is not None]

    def fetch(self, path: str) -> Page:
        response = self.client.get(path, base_url=f"{self.base.scheme}://{self.base.netloc}")
        response.make_sequence()  # Read static files whole, then close them.
        response.close()
        mimetype = response.mimetype or ""
        body = ""
        if mimetype.startswith(TEXT_TYPES) or "json" in mimetype or "xml" in mimetype:
            body = response.get_data(as_text=True)
        forms: list[Form] = []
        if mimetype == "text/html":
            _links, forms = parse_html(body)
            for form in forms:
                form.page = path
                form.action = self.local(form.action or path, path) or form.action
        page = Page(
            path=path,
            status=response.status_code,
            mimetype=mimetype,
            headers=dict(response.headers),
            cookies=response.headers.getlist("Set-Cookie"),
            body=body,
            forms=forms,
        )
        if response.headers.get("Location"):
            page.location = self.local(response.headers["Location"], path)
        return page

    def crawl(self, seeds: Iterable[str]) -> dict[str, Page]:
        queue = deque(seeds)
        seen = set(queue)
        while queue and len(self.pages) < self.limit:
            path = queue.popleft()
            bare = path.split("?")[0]
            if not self.allow(path) or self._variants.get(bare, 0) >= self.per_path:
                continue
            self._variants[bare] = self._variants.get(bare, 0) + 1
            page = self.fetch(path)
            self.pages[path] = page
            following = self.links(page)
            if page.location:
                following.append(page.location)
            for link in following:
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
        return self.pages

    def forms(self) -> list[Form]:
        return [form for page in self.pages.values() for form in page.forms]
