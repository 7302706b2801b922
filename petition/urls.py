"""Absolute links to the site, built from BASE_URL (for emails, feeds and the API)."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL for `endpoint` from BASE_URL, never from the request's Host."""
    app = current_app
    if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
        # While an email renders this is the email's locale (forced), in a request the page's;
        # outside both there is none, and building the URL below says `lang` is missing.
        with suppress(RuntimeError):
            values["lang"] = str(get_locale())
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += f"#{anchor}"
    return url
