"""The endorsement lifecycle: sign on (signon.py), confirm by email, change how one appears,
withdraw, and the rules a moderator's approval follows.

Functions here flush and never commit: the view commits once, so an endorsement and the email
it causes are written together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from .. import audit
from ..audit import ActorKind
from ..db_types import utcnow
from ..extensions import db
from ..i18n import _l
from . import consents, naming, tokens
from .models import (
    ConsentPurpose,
    DisplayMode,
    EmailToken,
    Endorsement,
    EndorsementKind,
    EndorsementStatus,
    TokenPurpose,
)
from .signon import _email, _send_manage_link

CONFIRMED_STATUSES = (
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
    EndorsementStatus.REJECTED,
)


def confirmation_for(token: str) -> EmailToken:
    """Return the confirm token row behind a link, or raise TokenError (changes nothing)."""
    row = tokens.find(token, TokenPurpose.CONFIRM)
    if row.endorsement.status != EndorsementStatus.UNVERIFIED:
        raise tokens.TokenError(tokens.TokenProblem.USED, row)
    return row


def confirm(token: str, now: datetime | None = None) -> Endorsement:
    """Confirm the endorsement behind a link: it then awaits review (or is approved)."""
    now = now or utcnow()
    row = confirmation_for(token)
    # Only one of two simultaneous clicks may use the token.
    used = db.session.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise tokens.TokenError(tokens.TokenProblem.USED, row)
    endorsement = row.endorsement
    # Every other confirmation link sent to this signer stops working too.
    db.session.execute(
        update(EmailToken)
        .where(
            EmailToken.endorsement_id == endorsement.id,
            EmailToken.purpose == TokenPurpose.CONFIRM,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    endorsement.confirmed_at = now
    endorsement.withdrawn_at = None
    auto_approve = (
        endorsement.kind == EndorsementKind.INDIVIDUAL
        and not endorsement.platform.individuals_need_review
        and not endorsement.flag_set
    )
    if auto_approve:
        endorsement.status = EndorsementStatus.APPROVED
        endorsement.approved_at = now
    else:
        endorsement.status = EndorsementStatus.PENDING_REVIEW
    _send_manage_link(endorsement, "endorsements/receipt")
    _audit_signer(endorsement, "endorsement.confirm", {"after": {"status": endorsement.status}})
    return endorsement


def _audit_signer(endorsement: Endorsement, action: str, details: dict | None = None) -> None:
    """Record what a signer did through an emailed link (never who they are)."""
    audit.record(
        action,
        actor_kind=ActorKind.SIGNER,
        target_type="endorsement",
        target_id=endorsement.id,
        platform_id=endorsement.platform_id,
        details=details,
    )


def managed(token: str) -> Endorsement:
    """Return the endorsement a manage link controls, or raise TokenError."""
    row = tokens.find(token, TokenPurpose.MANAGE)
    if row.endorsement.status not in (*CONFIRMED_STATUSES, EndorsementStatus.WITHDRAWN):
        raise tokens.TokenError(tokens.TokenProblem.INVALID, row)
    return row.endorsement


class NotAnIndividual(Exception):
    """Only individuals choose how they appear; organizations ask the coalition."""


def change_appearance(endorsement: Endorsement, display_mode: DisplayMode, descriptor: str) -> bool:
    """Change how an individual appears; return True if the change awaits review first."""
    if endorsement.kind != EndorsementKind.INDIVIDUAL:
        raise NotAnIndividual
    descriptor = descriptor if display_mode == DisplayMode.DESCRIPTOR else endorsement.descriptor
    # A new free-text description is published only after a person has read it.
    needs_review = (
        display_mode == DisplayMode.DESCRIPTOR
        and descriptor != endorsement.descriptor
        and endorsement.status == EndorsementStatus.APPROVED
    )
    endorsement.display_mode = display_mode
    endorsement.descriptor = descriptor
    endorsement.display_name = ""
    if display_mode != DisplayMode.COUNTED_ONLY and not endorsement.has_consent(
        ConsentPurpose.PUBLIC_LISTING
    ):
        endorsement.consents.append(
            consents.record(endorsement.kind, ConsentPurpose.PUBLIC_LISTING, endorsement.locale)
        )
    if needs_review:
        endorsement.status = EndorsementStatus.PENDING_REVIEW
        endorsement.approved_at = None
    naming.refresh_keys(endorsement)
    _audit_signer(
        endorsement,
        "endorsement.appearance",
        {"after": {"display_mode": display_mode.value, "status": endorsement.status.value}},
    )
    return needs_review


def withdraw(endorsement: Endorsement, now: datetime | None = None) -> None:
    """Withdraw an endorsement: it leaves every public surface at once."""
    if endorsement.status == EndorsementStatus.WITHDRAWN:
        return
    now = now or utcnow()
    endorsement.status = EndorsementStatus.WITHDRAWN
    endorsement.withdrawn_at = now
    for record in endorsement.consents:
        if record.withdrawn_at is None and record.purpose != ConsentPurpose.AUTHORITY:
            record.withdrawn_at = now
    _email(endorsement, "endorsements/withdrawn")
    _audit_signer(endorsement, "endorsement.withdraw")


class NothingToReaffirm(Exception):
    """The endorsement already names the platform's current version, or is withdrawn."""


