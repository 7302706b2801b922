"""Public pages: the home page, a platform's page and its printable view."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..http_cache import public_cache
from ..i18n import best_lang_for_request
from . import services
from .labels import RESOURCE_KIND_LABELS

bp = Blueprint("platforms", __name__)


@bp.app_context_processor
def platform_helpers():
    return {
        "localized": services.localized,
        "resource_title": services.resource_title,
        "signon_state": services.signon_state,
        "SignonState": services.SignonState,
        "resource_kind_labels": RESOURCE_KIND_LABELS,
    }


@bp.get("/")
def root():
    response = redirect(url_for("platforms.home", lang=best_lang_for_request()), code=302)
    response.vary.add("Accept-Language")
    return response


@bp.get("/<lang:lang>/")
@public_cache
def home():
    return render_template("platforms/home.html", platforms=services.published_platforms())


def _platform_or_404(slug: str):
    try:
        return services.get_public_platform(slug)
    except services.PlatformNotFound:
        abort(404)


@bp.get("/<lang:lang>/p/<slug>/")
@public_cache
def show(slug: str):
    platform = _platform_or_404(slug)
    return render_template(
        "platforms/show.html",
        platform=platform,
        resource_groups=services.resources_by_kind(platform),
    )


@bp.get("/<lang:lang>/p/<slug>/print")
@public_cache
def printable(slug: str):
    platform = _platform_or_404(slug)
    return render_template("platforms/print.html", platform=platform)
