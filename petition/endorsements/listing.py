"""Imported endorsers confirming their listing: the one email that asks, and their answer.

An import never emails anyone by itself. The operator decides when to send this email; each
endorser receives it once (`listing_email_sent_at`), in their language, with a manage link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..db_types import utcnow
from ..extensions import db
from ..outbox.services import queue_email, recent_count
from ..platforms.models import Platform
from ..platforms.services import localized
from ..urls import external_url
from . import consents, tokens
from .importing import NO_LISTING_CONSENT, SOURCE
from .models import ConsentPurpose, Endorsement, EndorsementStatus, TokenPurpose

ASKABLE_STATUSES = (
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
)


def awaits_confirmation(endorsement: Endorsement) -> bool:
    """Say whether an imported endorsement still waits for its signer to confirm it."""
    return (
        endorsement.source == SOURCE
        and endorsement.confirmed_at is None
        and endorsement.anonymized_at is None
        and endorsement.status in ASKABLE_STATUSES
    )


def confirmations_due(platform: Platform) -> list[int]:
    """Return the ids of the platform's imported endorsements not yet asked to confirm."""
    return list(
        db.session.scalars(
            select(Endorsement.id)
            .where(
                Endorsement.platform_id == platform.id,
                Endorsement.source == SOURCE,
                Endorsement.listing_email_sent_at.is_(None),
                Endorsement.confirmed_at.is_(None),
                Endorsement.anonymized_at.is_(None),
                Endorsement.status.in_(ASKABLE_STATUSES),
            )
            .order_by(Endorsement.id)
        )
    )


def send_listing_confirmation(endorsement: Endorsement, now: datetime | None = None) -> bool:
    """Queue the "please confirm your listing" email; False if the address is capped today."""
    now = now or utcnow()
    if endorsement.listing_email_sent_at is not None or not awaits_confirmation(endorsement):
        return True
    address = endorsement.email_canonical
    if (
        recent_count(address, now - timedelta(days=1))
        >= current_app.config["EMAILS_PER_ADDRESS_PER_DAY"]
    ):
        return False
    token = tokens.issue(endorsement, TokenPurpose.MANAGE)
    locale = endorsement.locale
    queue_email(
        to=address,
        locale=locale,
        template="endorsements/listing_confirmation",
        context={
            "endorsement": endorsement.email_values(),
            "listed": endorsement.has_consent(ConsentPurpose.PUBLIC_LISTING),
            "platform_title": localized(endorsement.platform, "title", locale).value,
            "platform_url": external_url(
                "platforms.show", lang=locale, slug=endorsement.platform.slug
            ),
            "manage_url": external_url("endorsements.manage", lang=locale, token=token),
        },
    )
    endorsement.listing_email_sent_at = now
    db.session.flush()
    return True


def confirm_listing(
    endorsement: Endorsement, consent_public: bool, now: datetime | None = None
) -> None:
    """Record that an imported endorser confirmed, and their consent to be listed if given."""
    endorsement.confirmed_at = endorsement.confirmed_at or now or utcnow()
    if consent_public and not endorsement.has_consent(ConsentPurpose.PUBLIC_LISTING):
        # The words on the manage page's checkbox: the same as the sign-on form's.
        endorsement.consents.append(
            consents.record(endorsement.kind, ConsentPurpose.PUBLIC_LISTING, endorsement.locale)
        )
        endorsement.flags = " ".join(sorted(endorsement.flag_set - {NO_LISTING_CONSENT}))
    db.session.flush()
