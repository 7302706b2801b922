"""What the pages say in each language, taken from the app's own catalogue.

Journeys find buttons and check messages by the words a person reads. Taking those words from
the compiled catalogue keeps the tests in step with the translations, while still proving each
page speaks its own language (a French page must show the French words, not the English ones).
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "petition" / "translations"
HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}
OTHER = {"en": "fr", "fr": "en"}


@functools.cache
def _catalogue(lang: str) -> Translations:
    translations = Translations.load(str(TRANSLATIONS), [lang])
    assert lang == "en" or isinstance(translations, Translations), f"no {lang} catalogue"
    return translations


def say(lang: str, message: str, **values) -> str:
    """Return `message` as the `lang` pages show it, with its %(placeholders)s filled in."""
    text = _catalogue(lang).gettext(message)
    if lang != "en":
        # Some words are the same in both languages; a message missing from the catalogue is not.
        known = message in _catalogue(lang)._catalog
        assert known, f"{message!r} is not in the {lang} catalogue"
    return text % values if values else text


def say_n(lang: str, singular: str, plural: str, n: int, **values) -> str:
    """Return the singular or plural message for `n`, as the `lang` pages show it."""
    text = _catalogue(lang).ngettext(singular, plural, n)
    return text % {"num": n, **values}
