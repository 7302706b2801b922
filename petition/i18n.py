"""Locale from the URL prefix, language-switch URLs, and the translation functions."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, has_request_context, request, url_for
from flask_babel import (
    format_date,
    format_number,
    format_time,
    get_locale,
    gettext,
    ngettext,
)
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

_ = gettext


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

__all__ = ["LANG_NAMES", "_", "_l", "current_lang", "format_when", "ngettext", "other_lang"]

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
    lang = g.get("lang")
    if lang:
        return lang
    # Pages without a prefix (admin): the admin's choice, kept in their account.
    chosen = g.get("ui_lang")
    if chosen in LANGUAGES:
        return chosen
    return best_lang_for_request()


def init_app(app: Flask) -> None:
    """Register the locale converter and the hooks that move `lang` between URLs and `g`."""
    app.url_map.converters["lang"] = LangConverter

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

    app.jinja_env.globals.update(
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
