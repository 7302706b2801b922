"""Review signals: facts the app computes so a moderator can judge an endorsement quickly.

None of them decides anything; each is shown beside the endorsement in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select

from ..endorsements.models import Endorsement, EndorsementKind, EndorsementStatus
from ..extensions import db
from ..screening.freemail import FREE_MAIL_DOMAINS

# Free mailbox providers: an address there says nothing about the organization.
PERSONAL_MAIL_DOMAINS = FREE_MAIL_DOMAINS
SAME_IP_WINDOW = timedelta(hours=24)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def _same_or_subdomain(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


@dataclass
class Signals:
    """What the queue shows beside one endorsement."""

    # True/False: does the email's domain match the website's? None: nothing to compare.
    domain_match: bool | None = None
    personal_mailbox: bool = False
    duplicates: list[Endorsement] = field(default_factory=list)
    same_ip_count: int = 0
    flags: list[str] = field(default_factory=list)

    @property
    def concerns(self) -> int:
        """Count the signals that deserve a second look."""
        return (
            (self.domain_match is False)
            + bool(self.duplicates)
            + (self.same_ip_count > 0)
            + len(self.flags)
        )


def _domain_signals(endorsement: Endorsement, signals: Signals) -> None:
    domain = email_domain(endorsement.email_canonical)
    signals.personal_mailbox = domain in PERSONAL_MAIL_DOMAINS
    host = endorsement.website_host
    if endorsement.kind == EndorsementKind.ORGANIZATION and host and not signals.personal_mailbox:
        signals.domain_match = _same_or_subdomain(domain, host)
    elif endorsement.kind == EndorsementKind.ORGANIZATION and host:
        signals.domain_match = False


def compute(endorsements: list[Endorsement]) -> dict[int, Signals]:
    """Return the signals of each endorsement, with a fixed number of queries for the batch."""
    result = {e.id: Signals(flags=sorted(e.flag_set)) for e in endorsements}
    if not endorsements:
        return result
    for endorsement in endorsements:
        _domain_signals(endorsement, result[endorsement.id])

    # Possible duplicates: another endorsement of the same platform by an organization with
    # the same website host, or the same name once filler words and accents are set aside.
    orgs = [e for e in endorsements if e.kind == EndorsementKind.ORGANIZATION]
    hosts = {e.website_host for e in orgs} - {""}
    keys = {e.name_key for e in orgs} - {""}
    if hosts or keys:
        candidates = db.session.scalars(
            select(Endorsement).where(
                Endorsement.platform_id.in_({e.platform_id for e in orgs}),
                Endorsement.status != EndorsementStatus.UNVERIFIED,
                or_(Endorsement.website_host.in_(hosts), Endorsement.name_key.in_(keys)),
            )
        ).all()
        for endorsement in orgs:
            result[endorsement.id].duplicates = [
                other
                for other in candidates
                if other.id != endorsement.id
                and other.platform_id == endorsement.platform_id
                and (
                    (endorsement.website_host and other.website_host == endorsement.website_host)
                    or (endorsement.name_key and other.name_key == endorsement.name_key)
                )
            ]

    # Several sign-ons from one network in a short time.
    hashed = [e for e in endorsements if e.ip_hash]
    if hashed:
        windows = or_(
            *(
                and_(
                    Endorsement.ip_hash == e.ip_hash,
                    Endorsement.created_at >= e.created_at - SAME_IP_WINDOW,
                    Endorsement.created_at <= e.created_at + SAME_IP_WINDOW,
                    Endorsement.id != e.id,
                )
                for e in hashed
            )
        )
        neighbours = db.session.execute(
            select(Endorsement.id, Endorsement.ip_hash, Endorsement.created_at).where(windows)
        ).all()
        for endorsement in hashed:
            result[endorsement.id].same_ip_count = sum(
                1
                for other_id, other_hash, created in neighbours
                if other_hash == endorsement.ip_hash
                and other_id != endorsement.id
                and abs(created - endorsement.created_at) <= SAME_IP_WINDOW
            )
    return result
