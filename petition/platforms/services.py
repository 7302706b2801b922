"""Rules about platforms: what the public may see, which text to show, whether sign-on is open."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db_types import utcnow
from ..extensions import db
from .models import Platform, PlatformStatus, Resource, ResourceKind

LOCALES = ("en", "fr")


class PlatformNotFound(LookupError):
    """No platform with that slug is visible to the public."""


class SignonState(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Localized:
    """A piece of content and the locale it is really in (the other one when missing)."""

    value: str
    lang: str

    def __str__(self) -> str:
        return self.value


def published_platforms() -> list[Platform]:
    """Return platforms the public may see (published or closed), newest release first."""
    query = (
        select(Platform)
        .where(Platform.status != PlatformStatus.DRAFT)
        .options(selectinload(Platform.texts))
        .order_by(Platform.released_on.desc().nulls_last(), Platform.id.desc())
    )
    return list(db.session.scalars(query))


def get_public_platform(slug: str, *, with_resources: bool = True) -> Platform:
    """Return the platform with this slug unless it is a draft (drafts do not exist publicly).

    Its texts come with it, and its resources unless `with_resources` is False (the sign-on
    forms show none: one query less on the busiest page of a campaign).
    """
    options = [selectinload(Platform.texts)]
    if with_resources:
        options.append(selectinload(Platform.resources))
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug).options(*options))
    if platform is None or platform.status == PlatformStatus.DRAFT:
        raise PlatformNotFound(slug)
    return platform


def localized(platform: Platform, field: str, locale: str) -> Localized:
    """Return a text field in `locale`, falling back to the other language, never blank."""
    for candidate in (locale, *(other for other in LOCALES if other != locale)):
        text = platform.texts.get(candidate)
        if text is not None and getattr(text, field).strip():
            return Localized(getattr(text, field), candidate)
    return Localized("", locale)


def signon_state(platform: Platform, now: datetime | None = None) -> SignonState:
    """Say whether the platform accepts endorsements at `now`."""
    now = now or utcnow()
    if platform.status != PlatformStatus.PUBLISHED:
        return SignonState.CLOSED
    if platform.signon_closes_at is not None and now >= platform.signon_closes_at:
        return SignonState.CLOSED
    if platform.signon_opens_at is not None and now < platform.signon_opens_at:
        return SignonState.NOT_YET_OPEN
    return SignonState.OPEN


def resources_by_kind(platform: Platform) -> list[tuple[ResourceKind, list[Resource]]]:
    """Group related resources by kind (kinds in declaration order, the admins' order within)."""
    groups: dict[ResourceKind, list[Resource]] = {}
    # `platform.resources` is ordered by position: the order admins set on the resources page.
    for resource in platform.resources:
        groups.setdefault(resource.kind, []).append(resource)
    return [(kind, groups[kind]) for kind in ResourceKind if kind in groups]


def resource_title(resource: Resource, locale: str) -> Localized:
    """Return a resource's title in `locale`, falling back to the other language."""
    titles = {"en": resource.title_en, "fr": resource.title_fr}
    for candidate in (locale, *(other for other in LOCALES if other != locale)):
        if titles[candidate].strip():
            return Localized(titles[candidate], candidate)
    return Localized("", locale)


def all_platforms() -> list[Platform]:
    """Return every platform, drafts included, most recently created first."""
    return list(
        db.session.scalars(
            select(Platform)
            .options(selectinload(Platform.texts))
            .order_by(Platform.created_at.desc(), Platform.id.desc())
        )
    )