def reaffirm(endorsement: Endorsement) -> str:
    """Record that the signer endorses the platform's current version; return the old one."""
    current = endorsement.platform.version_label
    if endorsement.status == EndorsementStatus.WITHDRAWN or endorsement.platform_version == current:
        raise NothingToReaffirm
    previous = endorsement.platform_version
    endorsement.platform_version = current
    _audit_signer(
        endorsement,
        "endorsement.reaffirm",
        {"before": {"platform_version": previous}, "after": {"platform_version": current}},
    )
    return previous


def stop_updates(endorsement: Endorsement, now: datetime | None = None) -> None:
    """Withdraw consent to campaign updates (endorsing is not affected)."""
    for record in endorsement.consents:
        if record.purpose == ConsentPurpose.UPDATES and record.withdrawn_at is None:
            record.withdrawn_at = now or utcnow()
    _audit_signer(endorsement, "endorsement.stop_updates")


def approval_problem(endorsement: Endorsement):
    """Return why `endorsement` must not be approved (a lazy translated text), or None."""
    if endorsement.anonymized_at is not None:
        return _l("Its personal data was erased.")
    if endorsement.status == EndorsementStatus.UNVERIFIED:
        return _l("Its email address is not confirmed yet.")
    if endorsement.status == EndorsementStatus.WITHDRAWN:
        return _l("It was withdrawn by its signer.")
    # Approval publishes: only with the signer's consent to be listed (an individual who asked
    # to be counted only is published as a number, never by name).
    counted_only = endorsement.display_mode == DisplayMode.COUNTED_ONLY
    listed = endorsement.has_consent(ConsentPurpose.PUBLIC_LISTING)
    if not listed and (endorsement.is_organization or not counted_only):
        return _l("Its signer did not agree to be listed publicly.")
    return None


def can_approve(endorsement: Endorsement) -> bool:
    """Say whether a moderator may approve `endorsement` (and so make it public)."""
    return approval_problem(endorsement) is None


def personal_data(endorsement: Endorsement) -> dict:
    """Return everything stored about the signer of `endorsement`, for them to download."""
    skip = {"search_key", "sort_key_en", "sort_key_fr", "platform_id"}
    record = {}
    for column in Endorsement.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(endorsement, column.key)
        record[column.key] = value.isoformat() if isinstance(value, datetime) else value
    record["platform"] = endorsement.platform.slug
    record["consents"] = [
        {
            "purpose": c.purpose.value,
            "wording": c.wording,
            "wording_version": c.wording_version,
            "locale": c.locale,
            "given_at": c.given_at.isoformat(),
            "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
        }
        for c in endorsement.consents
    ]
    return record
