"""Read-only open-data API (`/api/v1/...`), described by the OpenAPI document it serves.

It gives exactly what the public list shows: approved endorsers of public platforms after
their embargo, never an email address, an IP hash, a database id or a contact person who did
not agree to be listed. Any site may read it from a browser (CORS is open for GET).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, g, request
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from ..errors import json_error
from ..http_cache import public_cache
from ..i18n import HTML_LANG, LANGUAGES, _, negotiated_lang, requested_lang
from ..platforms import services as platforms
from ..platforms.models import Platform
from ..urls import external_url
from . import openapi, services
from .forms import ApiQueryForm

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def allow_any_site_to_read(response):
    # Reading public data from another site's page is the point; nothing here changes state
    # or depends on cookies, so any origin may GET it.
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class ApiError(HTTPException):
    """A request the API cannot answer, with a message (and per-parameter ones) for developers."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(description=message)
        self.code = status
        self.fields = fields or {}


@bp.errorhandler(HTTPException)
def api_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, ApiError):
        return json_error(status, error.description, error.fields)
    response = json_error(status)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def jsonify(body: dict) -> Response:
    """Return `body` as a JSON response, accents written as themselves (UTF-8)."""
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


def _request_lang() -> str:
    """Return the language of labels and messages: `?lang=`, else the browser's."""
    lang = g.api_lang = negotiated_lang()
    if requested_lang() is None:
        g.api_varies_on_language = True
    return lang


@bp.after_request
def say_what_the_language_came_from(response):
    if g.get("api_varies_on_language"):
        response.vary.add("Accept-Language")
    if g.get("api_lang"):
        response.content_language = [HTML_LANG[g.api_lang]]
    return response


def _platform(slug: str) -> Platform:
    try:
        return platforms.get_public_platform(slug)
    except platforms.PlatformNotFound:
        abort(404)


def _texts(platform: Platform, field: str) -> dict[str, str | None]:
    values = {}
    for lang in LANGUAGES:
        text = platform.texts.get(lang)
        value = getattr(text, field).strip() if text is not None else ""
        values[lang] = value or None
    return values


def _stamp(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def platform_json(platform: Platform) -> dict:
    """Return what the API says about a platform (its endorsers only as counts)."""
    published = services.endorsers_published(platform)
    totals = services.totals(platform) if published else None
    return {
        "slug": platform.slug,
        "status": platform.status.value,
        "version": platform.version_label,
        "released_on": platform.released_on.isoformat() if platform.released_on else None,
        "title": _texts(platform, "title"),
        "summary": _texts(platform, "summary"),
        "signon": {
            "state": platforms.signon_state(platform).value,
            "opens_at": _stamp(platform.signon_opens_at),
            "closes_at": _stamp(platform.signon_closes_at),
        },
        "endorsers": {
            "published": published,
            "publishes_at": None if published else _stamp(platform.launch_at),
            "organizations": totals.organizations if totals else None,
            "individuals": totals.individuals if totals else None,
            "total": totals.total if totals else None,
        },
        "links": {
            "page": {
                lang: external_url("platforms.show", slug=platform.slug, lang=lang)
                for lang in LANGUAGES
            },
            "endorsers_page": {
                lang: external_url("directory.endorsers", slug=platform.slug, lang=lang)
                for lang in LANGUAGES
            },
            "feed": {
                lang: external_url("directory.feed", slug=platform.slug, lang=lang)
                for lang in LANGUAGES
            },
            "api": external_url("api.platform", slug=platform.slug),
            "api_endorsers": external_url("api.platform_endorsers", slug=platform.slug),
        },
    }


@bp.get("/platforms")
@public_cache
def platform_list():
    return jsonify({"data": [platform_json(p) for p in platforms.published_platforms()]})


@bp.get("/platforms/<slug>")
@public_cache
def platform(slug: str):
    found = _platform(slug)
    body = platform_json(found)
    lang = _request_lang()
    body["lang"] = lang
    body["by_province"] = None
    if services.endorsers_published(found):
        counts = services.province_counts(found, services.Filters(), lang)
        body["by_province"] = [
            {"province": item.province.value, "label": item.label, "count": item.count}
            for item in counts
        ]
    return jsonify(body)


def _endorsers_url(platform, filters, lang, form, cursor: str | None = None) -> str:
    """Return the address of a page of endorsers, built only from validated parameters."""
    args = {**filters.query_args(), "lang": lang}
    if form.limit.data and not form.limit.errors:
        args["limit"] = form.page_length()
    cursor = cursor if cursor is not None else form.cursor.data
    if cursor:
        args["cursor"] = cursor
    return external_url("api.platform_endorsers", slug=platform.slug, **args)


@bp.get("/platforms/<slug>/endorsers")
@public_cache
def platform_endorsers(slug: str):
    services.one_snapshot()
    found = _platform(slug)
    lang = _request_lang()
    with force_locale(lang):
        form = ApiQueryForm(request.args)
        filters = form.filters()
        problems = form.problems()
        if problems:
            raise ApiError(400, _("Some query parameters are not valid."), problems)
        published = services.endorsers_published(found)
        body = {
            "platform": found.slug,
            "lang": lang,
            "published": published,
            "publishes_at": None if published else _stamp(found.launch_at),
            "filters": {key: value for key, value in filters.query_args().items()},
            "sort": filters.sort.value,
            "total": None,
            "data": [],
            "next_cursor": None,
            "links": {"self": _endorsers_url(found, filters, lang, form), "next": None},
        }
        if not published:
            return jsonify(body)
        try:
            chunk = services.list_slice(
                found, filters, lang, form.page_length(), form.cursor.data or None
            )
        except services.BadCursor as exc:
            raise ApiError(
                400,
                _("This cursor is not valid. Start again without one."),
                {"cursor": _("Use the next_cursor value of a previous response.")},
            ) from exc
        body["total"] = services.matching_count(found, filters)
        labels = services.labels_for(lang)
        body["data"] = [services.public_entry(e, lang, labels).as_json() for e in chunk.items]
        body["next_cursor"] = chunk.next_cursor
        if chunk.next_cursor:
            body["links"]["next"] = _endorsers_url(found, filters, lang, form, chunk.next_cursor)
    return jsonify(body)


@bp.get("/openapi.json", endpoint="openapi")
@public_cache
def openapi_document():
    with force_locale(_request_lang()):
        return jsonify(openapi.document(external_url("api.platform_list").rsplit("/", 1)[0]))
