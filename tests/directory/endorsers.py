"""Builders for endorsements in any state, straight into the database (fictional names only)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from petition.db_types import utcnow
from petition.endorsements import consents, naming
from petition.endorsements.models import (
    ConsentPurpose,
    DisplayMode,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    OrgType,
    Province,
)
from petition.extensions import db
from petition.platforms.models import Platform

_serial = itertools.count(1)


def add_endorsement(
    platform: Platform,
    who: str = "Harbourside Peer Collective",
    *,
    kind: EndorsementKind = EndorsementKind.ORGANIZATION,
    status: EndorsementStatus = EndorsementStatus.APPROVED,
    minutes_ago: int | None = None,
    **fields,
) -> Endorsement:
    """Add an endorsement as the sign-on and review flows would leave it; flush it.

    `who` is the organization's name, or the individual's full name.
    """
    n = next(_serial)
    email = fields.pop("email", f"signer{n}@example.org")
    organization = kind == EndorsementKind.ORGANIZATION
    values = {
        "province": Province.ON,
        "city": "Toronto",
        "locale": "en",
        "platform_version": platform.version_label,
        "ip_hash": f"{n:064x}",
    }
    if organization:
        values.update(org_name=who, org_type=OrgType.COMMUNITY, name=f"Contact Person {n}")
    else:
        values.update(name=who, display_mode=DisplayMode.FULL_NAME)
    values.update(fields)
    now = utcnow()
    moment = now - timedelta(minutes=minutes_ago if minutes_ago is not None else 10_000 - n)
    endorsement = Endorsement(
        platform=platform,
        kind=kind,
        status=status,
        email=email,
        email_canonical=email.lower(),
        created_at=moment - timedelta(hours=1),
        **values,
    )
    if status != EndorsementStatus.UNVERIFIED:
        endorsement.confirmed_at = moment - timedelta(minutes=30)
    if status in (EndorsementStatus.APPROVED, EndorsementStatus.HIDDEN):
        endorsement.approved_at = moment
    if status == EndorsementStatus.WITHDRAWN:
        endorsement.withdrawn_at = moment
    if organization:
        endorsement.consents.append(
            consents.record(kind, ConsentPurpose.AUTHORITY, endorsement.locale)
        )
    if organization or endorsement.display_mode != DisplayMode.COUNTED_ONLY:
        endorsement.consents.append(
            consents.record(kind, ConsentPurpose.PUBLIC_LISTING, endorsement.locale)
        )
    naming.refresh_keys(endorsement)
    db.session.add(endorsement)
    db.session.flush()
    return endorsement


def add_individual(platform: Platform, who: str, **fields) -> Endorsement:
    return add_endorsement(platform, who, kind=EndorsementKind.INDIVIDUAL, **fields)
