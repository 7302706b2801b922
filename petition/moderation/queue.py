"""What waits for review, and browsing every endorsement of a platform."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from .. import screening
from ..endorsements.models import Endorsement, EndorsementKind, EndorsementStatus
from ..endorsements.naming import fold
from ..extensions import db
from ..platforms.models import Platform
from ..screening.services import matches_domain

HEX = re.compile(r"[0-9a-f]{1,64}")

QUEUE_PAGE_SIZE = 25
BROWSE_PAGE_SIZE = 50


@dataclass(frozen=True)
class PlatformCount:
    platform: Platform
    pending: int


def pending_counts() -> list[PlatformCount]:
    """Return every platform with its number of endorsements waiting for review."""
    counts = dict(
        db.session.execute(
            select(Endorsement.platform_id, func.count())
            .where(Endorsement.status == EndorsementStatus.PENDING_REVIEW)
            .group_by(Endorsement.platform_id)
        ).all()
    )
    platforms = db.session.scalars(
        select(Platform).options(selectinload(Platform.texts)).order_by(Platform.id.desc())
    )
    return [PlatformCount(p, counts.get(p.id, 0)) for p in platforms]


def pending(platform: Platform, after_id: int | None = None) -> tuple[list[Endorsement], bool]:
    """Return the next page of endorsements waiting for review, oldest confirmation first."""
    query = (
        select(Endorsement)
        .where(
            Endorsement.platform_id == platform.id,
            Endorsement.status == EndorsementStatus.PENDING_REVIEW,
        )
        .options(selectinload(Endorsement.consents), selectinload(Endorsement.platform))
        .order_by(Endorsement.confirmed_at, Endorsement.id)
    )
    if after_id is not None:
        anchor = db.session.get(Endorsement, after_id)
        if anchor is not None and anchor.confirmed_at is not None:
            query = query.where(
                or_(
                    Endorsement.confirmed_at > anchor.confirmed_at,
                    (Endorsement.confirmed_at == anchor.confirmed_at)
                    & (Endorsement.id > anchor.id),
                )
            )
    rows = list(db.session.scalars(query.limit(QUEUE_PAGE_SIZE + 1)))
    return rows[:QUEUE_PAGE_SIZE], len(rows) > QUEUE_PAGE_SIZE


@dataclass(frozen=True)
class BrowseFilters:
    platform: Platform | None = None
    status: EndorsementStatus | None = None
    kind: EndorsementKind | None = None
    text: str = ""
    # An email domain (its subdomains too) and an IP fingerprint (the start of the IP hash).
    domain: str = ""
    fingerprint: str = ""


def _by_source(query, filters: BrowseFilters):
    if filters.domain:
        try:
            domain = screening.normalize(screening.ScreeningKind.DOMAIN, filters.domain)
        except screening.InvalidEntry:
            return query.where(false())
        query = query.where(matches_domain(Endorsement.email_canonical, domain))
    if filters.fingerprint:
        fingerprint = filters.fingerprint.strip().lower()
        if not HEX.fullmatch(fingerprint):
            return query.where(false())
        query = query.where(Endorsement.ip_hash.like(f"{fingerprint}%"))
    return query


def browse(filters: BrowseFilters, page: int = 1):
    """Return one page of endorsements matching `filters`, newest first, and the total."""
    query = select(Endorsement).options(selectinload(Endorsement.platform))
    if filters.platform is not None:
        query = query.where(Endorsement.platform_id == filters.platform.id)
    if filters.status is not None:
        query = query.where(Endorsement.status == filters.status)
    if filters.kind is not None:
        query = query.where(Endorsement.kind == filters.kind)
    if filters.text:
        # Moderators may look people up by any name or address they hold, not only public ones.
        needle = f"%{filters.text.strip().lower()}%"
        query = query.where(
            or_(
                Endorsement.search_key.like(f"%{fold(filters.text)}%"),
                Endorsement.email_canonical.like(needle),
                func.lower(Endorsement.name).like(needle),
                func.lower(Endorsement.org_name).like(needle),
            )
        )
    query = _by_source(query, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(
        db.session.scalars(
            query.order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
            .offset((page - 1) * BROWSE_PAGE_SIZE)
            .limit(BROWSE_PAGE_SIZE + 1)
        )
    )
    return rows[:BROWSE_PAGE_SIZE], len(rows) > BROWSE_PAGE_SIZE, total
