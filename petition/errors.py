"""Error pages in the visitor's language, HTML for pages and JSON for the API.

Every error response takes its language from the same decision as every page
(`i18n.negotiated_lang`): the path prefix, the logged-in admin's saved language, `?lang=`,
then Accept-Language.
"""

from __future__ import annotations

import json

from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    make_response,
    render_template,
    request,
)
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .i18n import HTML_LANG, _l, lang_of_path, negotiated_lang, other_lang
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


# Set by the accounts feature: finds the logged-in admin (and so their saved language) for an
# error page the admin views never reached. The ground floor knows no feature, hence a hook.
ADMIN_LANGUAGE_HOOK = "petition.admin_language"


def is_api_path() -> bool:
    """Say whether the request is for the API, which answers JSON whatever happens."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_lang() -> str:
    """Return the language of an error response: the same decision as every other page."""
    if not lang_of_path() and not is_api_path():
        # The admin pages' language is the admin's saved one, even on a page that never
        # reached the view that would have looked the admin up. The API never reads a session.
        hook = current_app.extensions.get(ADMIN_LANGUAGE_HOOK)
        if hook is not None:
            hook()
    return negotiated_lang()


def _error_texts(status: int, message=None) -> tuple[int, str, str]:
    key = status if status in TITLES else (400 if status < 500 else 500)
    return key, str(TITLES[key]), str(message or MESSAGES[key])


def _vary(response, lang_from_path: bool) -> None:
    if not lang_from_path:
        # Without a prefix the language came from the browser (or its session).
        response.vary.add("Accept-Language")


def json_error(status: int, message=None, fields: dict | None = None):
    """Return the API's JSON error for `status` in the negotiated language."""
    lang = negotiated_lang() if has_request_context() else "en"
    with force_locale(lang):
        _key, title, text = _error_texts(status, message)
    body = {"status": status, "title": title, "message": text, "lang": lang}
    if fields:
        body["fields"] = fields
    response = Response(json.dumps({"error": body}, ensure_ascii=False), status=status)
    response.mimetype = "application/json"
    response.content_language = [HTML_LANG[lang]]
    _vary(response, False)
    return response


def render_error(status: int, message=None):
    """Render the error page for `status` in one language; unlisted codes use their class's."""
    if has_request_context() and is_api_path():
        return json_error(status, message)
    lang = error_lang() if has_request_context() else "en"
    if has_request_context() and request_ctx.url_adapter is None:
        # Refused before a URL adapter could be made from the request (a Host that is not
        # ours): the page's links still need one, bound to BASE_URL.
        request_ctx.url_adapter = public_url_adapter(current_app)
    with force_locale(lang):
        _key, title, text = _error_texts(status, message)
        page = render_template(
            "errors/error.html",
            code=status,
            title=title,
            message=text,
            error_lang=lang,
            html_lang=HTML_LANG[lang],
            lang=lang,
            other_lang=other_lang(lang),
        )
    response = make_response(page, status)
    response.content_language = [HTML_LANG[lang]]
    if has_request_context():
        _vary(response, bool(lang_of_path()))
    return response


def init_app(app: Flask) -> None:
    """Register handlers that never show a stack trace or version banner."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code)
        # What the error says in its headers stays: `Allow` on a 405, `Retry-After`...
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
