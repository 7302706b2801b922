"""Attach, approve and remove logos. Functions flush and never commit."""

from __future__ import annotations

import time

from sqlalchemy import select

from ..db_types import utcnow
from ..extensions import db
from .images import CleanLogo
from .models import LogoStatus, OrganizationLogo
from .storage import card_store, store

# A file younger than this may belong to an upload whose row is not committed yet.
PRUNE_GRACE_SECONDS = 3600
CARD_DAYS = 30


def keep(logo: CleanLogo) -> None:
    """Write a cleaned logo's file to the store (before the row that names it commits)."""
    store().put(logo.digest, logo.png)


def logo_of(endorsement_id: int) -> OrganizationLogo | None:
    return db.session.scalar(
        select(OrganizationLogo).where(OrganizationLogo.endorsement_id == endorsement_id)
    )


def logos_of(endorsement_ids) -> dict[int, OrganizationLogo]:
    """Return the logos of these endorsements, by endorsement id."""
    ids = list(endorsement_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(OrganizationLogo).where(OrganizationLogo.endorsement_id.in_(ids))
    )
    return {row.endorsement_id: row for row in rows}


def submit(endorsement_id: int, logo: CleanLogo, *, approved: bool = False) -> OrganizationLogo:
    """Give an endorsement this logo; it awaits review unless a moderator gave it (`approved`)."""
    keep(logo)
    row = logo_of(endorsement_id)
    if row is None:
        row = OrganizationLogo(endorsement_id=endorsement_id)
        db.session.add(row)
    row.digest = logo.digest
    row.width, row.height = logo.width, logo.height
    row.submitted_at = utcnow()
    row.status = LogoStatus.APPROVED if approved else LogoStatus.PENDING
    row.reviewed_at = utcnow() if approved else None
    db.session.flush()
    return row


def approve(row: OrganizationLogo) -> None:
    row.status = LogoStatus.APPROVED
    row.reviewed_at = utcnow()
    db.session.flush()


def remove(row: OrganizationLogo) -> None:
    db.session.delete(row)
    db.session.flush()


def prune_files(now: float | None = None) -> tuple[int, int]:
    """Delete logo files no row names (removed, replaced, erased) and share cards over 30 days.

    Return how many logo files and cards were deleted. Files younger than an hour are kept: a
    sign-on writes its file before its row commits.
    """
    now = time.time() if now is None else now
    named = set(db.session.scalars(select(OrganizationLogo.digest)))
    logos_store, logos_gone = store(), 0
    for digest, modified in list(logos_store.stored()):
        if digest not in named and now - modified > PRUNE_GRACE_SECONDS:
            logos_store.discard(digest)
            logos_gone += 1
    cards, cards_gone = card_store(), 0
    for key, modified in list(cards.stored()):
        if now - modified > CARD_DAYS * 86400:
            cards.discard(key)
            cards_gone += 1
    return logos_gone, cards_gone
