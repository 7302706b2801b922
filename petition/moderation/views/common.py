"""The moderation blueprint and the look-ups its pages share."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    request,
)
from sqlalchemy import select

from ...endorsements.models import Endorsement
from ...extensions import db
from ...platforms.models import Platform
from ...security import whole_number
from .. import review

bp = Blueprint("moderation", __name__)


def _platform(slug: str) -> Platform:
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        abort(404)
    return platform


def _endorsement(slug: str, endorsement_id: int) -> Endorsement:
    # The endorsement must belong to the platform in the URL: a crafted URL gets a 404.
    try:
        return review.endorsement_of(_platform(slug), endorsement_id)
    except review.WrongPlatform:
        abort(404)


def _page_number() -> int:
    # Far past the last page is simply empty; beyond this the database's offset overflows.
    return whole_number(request.args.get("page"), 1, minimum=1, maximum=10**6)


def _enum_or_none(enum_cls, value):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""
