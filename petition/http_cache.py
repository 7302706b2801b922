"""Cache headers for public pages, so a proxy or CDN can absorb refresh storms.

A public page says `Cache-Control: public, max-age=0, s-maxage=N` (N = PUBLIC_CACHE_SECONDS,
default 1): a shared cache (the nginx microcache in deploy/, a CDN) may answer from its copy for
N seconds, and a browser asks again every time. Nothing outside the site then shows a withdrawn
endorsement for longer than N seconds after the site says it is gone.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, make_response


def public_cache(view):
    """Mark a view's successful responses cacheable by shared caches for PUBLIC_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = 0
            response.cache_control.s_maxage = current_app.config["PUBLIC_CACHE_SECONDS"]
        return response

    return wrapper


def no_store(view):
    """Mark a view's responses as never stored (forms with a CSRF token, secret links)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.cache_control.no_store = True
        response.cache_control.private = True
        return response

    return wrapper
