"""No interface text in the wrong language: every public page, rendered in each language.

Every GET route under `/<lang>/` is rendered (new pages are picked up automatically); its
visible text and accessible names (alt, aria-label, title, placeholder, button values) must
contain no interface string of the other language. The strings come from the catalogue:
each msgid whose French translation differs, cut at its placeholders, keeping pieces of two
words or more. Text marked with a `lang` attribute for the other language (the language
switch, content shown in its fallback language) is left out, as is database content, which is
not in the catalogue.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db
from petition.platforms.demo import load_demo_platform

PO = Path(__file__).resolve().parent.parent / "petition/translations/fr/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}
# Values for route arguments other than `lang`. Anything else gets "1": a page for an unknown
# id or token is still a page that must speak the visitor's language.
SLUG = "decriminalization-with-dignity"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
NAMED_BY = ("alt", "aria-label", "title", "placeholder")


def _words(text: str) -> str:
    return " ".join(text.split())


def _fragments(message: str, translation: str) -> set[str]:
    pieces = (_words(p).strip(" .,:;·") for p in PLACEHOLDER.split(message))
    return {p for p in pieces if len(p.split()) > 1 and p not in _words(translation)}


def _ui_strings() -> dict[str, set[str]]:
    """Return, per language, the catalogue's interface text that exists only in that language."""
    with PO.open("rb") as f:
        catalog = read_po(f, locale="fr")
    english, french = set(), set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            for msgstr in strings:
                if msgstr and _words(msgstr) != _words(msgid):
                    english |= _fragments(msgid, msgstr)
                    french |= _fragments(msgstr, msgid)
    return {"en": english, "fr": french}


class _ReadableText(HTMLParser):
    """Collect what a reader sees or hears, minus parts marked as another language."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.chunks: list[str] = []
        self.html_lang = ""
        self._stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang") or ""
        own_lang = (attributes.get("lang") or "").split("-")[0]
        hidden = tag in {"script", "style", "template"} or own_lang not in {"", self.lang}
        if not hidden and not self._hidden():
            self.chunks.extend(attributes[name] for name in NAMED_BY if attributes.get(name))
            if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
                self.chunks.append(attributes.get("value") or "")
        if tag not in VOID:
            self._stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._stack.pop()

    def handle_endtag(self, tag):
        # Tolerate implied end tags: close up to the nearest open element of this name.
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden():
            self.chunks.append(data)


def readable_text(markup: str, lang: str) -> tuple[str, str]:
    """Return a page's `<html lang>` and its text in `lang`, whitespace collapsed."""
    parser = _ReadableText(lang)
    parser.feed(markup)
    parser.close()
    return parser.html_lang, _words(" ".join(parser.chunks))


def _public_pages() -> list[tuple[str, str]]:
    """Return (rule, path with `{lang}` left open) for every GET page under `/<lang>/`."""
    app = create_app(settings_for_tests())
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or "lang" not in rule.arguments:
            continue
        values = {name: (SLUG if name == "slug" else "1") for name in rule.arguments}
        values["lang"] = "LANG"
        built = rule.build(values, append_unknown=False)
        assert built is not None, f"cannot build a URL for {rule.rule}"
        pages.append((rule.rule, built[1].replace("LANG", "{lang}")))
    pages.append(("a missing platform", "/{lang}/p/no-such-platform/"))
    return pages


UI_STRINGS = _ui_strings()
PAGES = _public_pages()


def leaks(markup: str, lang: str) -> list[str]:
    """Return the other language's interface strings found in a page meant to be in `lang`."""
    _html_lang, text = readable_text(markup, lang)
    other = "en" if lang == "fr" else "fr"
    return sorted(s for s in UI_STRINGS[other] if s in text)


def test_the_check_finds_a_leak_and_respects_lang_marks():
    assert "Skip to main content" in UI_STRINGS["en"]
    assert "Passer au contenu principal" in UI_STRINGS["fr"]
    page = (
        '<html lang="fr-CA"><head><title>Accueil</title></head><body>'
        '<a href="/en/" lang="en-CA">English <b>Skip to main content</b></a>'
        '<img src="x.png" alt="Related resources"><br><p>Du texte en français'
    )
    assert leaks(page, "fr") == ["Related resources"]
    assert leaks('<p title="Passer au contenu principal">x</p>', "en") == [
        "Passer au contenu principal"
    ]


@pytest.fixture
def demo_client(app):
    with app.app_context():
        load_demo_platform()
        db.session.commit()
    return app.test_client()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("rule", "path"), PAGES, ids=[rule for rule, _path in PAGES])
def test_no_interface_text_in_the_other_language(demo_client, rule, path, lang):
    response = demo_client.get(path.format(lang=lang), follow_redirects=True)
    assert response.status_code < 500, f"{rule}: {response.status_code}"
    if response.mimetype != "text/html":
        return  # Feeds and downloads have no interface text of their own to check here.
    markup = response.get_data(as_text=True)
    html_lang, _text = readable_text(markup, lang)
    assert html_lang == HTML_LANG[lang], f"{rule}: <html lang={html_lang!r}>"
    found = leaks(markup, lang)
    assert not found, f"{path.format(lang=lang)} shows text in the wrong language: {found}"
