"""The audit log: who did what to which record, and when. Append-only."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db

if TYPE_CHECKING:  # Named, not imported: the audit log sits below the accounts.
    from ..accounts.models import AdminUser


class ActorKind(enum.StrEnum):
    ADMIN = "admin"
    SIGNER = "signer"
    SYSTEM = "system"


class AuditLogIsAppendOnly(RuntimeError):
    """Audit events can be added, never changed or deleted."""


class AuditEvent(db.Model):
    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(str_enum(ActorKind, "audit_actor_kind"))
    # The account may be deleted one day; the label keeps who it was (the email at the time).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_hash: Mapped[str | None] = mapped_column(String(64))

    # Many-to-one only: with no collection on AdminUser, the ORM never rewrites audit rows
    # when an account goes away (the database's ON DELETE SET NULL does that).
    actor: Mapped[AdminUser | None] = relationship("AdminUser")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False):
            raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state):
    # Bulk UPDATE/DELETE statements skip the flush, so refuse them here too.
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    table = getattr(state.statement, "table", None)
    if (mapper is not None and mapper.class_ is AuditEvent) or table is AuditEvent.__table__:
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
