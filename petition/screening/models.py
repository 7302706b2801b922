"""The block and allow lists, and the record of each sign-on a block stopped."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db


class ScreeningList(enum.StrEnum):
    # Sign-ons that match are recorded as blocked, answered like any other, never emailed.
    BLOCK = "block"
    # Sign-ons that match are exempt from the sign-on rate limit (a partner, a shared office).
    ALLOW = "allow"
    # Domains on the disposable-email list that are in fact permanent mailboxes.
    DISPOSABLE_OK = "disposable_ok"


class ScreeningKind(enum.StrEnum):
    # An email domain and every subdomain of it.
    DOMAIN = "domain"
    # The keyed hash of an IP address (64 hex digits) or its fingerprint (the first 12).
    IP = "ip"
    # One exact (canonical) email address.
    ADDRESS = "address"


class ScreeningEntry(db.Model):
    """One entry of a block or allow list, added by an admin."""

    never_on_public_pages = True
    __tablename__ = "screening_entry"
    __table_args__ = (UniqueConstraint("list", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list: Mapped[ScreeningList] = mapped_column(str_enum(ScreeningList, "screening_list"))
    kind: Mapped[ScreeningKind] = mapped_column(str_enum(ScreeningKind, "screening_kind"))
    value: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_user.id", ondelete="SET NULL")
    )


class ScreeningHit(db.Model):
    """A sign-on that a block entry stopped: when, on which platform (nothing about who)."""

    never_on_public_pages = True
    __tablename__ = "screening_hit"
    __table_args__ = (Index("ix_screening_hit_entry_at", "entry_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entry.id", ondelete="CASCADE"))
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
