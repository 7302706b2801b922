"""Is a page (or a message) in the language it should be in?

Extends the catalogue check of tests/test_language_leaks.py with WTForms' own messages ("Not a
valid choice."), which a form shows when no message of ours applies.
"""

from __future__ import annotations

from pathlib import Path

import wtforms
from babel.messages.pofile import read_po

from tests.test_language_leaks import UI_STRINGS, _fragments, readable_text

WTFORMS_PO = Path(wtforms.__file__).parent / "locale/fr/LC_MESSAGES/wtforms.po"


def _wtforms_strings() -> dict[str, set[str]]:
    with WTFORMS_PO.open("rb") as f:
        catalog = read_po(f, locale="fr")
    english, french = set(), set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            for msgstr in strings:
                if msgstr:
                    english |= _fragments(msgid, msgstr)
                    french |= _fragments(msgstr, msgid)
    return {"en": english, "fr": french}


_WTFORMS = _wtforms_strings()
STRINGS = {lang: UI_STRINGS[lang] | _WTFORMS[lang] for lang in ("en", "fr")}
HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}


def foreign_text(text: str, lang: str) -> list[str]:
    """Return the other language's interface strings found in `text` (meant to be `lang`)."""
    other = "fr" if lang == "en" else "en"
    return sorted(s for s in STRINGS[other] if s in text)


def page_language_problems(markup: str, lang: str) -> list[str]:
    """Return what is wrong with a page meant to be in `lang` (empty: nothing)."""
    html_lang, text = readable_text(markup, lang)
    problems = []
    if html_lang != HTML_LANG[lang]:
        problems.append(f"<html lang={html_lang!r}>")
    problems.extend(foreign_text(text, lang))
    return problems
