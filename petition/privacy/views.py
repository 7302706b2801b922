"""The privacy notice, in both languages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..http_cache import public_cache

bp = Blueprint("privacy", __name__)


@bp.get("/<lang:lang>/privacy")
@public_cache
def notice():
    config = current_app.config
    return render_template(
        "privacy/notice.html",
        unverified_days=config["UNVERIFIED_RETENTION_DAYS"],
        anonymize_days=config["ANONYMIZE_AFTER_DAYS"],
        contact=config["PRIVACY_CONTACT"],
    )
