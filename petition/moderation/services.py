"""Reading the audit log with filters, and what the admin dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, select

from ..accounts.models import AdminUser
from ..audit.models import ActorKind, AuditEvent
from ..extensions import db
from ..security import whole_number

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What to narrow the audit log to; None means "any"."""

    action: str | None = None
    # "signer", "system", "unknown" (a failed login with an unknown address) or an account id.
    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    platform_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight_utc(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def audit_query(filters: AuditFilters) -> Select:
    """Return the query for audit events matching `filters`, newest first."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor in {ActorKind.SIGNER, ActorKind.SYSTEM}:
        query = query.where(AuditEvent.actor_kind == filters.actor)
    elif filters.actor == "unknown":
        query = query.where(
            AuditEvent.actor_kind == ActorKind.ADMIN,
            AuditEvent.actor_id.is_(None),
            AuditEvent.actor_label == "unknown",
        )
    elif whole_number(filters.actor) is not None:
        query = query.where(AuditEvent.actor_id == whole_number(filters.actor))
    if filters.target_type:
        query = query.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditEvent.target_id == filters.target_id.strip())
    if filters.platform_id is not None:
        query = query.where(AuditEvent.platform_id == filters.platform_id)
    # Dates are days in the site's time zone, both ends included. The first and last days a
    # date can hold limit nothing (and the day after the last one does not exist).
    if filters.date_from and filters.date_from > date.min:
        query = query.where(AuditEvent.at >= _local_midnight_utc(filters.date_from))
    if filters.date_to and filters.date_to < date.max:
        query = query.where(AuditEvent.at < _local_midnight_utc(filters.date_to + timedelta(1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_page(filters: AuditFilters, page: int = 1, per_page: int = AUDIT_PAGE_SIZE):
    """Return one page of matching audit events (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(audit_query(filters), page=page, per_page=per_page, error_out=False)


def recorded_actions() -> list[str]:
    """Return every action code that occurs in the log."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by("action")))


def recorded_target_types() -> list[str]:
    """Return every target type that occurs in the log."""
    return list(
        db.session.scalars(
            select(AuditEvent.target_type)
            .where(AuditEvent.target_type.is_not(None))
            .distinct()
            .order_by("target_type")
        )
    )


def accounts_for_filter() -> list[AdminUser]:
    """Return every account, by email, for the "who" filter."""
    return list(db.session.scalars(select(AdminUser).order_by(AdminUser.email)))


def events_for(target_type: str, target_id: int) -> list[AuditEvent]:
    """Return the audit events about one target, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
