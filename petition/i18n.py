"""Locale from the URL prefix, language-switch URLs, and the translation functions."""

from __future__ import annotations

import re
from datetime import datetime

from babel import Locale, support
from flask import Flask, abort, current_app, g, has_request_context, request, url_for
from flask_babel import format_date as babel_format_date
from flask_babel import (
    format_number,
    get_locale,
    get_translations,
    gettext,
    to_user_timezone,
)
from flask_babel import format_time as babel_format_time
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter
from wtforms.i18n import messages_path as wtforms_messages_path

_ = gettext


def _with_grouped_count(text: str, num) -> str:
    # "%(num)d" prints 1556; the locale's formatter prints 1,556 or 1 556.
    return text.replace("%(num)d", format_number(num)) if isinstance(num, int) else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Translate a message about `num` things, the number written as the language writes it."""
    text = get_translations().ungettext(singular, plural, num)
    variables.setdefault("num", num)
    return _with_grouped_count(text, num) % variables


class LazyText(LazyString):
    """A translation looked up when it is used. In a template it is text, never markup.

    Flask-Babel's own lazy strings say they are safe HTML (`__html__` returns them as they
    are), so a value interpolated into one, say a CSV heading in an import error, reached the
    page as live markup. This one is escaped like any other string; the values given to it
    are escaped with it.
    """

    def __html__(self) -> Markup:
        return escape(str(self))


def _l(string: str, **variables) -> LazyText:
    """Translate `string` lazily (module-level labels and messages), escaped in templates."""
    return LazyText(gettext, string, **variables)


__all__ = [
    "LANG_NAMES",
    "_",
    "_l",
    "current_lang",
    "format_date",
    "format_number",
    "format_time",
    "format_when",
    "ngettext",
    "other_lang",
    "quoted",
]

LANGUAGES = ("en", "fr")
# Each language's name written in that language: the switch shows the one you switch to.
LANG_NAMES = {"en": "English", "fr": "Français"}
HTML_LANG = {"en": "en-CA", "fr": "fr-CA"}


class LangConverter(BaseConverter):
    """Match only the supported locale prefixes, so `/de/...` is an ordinary 404."""

    regex = "(?:en|fr)"


def current_lang() -> str:
    """Return the locale of the current page: its URL prefix, else the negotiated locale."""
    lang = g.get("lang")
    if lang:
        return lang
    return str(get_locale() or "en")


def other_lang(lang: str | None = None) -> str:
    return "fr" if (lang or current_lang()) == "en" else "en"


def best_lang_for_request() -> str:
    """Pick French for `fr`, `fr-CA`... in Accept-Language, English otherwise."""
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def lang_of_path() -> str | None:
    """Return the language prefix of the requested path (`/fr/...`), if it has one."""
    prefix = request.path.split("/")[1]
    return prefix if prefix in LANGUAGES else None


def requested_lang() -> str | None:
    """Return the language asked for with `?lang=`, if it is one of ours."""
    chosen = request.args.get("lang")
    return chosen if chosen in LANGUAGES else None


def negotiated_lang() -> str:
    """Return the one language of this response.

    In order: the path prefix (`/fr/...`), the logged-in admin's saved language (set on `g`
    once the admin is known), `?lang=`, then the browser's Accept-Language. Pages, error pages
    (HTML and JSON) and the API all decide with this.
    """
    return (
        g.get("lang")
        or lang_of_path()
        or (g.get("ui_lang") if g.get("ui_lang") in LANGUAGES else None)
        or requested_lang()
        or best_lang_for_request()
    )


def page_is_localized() -> bool:
    """Say whether the current page has a locale prefix (and so a twin in the other language)."""
    rule = request.url_rule
    return bool(rule is not None and "lang" in rule.arguments)


def switch_url(target: str) -> str:
    """Return the current page's URL in the `target` language, keeping path and query arguments."""
    if page_is_localized():
        view_args = {**(request.view_args or {}), "lang": target}
        args = request.args.to_dict(flat=False)
        # A query argument can never silently replace a path argument.
        args = {k: v for k, v in args.items() if k not in view_args}
        return url_for(request.endpoint, **view_args, **args)
    return url_for("platforms.home", lang=target)


# Dates and times as a Quebec editor writes them: "1er mars 2027", "9 h 30", "14 h" (with
# no-break spaces, so a line never breaks inside a time). Babel's fr_CA patterns name the
# month and weekday; the first of the month and the hours are Quebec usage (OQLF).
_QUEBEC = Locale.parse("fr_CA")
_FIRST_DAY = re.compile(r"(?<![d'])d(?!d)")
_NAMED_FORMATS = ("short", "medium", "long", "full")


