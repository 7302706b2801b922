"""Endorsements in any state and of any age, with their consents, links and emails."""

from __future__ import annotations

from datetime import datetime

from petition.endorsements import consents, tokens
from petition.endorsements.models import (
    ConsentPurpose,
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
    TokenPurpose,
)
from petition.extensions import db
from petition.outbox.services import queue_email
from petition.platforms.models import Platform


def make_endorsement(
    platform: Platform,
    email: str,
    status: EndorsementStatus,
    *,
    at: datetime,
    kind: EndorsementKind = EndorsementKind.ORGANIZATION,
    **fields,
) -> Endorsement:
    """Add an endorsement as it would be `at` that moment, with a consent, a link and an email."""
    individual = kind == EndorsementKind.INDIVIDUAL
    values = {
        "name": "Sam Fictional-Person",
        "title": "Coordinator",
        "province": Province.ON,
        "city": "Kingston",
        "org_name": "" if individual else "Fictional Harbour Collective",
        "org_name_fr": "" if individual else "Collectif fictif du port",
        "org_type": None if individual else OrgType.COMMUNITY,
        "website": "" if individual else "https://fictional-harbour.example",
        "about_en": "" if individual else "Peer outreach on the fictional waterfront.",
        "about_fr": "" if individual else "Travail de rue sur le port fictif.",
        "display_mode": DisplayMode.DESCRIPTOR if individual else None,
        "descriptor": "peer worker with lived experience" if individual else "",
        "display_name": "",
        "flags": "too_fast",
        "ip_hash": "ab" * 32,
        "review_reason": "",
        "locale": "en",
        "platform_version": platform.version_label,
        **fields,
    }
    endorsement = Endorsement(
        platform=platform,
        kind=kind,
        status=status,
        email=email,
        email_canonical=email.lower(),
        created_at=at,
        updated_at=at,
        confirmed_at=None if status == EndorsementStatus.UNVERIFIED else at,
        **values,
    )
    if status in (EndorsementStatus.WITHDRAWN,):
        endorsement.withdrawn_at = at
    if status in (EndorsementStatus.REJECTED, EndorsementStatus.APPROVED, EndorsementStatus.HIDDEN):
        endorsement.reviewed_at = at
    if status == EndorsementStatus.REJECTED:
        endorsement.review_reason = "Spam from Sam Fictional-Person"
    record = consents.record(kind, ConsentPurpose.PUBLIC_LISTING, "en")
    record.given_at = at
    endorsement.consents.append(record)
    db.session.add(endorsement)
    tokens.issue(endorsement, TokenPurpose.MANAGE)
    # An email that names the person, as the real ones do.
    message = queue_email(
        to=email.lower(),
        locale="en",
        template="endorsements/withdrawn",
        context={
            "endorsement": endorsement.email_values(),
            "platform_title": "Test platform",
            "platform_url": "https://petition.test/en/p/x/",
        },
    )
    message.created_at = at
    db.session.flush()
    return endorsement
