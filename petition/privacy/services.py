"""Erasing personal data: anonymize an endorsement but keep what aggregate counts need.

An anonymized endorsement keeps its platform, kind, status, province, organization type,
by-and-for mark, locale, platform version, consent records (generic wording) and dates, so
counts by status, province or type stay right. Everything that could identify a person or
reach them goes: names, contact details, free text, the IP hash, flags, links and emails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from .. import audit
from ..audit import Actor
from ..db_types import utcnow
from ..endorsements.models import EmailToken, Endorsement, EndorsementStatus
from ..endorsements.signon import canonical_email
from ..extensions import db
from ..logos.models import OrganizationLogo
from ..outbox.models import OutboxMessage
from ..platforms.models import Platform

log = logging.getLogger(__name__)

# Every text column that can hold something about a person, emptied by `anonymize`.
PERSONAL_TEXT = (
    "name",
    "title",
    "city",
    "org_name",
    "org_name_fr",
    "website",
    "about_en",
    "about_fr",
    "descriptor",
    "display_name",
    "search_key",
    "name_key",
    "website_host",
    "sort_key_en",
    "sort_key_fr",
    "flags",
    "ip_hash",
    "review_reason",
)
PLACEHOLDER_DOMAIN = "invalid"  # reserved (RFC 2606): no mail can ever go there


def placeholder_email(endorsement_id: int) -> str:
    """Return the address an anonymized endorsement keeps (unique, so constraints hold)."""
    return f"anonymized-{endorsement_id}@{PLACEHOLDER_DOMAIN}"


def forget_address(address: str, older_than: datetime | None = None) -> int:
    """Delete outbox messages to `address` unless an endorsement still uses it; count them."""
    still_used = db.session.scalar(
        select(Endorsement.id).where(Endorsement.email_canonical == address).limit(1)
    )
    if still_used is not None:
        return 0
    statement = delete(OutboxMessage).where(OutboxMessage.recipient == address)
    if older_than is not None:
        statement = statement.where(OutboxMessage.created_at < older_than)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount


@dataclass(frozen=True)
class Anonymized:
    endorsement_id: int
    tokens_deleted: int
    messages_deleted: int


def anonymize(endorsement: Endorsement, now: datetime | None = None) -> Anonymized:
    """Remove every personal detail of `endorsement`, its links and its emails (flush only)."""
    now = now or utcnow()
    address = endorsement.email_canonical
    for name in PERSONAL_TEXT:
        setattr(endorsement, name, "")
    endorsement.email = endorsement.email_canonical = placeholder_email(endorsement.id)
    endorsement.contact_public = False
    endorsement.anonymized_at = endorsement.anonymized_at or now
    for record in endorsement.consents:
        if record.withdrawn_at is None:
            record.withdrawn_at = now
    # The logo says who the organization is: it goes too (its file is unlinked from any row).
    db.session.execute(
        delete(OrganizationLogo)
        .where(OrganizationLogo.endorsement_id == endorsement.id)
        .execution_options(synchronize_session=False)
    )
    tokens = db.session.execute(
        delete(EmailToken)
        .where(EmailToken.endorsement_id == endorsement.id)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    messages = forget_address(address) if address != endorsement.email_canonical else 0
    db.session.expire(endorsement, ["tokens"])
    return Anonymized(endorsement.id, tokens.rowcount, messages)


@dataclass(frozen=True)
class Erased:
    endorsement_id: int
    platform_slug: str
    kind: str
    previous_status: EndorsementStatus
    status: EndorsementStatus
    tokens_deleted: int
    messages_deleted: int


def erase(endorsement: Endorsement, actor: Actor | str, now: datetime | None = None) -> Erased:
    """Erase a person's endorsement at their request: off every public surface, data gone.

    `actor` is whoever carried out the request (an admin user, or a label such as "cli").
    The row stays, anonymized, so aggregate counts stay right. Flush only.
    """
    now = now or utcnow()
    previous = endorsement.status
    if previous != EndorsementStatus.REJECTED:
        # Withdrawn takes it off every public list; a rejection stays a rejection.
        endorsement.status = EndorsementStatus.WITHDRAWN
        endorsement.withdrawn_at = endorsement.withdrawn_at or now
    done = anonymize(endorsement, now)
    _audit_erasure(endorsement, actor, previous)
    return Erased(
        endorsement_id=endorsement.id,
        platform_slug=endorsement.platform.slug,
        kind=endorsement.kind.value,
        previous_status=previous,
        status=endorsement.status,
        tokens_deleted=done.tokens_deleted,
        messages_deleted=done.messages_deleted,
    )


def _audit_erasure(
    endorsement: Endorsement, actor: Actor | str, previous: EndorsementStatus
) -> None:
    # The event names the endorsement and its statuses, never the erased data itself.
    who = {"actor_label": actor} if isinstance(actor, str) else {"actor": actor}
    audit.record(
        "endorsement.erase",
        **who,
        target_type="endorsement",
        target_id=endorsement.id,
        platform_id=endorsement.platform_id,
        details={
            "before": {"status": previous.value},
            "after": {"status": endorsement.status.value},
        },
    )


def erase_address(
    address: str, actor: Actor | str, platform: Platform | None = None, now: datetime | None = None
) -> tuple[list[Erased], int]:
    """Erase every endorsement of an address (on one platform, or all); flush only.

    Returns what was erased, and how many leftover outbox messages to the address went too.
    """
    canonical = canonical_email(address)
    query = select(Endorsement).where(Endorsement.email_canonical == canonical)
    if platform is not None:
        query = query.where(Endorsement.platform_id == platform.id)
    erased = [erase(e, actor, now) for e in db.session.scalars(query.order_by(Endorsement.id))]
    db.session.flush()
    # Emails to an address whose endorsements were already purged or erased go too.
    leftover = forget_address(canonical)
    return erased, leftover
