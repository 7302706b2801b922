"""Invalidating sign-ons in bulk: by email domain (and subdomains), IP fingerprint and/or time
window, on one platform.

A dry run counts what a real run would change; the real run is given that count back and
refuses if the selection changed meanwhile, so what the admin confirmed is what happens.
Invalidated endorsements become rejected (flag "invalidated", the reason recorded): they leave
every public surface at once (the page cache and the counts follow the rows). Each one gets an
audit event, and the run one more. Signers are emailed (in their language) only if the admin
asks, and only those who had confirmed their address: an unconfirmed one may be an address a
script typed, whose owner never signed. The web pages handle at most INVALIDATE_WEB_LIMIT
endorsements per request; past that, `flask petition invalidate` handles any number, in
batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..db_types import utcnow
from ..endorsements.models import Endorsement, EndorsementStatus
from ..extensions import db
from ..i18n import _l
from ..outbox.services import queue_email
from ..platforms.models import Platform
from ..platforms.services import localized
from ..screening import FINGERPRINT_LENGTH, InvalidEntry, ScreeningKind, fingerprint, normalize
from ..screening.services import matches_domain

# Endorsements one web request may invalidate (INVALIDATE_WEB_LIMIT); the CLI has no limit.
WEB_LIMIT = 2000
INVALIDATED = "invalidated"
# What an invalidation takes back: anything not already rejected or withdrawn.
INVALIDATABLE = (
    EndorsementStatus.UNVERIFIED,
    EndorsementStatus.PENDING_REVIEW,
    EndorsementStatus.APPROVED,
    EndorsementStatus.HIDDEN,
)


class NoCriteria(ValueError):
    """A selection must name a domain, a fingerprint or a time window."""


class InvalidSelection(ValueError):
    """A criterion that cannot select anything: `field` names it, `message` says why."""

    def __init__(self, field: str, message):
        super().__init__(field)
        self.field = field
        self.message = message


class TooMany(Exception):
    """More endorsements match than one web request may change."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class CountChanged(Exception):
    """The selection no longer matches as many endorsements as the dry run said."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


@dataclass(frozen=True)
class Selection:
    """Which endorsements of a platform to invalidate."""

    platform: Platform
    domain: str = ""
    fingerprint: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def build(cls, platform, *, domain="", fingerprint="", since=None, until=None) -> Selection:
        """Return a selection of cleaned values, or raise InvalidSelection / NoCriteria."""
        try:
            domain = normalize(ScreeningKind.DOMAIN, domain) if domain else ""
        except InvalidEntry as error:
            raise InvalidSelection("domain", error.message) from error
        fingerprint = (fingerprint or "").strip().lower()
        if fingerprint:
            try:
                # An address typed in is selected by its fingerprint, like any other.
                fingerprint = normalize(ScreeningKind.IP, fingerprint)[:FINGERPRINT_LENGTH]
            except InvalidEntry as error:
                raise InvalidSelection("fingerprint", error.message) from error
        if not (domain or fingerprint or since or until):
            raise NoCriteria
        if since and until and since >= until:
            raise InvalidSelection(
                "until", _l("The end of the time window must come after its start.")
            )
        return cls(platform, domain, fingerprint, since, until)

    def describe(self) -> dict:
        """Return the selection as plain values (audit log, command line)."""
        return {
            "platform": self.platform.slug,
            **({"domain": self.domain} if self.domain else {}),
            **({"fingerprint": self.fingerprint} if self.fingerprint else {}),
            **({"since": self.since.isoformat()} if self.since else {}),
            **({"until": self.until.isoformat()} if self.until else {}),
        }

    def query(self):
        query = select(Endorsement).where(
            Endorsement.platform_id == self.platform.id, Endorsement.status.in_(INVALIDATABLE)
        )
        if self.domain:
            query = query.where(matches_domain(Endorsement.email_canonical, self.domain))
        if self.fingerprint:
            query = query.where(Endorsement.ip_hash.like(f"{self.fingerprint}%"))
        if self.since:
            query = query.where(Endorsement.created_at >= self.since)
        if self.until:
            query = query.where(Endorsement.created_at < self.until)
        return query


@dataclass
class DryRun:
    total: int = 0
    by_status: dict[EndorsementStatus, int] = field(default_factory=dict)

    @property
    def public(self) -> int:
        return self.by_status.get(EndorsementStatus.APPROVED, 0)


def dry_run(selection: Selection) -> DryRun:
    """Count what invalidating `selection` would change (changes nothing)."""
    inner = selection.query().subquery()
    counts = dict(
        db.session.execute(select(inner.c.status, func.count()).group_by(inner.c.status)).all()
    )
    by_status = {EndorsementStatus(s): n for s, n in counts.items()}
    return DryRun(total=sum(by_status.values()), by_status=by_status)


@dataclass(frozen=True)
class Result:
    invalidated: int
    emailed: int
    by_status: dict


def invalidate(
    selection: Selection,
    *,
    reason: str,
    actor=None,
    notify: bool = False,
    expected: int | None = None,
    limit: int | None = None,
    take: int | None = None,
    now: datetime | None = None,
) -> Result:
    """Invalidate what `selection` matches; audit each one and the run. The caller commits.

    Raise TooMany past `limit` (None: no limit; the web pages pass web_limit()) and
    CountChanged if `expected` (the dry run's count) no longer holds; nothing is changed then.
    With `take` (and no limit), handle the first `take` only: the command line calls it
    again, batch after batch, until nothing is left.
    """
    now = now or utcnow()
    query = selection.query().order_by(Endorsement.id)
    if limit is not None:
        query = query.limit(limit + 1)
    elif take is not None:
        query = query.limit(take)
    rows = list(db.session.scalars(query))
    if limit is not None and len(rows) > limit:
        raise TooMany(dry_run(selection).total)
    if expected is not None and len(rows) != expected:
        raise CountChanged(len(rows))
    by_status: dict[str, int] = {}
    emailed = 0
    for endorsement in rows:
        seen = endorsement.status
        by_status[seen.value] = by_status.get(seen.value, 0) + 1
        endorsement.status = EndorsementStatus.REJECTED
        endorsement.reviewed_at = now
        endorsement.reviewer_id = getattr(actor, "id", None)
        endorsement.review_reason = reason[:500]
        endorsement.add_flags({INVALIDATED})
        audit.record(
            "endorsement.invalidate",
            actor=actor,
            actor_label=None if actor is not None else "cli",
            target_type="endorsement",
            target_id=endorsement.id,
            platform_id=endorsement.platform_id,
            details={
                "before": {"status": seen.value},
                "after": {"status": EndorsementStatus.REJECTED.value},
                "reason": reason,
            },
        )
        if notify and seen != EndorsementStatus.UNVERIFIED and endorsement.anonymized_at is None:
            _notify(endorsement, reason)
            emailed += 1
    audit.record(
        "endorsement.invalidate_bulk",
        actor=actor,
        actor_label=None if actor is not None else "cli",
        target_type="platform",
        target_id=selection.platform.id,
        platform_id=selection.platform.id,
        details={
            "selection": selection.describe(),
            "reason": reason,
            "count": len(rows),
            "by_status": by_status,
            "notified": emailed,
        },
    )
    db.session.flush()
    return Result(invalidated=len(rows), emailed=emailed, by_status=by_status)


def web_limit() -> int:
    """Return how many endorsements one web request may invalidate."""
    return current_app.config.get("INVALIDATE_WEB_LIMIT", WEB_LIMIT)


def _notify(endorsement: Endorsement, reason: str) -> None:
    queue_email(
        to=endorsement.email_canonical,
        locale=endorsement.locale,
        template="abuse_console/invalidated",
        context={
            "endorsement": endorsement.email_values(),
            "platform_title": localized(endorsement.platform, "title", endorsement.locale).value,
            "reason": reason,
        },
    )


def cli_command_line(selection: Selection) -> str:
    """Return the `flask petition invalidate` command that handles `selection` in full."""
    parts = ["flask petition invalidate", selection.platform.slug]
    if selection.domain:
        parts.append(f"--domain {selection.domain}")
    if selection.fingerprint:
        parts.append(f"--fingerprint {fingerprint(selection.fingerprint)}")
    if selection.since:
        parts.append(f"--since {selection.since.isoformat(timespec='minutes')}")
    if selection.until:
        parts.append(f"--until {selection.until.isoformat(timespec='minutes')}")
    parts.append('--reason "..." --dry-run')
    return " ".join(parts)
