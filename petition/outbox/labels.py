"""Translated names for the outbox's statuses, shown on the admin dashboard."""

from __future__ import annotations

from ..i18n import _l
from .models import OutboxStatus

OUTBOX_STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("Waiting to be sent"),
    OutboxStatus.SENDING: _l("Being sent"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.WITHHELD: _l("Withheld (flagged or over the daily limit)"),
}
