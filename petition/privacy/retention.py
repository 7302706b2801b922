"""The scheduled retention run: delete expired unconfirmed sign-ons, anonymize old refusals.

Unconfirmed (`unverified`) endorsements are deleted UNVERIFIED_RETENTION_DAYS after their last
sign-on (tokens and consents go with them; so do older emails to addresses nobody else uses).
Withdrawn and rejected endorsements are anonymized ANONYMIZE_AFTER_DAYS after the withdrawal
or the review: the row stays, for the counts.
Withheld emails (written for flagged or capped sign-ons, never sent) are deleted once a day
old: they no longer count for the daily limit, and would only say that an address was used.

Unlike services, `purge` commits, one batch at a time: a run can be stopped at any moment and
leaves only whole batches done, and the next run picks up the rest (it is idempotent: what is
deleted or anonymized no longer matches). Safe to run from cron.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from .. import audit
from ..db_types import utcnow
from ..endorsements.models import Endorsement, EndorsementStatus
from ..extensions import db
from ..outbox.models import OutboxMessage, OutboxStatus
from . import services

DEFAULT_BATCH_SIZE = 500


@dataclass
class PurgeReport:
    dry_run: bool
    unverified_deleted: int = 0
    withdrawn_anonymized: int = 0
    rejected_anonymized: int = 0
    messages_deleted: int = 0
    batches: int = 0


def _cutoffs(now: datetime) -> tuple[datetime, datetime]:
    config = current_app.config
    return (
        now - timedelta(days=config["UNVERIFIED_RETENTION_DAYS"]),
        now - timedelta(days=config["ANONYMIZE_AFTER_DAYS"]),
    )


def expired_unverified(cutoff: datetime):
    """Condition for unconfirmed endorsements whose last sign-on is older than `cutoff`."""
    # updated_at, not created_at: signing on again refreshes an unconfirmed endorsement.
    return (Endorsement.status == EndorsementStatus.UNVERIFIED) & (Endorsement.updated_at < cutoff)


def due_for_anonymizing(status: EndorsementStatus, cutoff: datetime):
    """Condition for withdrawn or rejected endorsements whose decision is older than `cutoff`."""
    decided = (
        Endorsement.withdrawn_at
        if status == EndorsementStatus.WITHDRAWN
        else (Endorsement.reviewed_at)
    )
    return (
        (Endorsement.status == status)
        & Endorsement.anonymized_at.is_(None)
        & (func.coalesce(decided, Endorsement.updated_at) < cutoff)
    )


def _count(condition) -> int:
    return db.session.scalar(select(func.count()).select_from(Endorsement).where(condition))


def purge(
    *,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    on_batch: Callable[[PurgeReport], None] | None = None,
) -> PurgeReport:
    """Apply the retention rules, committing after each batch; with `dry_run`, only count."""
    now = now or utcnow()
    unverified_cutoff, anonymize_cutoff = _cutoffs(now)
    report = PurgeReport(dry_run=dry_run)
    expired = expired_unverified(unverified_cutoff)
    withdrawn = due_for_anonymizing(EndorsementStatus.WITHDRAWN, anonymize_cutoff)
    rejected = due_for_anonymizing(EndorsementStatus.REJECTED, anonymize_cutoff)
    if dry_run:
        report.unverified_deleted = _count(expired)
        report.withdrawn_anonymized = _count(withdrawn)
        report.rejected_anonymized = _count(rejected)
        db.session.rollback()
        return report

    while True:
        rows = db.session.execute(
            select(Endorsement.id, Endorsement.email_canonical)
            .where(expired)
            .order_by(Endorsement.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        db.session.execute(
            delete(Endorsement)
            .where(Endorsement.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        # Tokens and consents go by ON DELETE CASCADE; emails only if nobody else uses the
        # address, and only those as old as the sign-on.
        for address in {row.email_canonical for row in rows}:
            report.messages_deleted += services.forget_address(address, unverified_cutoff)
        report.unverified_deleted += len(ids)
        _commit(report, on_batch)

    for condition, field in (
        (withdrawn, "withdrawn_anonymized"),
        (rejected, "rejected_anonymized"),
    ):
        while True:
            batch = db.session.scalars(
                select(Endorsement).where(condition).order_by(Endorsement.id).limit(batch_size)
            ).all()
            if not batch:
                break
            for endorsement in batch:
                report.messages_deleted += services.anonymize(endorsement, now).messages_deleted
            setattr(report, field, getattr(report, field) + len(batch))
            _commit(report, on_batch)

    withheld = db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.WITHHELD,
            OutboxMessage.created_at < now - timedelta(days=1),
        )
        .execution_options(synchronize_session=False)
    )
    if withheld.rowcount:
        report.messages_deleted += withheld.rowcount
        _commit(report, on_batch)
    else:
        db.session.commit()
    return report


def _commit(report: PurgeReport, on_batch) -> None:
    db.session.commit()
    # Nothing from the finished batch needs to stay in memory.
    db.session.expunge_all()
    report.batches += 1
    if on_batch:
        on_batch(report)


def record_run(report: PurgeReport) -> None:
    """Note a retention run in the audit log (counts only); flush, the caller commits."""
    audit.record(
        "retention.purge",
        actor_label="retention",
        details={
            "unverified_deleted": report.unverified_deleted,
            "withdrawn_anonymized": report.withdrawn_anonymized,
            "rejected_anonymized": report.rejected_anonymized,
            "messages_deleted": report.messages_deleted,
        },
    )
