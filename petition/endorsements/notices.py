"""Telling endorsers of an earlier version what changed, with their link to reaffirm or withdraw."""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..outbox.services import queue_email
from ..platforms.models import Platform, PlatformVersion
from ..platforms.services import localized
from ..urls import external_url
from . import tokens
from .models import Endorsement, EndorsementStatus, TokenPurpose

# Endorsements whose signers still stand behind the platform in some form.
NOTIFIABLE = (
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
)


def notice_recipients(platform: Platform) -> list[Endorsement]:
    """Return endorsements of an earlier version not yet told about the current one."""
    return list(
        db.session.scalars(
            select(Endorsement).where(
                Endorsement.platform_id == platform.id,
                Endorsement.status.in_(NOTIFIABLE),
                Endorsement.anonymized_at.is_(None),
                Endorsement.platform_version != platform.version_label,
                Endorsement.notified_version != platform.version_label,
            )
        )
    )


def send_version_notices(platform: Platform, version: PlatformVersion, actor) -> int:
    """Queue a notice of `version` to each endorser of an earlier one; return how many."""
    if version.label != platform.version_label:
        raise ValueError("notices are about the current version only")
    sent = 0
    for endorsement in notice_recipients(platform):
        locale = endorsement.locale
        token = tokens.issue(endorsement, TokenPurpose.MANAGE)
        queue_email(
            to=endorsement.email_canonical,
            locale=locale,
            template="endorsements/version_notice",
            context={
                "endorsement": endorsement.email_values(),
                "platform_title": localized(platform, "title", locale).value,
                "version": version.label,
                "changes": version.changes_fr if locale == "fr" else version.changes_en,
                "platform_url": external_url("platforms.show", lang=locale, slug=platform.slug),
                "manage_url": external_url("endorsements.manage", lang=locale, token=token),
            },
        )
        endorsement.notified_version = version.label
        sent += 1
    audit.record(
        "platform.version_notice",
        actor=actor,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
        details={"version": version.label, "sent": sent},
    )
    db.session.flush()
    return sent
