"""Moderators' decisions on endorsements: approve, reject, hide, edit. Every one is audited.

A decision names the status the moderator saw; the database applies it only if the
endorsement is still in that status, so two moderators acting at once cannot produce two
outcomes (the second is told what the first decided).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from .. import audit
from ..accounts.models import AdminUser
from ..db_types import utcnow
from ..endorsements import naming
from ..endorsements.models import Endorsement, EndorsementStatus
from ..endorsements.services import approval_problem
from ..extensions import db
from ..outbox.services import queue_email
from ..platforms.models import Platform
from ..platforms.services import localized
from . import logos as moderated_logos


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"


# From which statuses each decision may be taken, and the status it leads to.
TRANSITIONS: dict[Decision, tuple[set[EndorsementStatus], EndorsementStatus]] = {
    Decision.APPROVE: (
        {EndorsementStatus.PENDING_REVIEW, EndorsementStatus.REJECTED, EndorsementStatus.HIDDEN},
        EndorsementStatus.APPROVED,
    ),
    Decision.REJECT: ({EndorsementStatus.PENDING_REVIEW}, EndorsementStatus.REJECTED),
    Decision.HIDE: ({EndorsementStatus.APPROVED}, EndorsementStatus.HIDDEN),
}

# Public fields a moderator may correct (spelling, translations, a display name).
EDITABLE_FIELDS = (
    "org_name",
    "org_name_fr",
    "org_type",
    "website",
    "by_and_for",
    "founding",
    "about_en",
    "about_fr",
    "city",
    "province",
    "descriptor",
    "display_name",
)


class ReviewError(Exception):
    """A decision that cannot be applied; the message is for the moderator."""


class AlreadyDecided(ReviewError):
    """Someone changed the endorsement since the moderator looked at it."""

    def __init__(self, current: EndorsementStatus):
        super().__init__(current)
        self.current = current


class NotAllowed(ReviewError):
    """The decision does not apply to an endorsement in this status."""


class NotApprovable(ReviewError):
    """Approving would publish something its signer did not agree to publish."""

    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem


class WrongPlatform(ReviewError):
    """The endorsement does not belong to the platform named in the request."""


def endorsement_of(platform: Platform, endorsement_id: int) -> Endorsement:
    """Return an endorsement of `platform`; refuse one of another platform."""
    endorsement = db.session.get(Endorsement, endorsement_id)
    if endorsement is None or endorsement.platform_id != platform.id:
        raise WrongPlatform(endorsement_id)
    return endorsement


def decide(
    endorsement: Endorsement,
    decision: Decision,
    moderator: AdminUser,
    *,
    seen: EndorsementStatus,
    reason: str = "",
    notify: bool = False,
    now: datetime | None = None,
) -> None:
    """Apply a decision if the endorsement is still as the moderator saw it; audit it."""
    allowed, target = TRANSITIONS[decision]
    if seen not in allowed:
        raise NotAllowed(seen)
    if target == EndorsementStatus.APPROVED:
        problem = approval_problem(endorsement)
        if problem is not None:
            raise NotApprovable(problem)
    now = now or utcnow()
    values = {
        "status": target,
        "reviewed_at": now,
        "reviewer_id": moderator.id,
        "review_reason": reason[:500],
    }
    if target == EndorsementStatus.APPROVED:
        values["approved_at"] = now
    applied = db.session.execute(
        update(Endorsement)
        .where(Endorsement.id == endorsement.id, Endorsement.status == seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if applied.rowcount != 1:
        db.session.refresh(endorsement)
        raise AlreadyDecided(endorsement.status)
    db.session.refresh(endorsement)
    if target == EndorsementStatus.APPROVED:
        # The moderator saw the logo beside the signals: it is approved with the endorsement.
        moderated_logos.approve_with(endorsement, moderator)
    audit.record(
        f"endorsement.{decision.value}",
        actor=moderator,
        target_type="endorsement",
        target_id=endorsement.id,
        platform_id=endorsement.platform_id,
        details={
            "before": {"status": seen.value},
            "after": {"status": target.value},
            **({"reason": reason} if reason else {}),
            **({"notified": True} if notify else {}),
        },
    )
    if decision == Decision.REJECT and notify:
        _notify_rejection(endorsement, reason)


def _notify_rejection(endorsement: Endorsement, reason: str) -> None:
    queue_email(
        to=endorsement.email_canonical,
        locale=endorsement.locale,
        template="moderation/rejected",
        context={
            "endorsement": endorsement.email_values(),
            "platform_title": localized(endorsement.platform, "title", endorsement.locale).value,
            "reason": reason,
        },
    )


@dataclass(frozen=True)
class BulkResult:
    done: int
    skipped: int


def decide_many(
    platform: Platform,
    ids: list[int],
    decision: Decision,
    moderator: AdminUser,
    *,
    reason: str = "",
) -> BulkResult:
    """Apply one decision to several pending endorsements of `platform`; skip the rest."""
    allowed, _target = TRANSITIONS[decision]
    rows = db.session.scalars(
        select(Endorsement).where(Endorsement.id.in_(ids), Endorsement.platform_id == platform.id)
    ).all()
    done = 0
    for endorsement in rows:
        seen = endorsement.status
        if seen not in allowed:
            continue
        try:
            decide(endorsement, decision, moderator, seen=seen, reason=reason)
        except (AlreadyDecided, NotApprovable):
            continue
        done += 1
    return BulkResult(done=done, skipped=len(set(ids)) - done)


def edit(endorsement: Endorsement, moderator: AdminUser, changes: dict) -> dict:
    """Change public fields, keep search keys right, audit before/after; return the changes."""
    before, after = {}, {}
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        old, new = getattr(endorsement, name), changes[name]
        if old == new:
            continue
        before[name], after[name] = _plain(old), _plain(new)
        setattr(endorsement, name, new)
    if not after:
        return {}
    naming.refresh_keys(endorsement)
    audit.record(
        "endorsement.edit",
        actor=moderator,
        target_type="endorsement",
        target_id=endorsement.id,
        platform_id=endorsement.platform_id,
        details={"before": before, "after": after},
    )
    db.session.flush()
    return after


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def record_export(platform: Platform, admin: AdminUser) -> None:
    """Note in the audit log that `admin` downloaded every endorsement's contact details."""
    audit.record(
        "endorsement.export",
        actor=admin,
        target_type="platform",
        target_id=platform.id,
        platform_id=platform.id,
    )
