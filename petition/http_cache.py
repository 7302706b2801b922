"""Cache headers for public pages, so a CDN or browser can absorb refresh storms."""

from __future__ import annotations

from functools import wraps

from flask import current_app, make_response


def public_cache(view):
    """Mark a view's successful responses cacheable by anyone for PUBLIC_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = current_app.config["PUBLIC_CACHE_SECONDS"]
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
