"""Emails telling moderators that endorsements await review, at the pace each one chose.

Run `flask petition notify-moderators` every few minutes (cron or a systemd timer): each
moderator is written to at most once per chosen interval, and only when something new waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..accounts.models import AdminUser, DigestFrequency
from ..db_types import utcnow
from ..endorsements.models import Endorsement, EndorsementStatus
from ..extensions import db
from ..outbox.services import queue_email
from ..platforms.models import Platform
from ..platforms.services import localized
from ..urls import external_url

INTERVALS = {
    DigestFrequency.IMMEDIATELY: timedelta(0),
    DigestFrequency.HOURLY: timedelta(hours=1),
    DigestFrequency.DAILY: timedelta(days=1),
}


@dataclass(frozen=True)
class Waiting:
    platform: Platform
    new: int
    total: int


def _waiting_since(since: datetime) -> list[Waiting]:
    rows = db.session.execute(
        select(
            Endorsement.platform_id,
            func.count(),
            func.sum(func.cast(Endorsement.confirmed_at > since, db.Integer)),
        )
        .where(Endorsement.status == EndorsementStatus.PENDING_REVIEW)
        .group_by(Endorsement.platform_id)
    ).all()
    result = []
    for platform_id, total, new in rows:
        if new:
            result.append(Waiting(db.session.get(Platform, platform_id), int(new), total))
    return result


def send_digests(now: datetime | None = None) -> int:
    """Queue a digest to each moderator who is due one and has news; return how many."""
    now = now or utcnow()
    users = db.session.scalars(
        select(AdminUser).where(AdminUser.active, AdminUser.digest != DigestFrequency.OFF)
    ).all()
    sent = 0
    for user in users:
        interval = INTERVALS[user.digest]
        last = user.last_digest_at
        if last is not None and now - last < interval:
            continue
        waiting = _waiting_since(last or now - INTERVALS[DigestFrequency.DAILY])
        if not waiting:
            continue
        # Claim this digest: a second run at the same moment finds the time already moved on.
        claimed = db.session.execute(
            update(AdminUser)
            .where(
                AdminUser.id == user.id,
                AdminUser.last_digest_at.is_(None)
                if last is None
                else AdminUser.last_digest_at == last,
            )
            .values(last_digest_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        locale = user.preferred_locale.value
        queue_email(
            to=user.email,
            locale=locale,
            template="moderation/digest",
            context={
                "items": [
                    {
                        "title": localized(w.platform, "title", locale).value,
                        "new": w.new,
                        "total": w.total,
                        "url": external_url("moderation.queue", platform=w.platform.slug),
                    }
                    for w in waiting
                ],
                "total_new": sum(w.new for w in waiting),
            },
        )
        sent += 1
    return sent
