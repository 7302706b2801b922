"""Campaign updates: news emailed only to endorsers who asked for it, each with a way out."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..audit import Actor
from ..extensions import db
from ..outbox.services import queue_email
from ..platforms.models import Platform
from ..platforms.services import localized
from ..urls import external_url
from . import tokens
from .models import (
    CampaignUpdate,
    Consent,
    ConsentPurpose,
    Endorsement,
    EndorsementStatus,
    TokenPurpose,
)

# Confirmed endorsements whose signers can still want news (withdrawn ones gave up consent).
RECIPIENT_STATUSES = (
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
)


class AlreadySent(Exception):
    """This compose form was already sent (a double click or a resubmitted page)."""


def _recipients_query(platform: Platform):
    wants_updates = exists().where(
        Consent.endorsement_id == Endorsement.id,
        Consent.purpose == ConsentPurpose.UPDATES,
        Consent.withdrawn_at.is_(None),
    )
    return select(Endorsement).where(
        Endorsement.platform_id == platform.id,
        Endorsement.status.in_(RECIPIENT_STATUSES),
        Endorsement.anonymized_at.is_(None),
        wants_updates,
    )


def recipients(platform: Platform) -> list[Endorsement]:
    """Return the endorsements whose signers currently want campaign updates."""
    return list(db.session.scalars(_recipients_query(platform)))


def sent_updates(platform: Platform) -> list[CampaignUpdate]:
    """Return the updates already sent for `platform`, newest first."""
    return list(
        db.session.scalars(
            select(CampaignUpdate)
            .where(CampaignUpdate.platform_id == platform.id)
            .order_by(CampaignUpdate.sent_at.desc(), CampaignUpdate.id.desc())
        )
    )


def send_update(
    platform: Platform, *, form_key: str, subjects: dict, bodies: dict, actor: Actor
) -> CampaignUpdate:
    """Queue an update to every endorser who asked for updates, in their language; audit it."""
    update = CampaignUpdate(
        platform_id=platform.id,
        form_key=form_key,
        subject_en=subjects["en"],
        subject_fr=subjects["fr"],
        body_en=bodies["en"],
        body_fr=bodies["fr"],
        sent_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(update)
    except IntegrityError as exc:
        raise AlreadySent from exc
    for endorsement in recipients(platform):
        locale = endorsement.locale
        token = tokens.issue(endorsement, TokenPurpose.MANAGE)
        queue_email(
            to=endorsement.email_canonical,
            locale=locale,
            template="endorsements/campaign_update",
            context={
                "endorsement": endorsement.email_values(),
                "subject": subjects[locale],
                "body": bodies[locale],
                "platform_title": localized(platform, "title", locale).value,
                "stop_url": external_url(
                    "endorsements.manage", lang=locale, token=token, _anchor="updates"
                ),
            },
        )
        update.recipients += 1
    audit.record(
        "platform.campaign_update",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"update": update.id, "recipients": update.recipients},
    )
    db.session.flush()
    return update
