"""Error pages in the visitor's language (both languages when the URL names none)."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .i18n import LANGUAGES, _, _l
from .security import public_url_adapter

TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Too much data"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
MESSAGES = {
    400: _l("We could not understand that request. Please go back and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("We could not find that page. It may have moved, or the address may be mistyped."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large. Please send less and try again."),
    429: _l("You have made too many requests in a short time. Please wait a moment and try again."),
    500: _l(
        "An unexpected error happened on our side. It has been logged; please try again later."
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was sent from another site. Please go back, reload the page "
    "and submit it again."
)


def _lang_of_path() -> str | None:
    """Return the language prefix of the requested path, if it has one."""
    if not has_request_context():
        return None
    prefix = request.path.split("/")[1]
    return prefix if prefix in LANGUAGES else None


def render_error(status: int, message=None):
    """Render the error page for `status`; unlisted codes use their class's wording."""
    key = status if status in TITLES else (400 if status < 500 else 500)
    message = message or MESSAGES[key]
    if not g.get("lang") and _lang_of_path():
        # Refused before routing (no such page, wrong method): the prefix still says the
        # visitor's language.
        g.lang = _lang_of_path()
    # Without a locale in the URL we cannot know the visitor's language: say it in both.
    langs = [g.lang] if g.get("lang") else list(LANGUAGES)
    versions = []
    for lang in langs:
        with force_locale(lang):
            versions.append(
                {
                    "lang": lang,
                    "title": str(TITLES[key]),
                    "message": str(message),
                    "home": _("Go to the home page"),
                }
            )
    if has_request_context() and request_ctx.url_adapter is None:
        # Refused before a URL adapter could be made from the request (a Host that is not
        # ours): the page's links still need one, bound to BASE_URL.
        request_ctx.url_adapter = public_url_adapter(current_app)
    page = render_template("errors/error.html", code=status, versions=versions)
    return page, status


def init_app(app: Flask) -> None:
    """Register handlers that never show a stack trace or version banner."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        page, status = render_error(error.code)
        # What the error says in its headers stays: `Allow` on a 405, `Retry-After`...
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return page, status, headers
