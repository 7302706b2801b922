"""Reading forms and links out of admin pages, to click them as a person would."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._form = None
        self._textarea = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get"),
                "fields": {},
                "text": "",
            }
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attrs.get("name"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self._form["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and self._form is not None:
            self._textarea = attrs.get("name")
            self._form["fields"][self._textarea] = ""
        elif tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data
        if self._form is not None:
            self._form["text"] += data
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None


def forms(response) -> list[dict]:
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def links(response) -> list[tuple[str, str]]:
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.links


def form_with(response, **fields) -> dict:
    """Return the first form of a page whose fields hold the given values."""
    for form in forms(response):
        if all(form["fields"].get(k) == v for k, v in fields.items()):
            return form
    raise AssertionError(f"no form with {fields}")
