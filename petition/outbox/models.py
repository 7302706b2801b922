"""The outbox: every email the site sends, written in the transaction that caused it.

A message is queued as its template's name and plain (JSON) values; the relay renders it, in
the recipient's language, when it sends it. Messages queued before that (rendered when
queued: `context` is NULL) are sent as they were written.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, str_enum, utcnow
from ..extensions import db

LAST_ERROR_LENGTH = 500
SUBJECT_LENGTH = 300


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Never sent: the sign-on that caused it was flagged, or its address had had its day's
    # emails. Queued all the same, so that every sign-on does the same work.
    WITHHELD = "withheld"


class OutboxMessage(db.Model):
    # Never shown on a public page: changing it leaves cached pages as they are.
    never_on_public_pages = True
    __tablename__ = "outbox_message"
    __table_args__ = (
        # Stale claims (`sending` rows whose relay stopped) and the oldest waiting email.
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        # The relay's claim: only queued rows, in send order, so a claim reads its batch off
        # the front of this index however long the queue and however many were sent before.
        Index(
            "ix_outbox_message_queued",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
        # The per-address cap: how many emails went to one address since a moment.
        Index("ix_outbox_message_recipient_created_at", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored exactly as given: callers pass the canonical (lowercased) address.
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5))
    template: Mapped[str] = mapped_column(String(100))
    # The template's values, rendered by the relay; emptied (NULL) once sent, since they hold
    # one-time secret links. NULL too for messages rendered when queued (before 2026-12).
    context: Mapped[dict | None] = mapped_column(JSON)
    # Written by the relay when it renders the message (for the admin's list of failures);
    # a message rendered when queued has it from the start.
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH), default="")
    # Only messages rendered when queued have bodies; emptied once sent.
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # The RFC 5322 Message-ID header, fixed at queue time: also the idempotency key.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a relay claims the row; it doubles as that relay's claim token.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(LAST_ERROR_LENGTH))
    # The request that queued it (X-Request-ID), so the relay's log line names it too.
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.message_id} {self.status}>"