def _speaking() -> str:
    """Return the language translations are in right now (an email may differ from its page)."""
    return str(get_locale() or "en")[:2]


def format_date(value, format: str = "medium") -> str:
    """Format a date (or a moment, in the site's time zone) in the page's language."""
    if value is None:
        return ""
    if _speaking() != "fr":
        return babel_format_date(value, format)
    pattern = _QUEBEC.date_formats[format].pattern if format in _NAMED_FORMATS else format
    # A moment's day is the day in the site's time zone, as Flask-Babel will print it.
    day = to_user_timezone(value).day if isinstance(value, datetime) else value.day
    if day == 1:
        pattern = _FIRST_DAY.sub("d'er'", pattern, count=1)
    return babel_format_date(value, pattern)


def format_time(value, format: str = "short") -> str:
    """Format a time of day in the page's language: "9:30 AM", "9 h 30"."""
    if value is None:
        return ""
    if _speaking() != "fr" or format not in ("short", "medium"):
        return babel_format_time(value, format)
    moment = to_user_timezone(value) if isinstance(value, datetime) else value
    if format == "medium":
        return babel_format_time(value, "H'\u00a0h\u00a0'mm'\u00a0min\u00a0'ss'\u00a0s'")
    return babel_format_time(value, "H'\u00a0h'" if moment.minute == 0 else "H'\u00a0h\u00a0'mm")


def quoted(text, lang: str | None = None) -> str:
    """Quote a title inserted into a sentence: « Titre » in French, “Title” in English."""
    if (lang or _speaking()) == "fr":
        return f"«\u00a0{text}\u00a0»"
    return f"“{text}”"


def colon() -> str:
    """Return the colon that joins a label to what follows, with French's no-break space."""
    return "\u00a0:" if _speaking() == "fr" else ":"


def site_name() -> str:
    """Return the site's name in the language being spoken.

    French: SITE_NAME_FR, else SITE_NAME; English: SITE_NAME; without one, the default name
    in the language.
    """
    config = current_app.config
    named = (config.get("SITE_NAME_FR") if _speaking() == "fr" else None) or config.get("SITE_NAME")
    return named or _("Platform sign-on")


def format_when(value) -> str:
    """Format a moment as a long date and short time in the site's time zone."""
    if value is None:
        return ""
    return _(
        "%(date)s at %(time)s", date=format_date(value, "long"), time=format_time(value, "short")
    )


def select_locale() -> str | None:
    if not has_request_context():
        # Command-line tools: the default locale (English).
        return None
    return negotiated_lang()


class _WTFormsMessages:
    """WTForms' own messages in the language being spoken, each catalogue read once a process.

    Flask-WTF reads WTForms' catalogue from disk again for every request that shows or checks
    a form (`request.wtforms_translations`); this stands in for it. The language is looked up
    when a message is, as Flask-WTF does (an admin page's language is known only once the
    admin is).
    """

    def __init__(self) -> None:
        self._catalogues: dict[str, support.Translations] = {}

    def _catalogue(self) -> support.Translations:
        locale = str(get_locale() or "en")
        if locale not in self._catalogues:
            self._catalogues[locale] = support.Translations.load(
                wtforms_messages_path(), [locale], domain="wtforms"
            )
        return self._catalogues[locale]

    def ugettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


def init_app(app: Flask) -> None:
    """Register the locale converter and the hooks that move `lang` between URLs and `g`."""
    app.url_map.converters["lang"] = LangConverter
    wtforms_messages = _WTFormsMessages()

    @app.before_request
    def keep_wtforms_messages():
        request.wtforms_translations = wtforms_messages

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        if values and "lang" in values:
            lang = values.pop("lang")
            if lang not in LANGUAGES:
                abort(404)
            g.lang = lang

    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" in values or not g.get("lang"):
            return
        if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang

    # Templates' ngettext too writes its count with the locale's formatter.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: _with_grouped_count(get_translations().ungettext(s, p, n), n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _with_grouped_count(
            get_translations().unpgettext(c, s, p, n), n
        ),
    )
    app.jinja_env.filters["quoted"] = quoted
    app.jinja_env.globals["site_name"] = site_name
    app.jinja_env.globals["colon"] = colon
    app.jinja_env.globals.update(
        format_time=format_time,
        format_date=format_date,
        format_number=format_number,
        format_when=format_when,
    )

    @app.context_processor
    def i18n_context():
        lang = current_lang()
        return {
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "other_lang": other_lang(lang),
            "lang_names": LANG_NAMES,
            "html_langs": HTML_LANG,
            "switch_url": switch_url,
            "page_is_localized": page_is_localized,
        }
