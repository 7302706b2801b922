"""Queue emails into the outbox, render them, and the outbox figures the admin dashboard shows.

A request only queues: the template's name and its plain values. The relay renders each message
(`rendered`) when it sends it, so queueing costs the same whatever the email is, and no request
spends its time rendering templates.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from ..db_types import utcnow
from ..extensions import db
from ..i18n import HTML_LANG, LANGUAGES
from ..urls import external_url
from .models import SUBJECT_LENGTH, OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Rendered:
    """An email ready to send: subject, plain text body and HTML body."""

    subject: str
    body_text: str
    body_html: str


# Any whitespace except the no-break spaces of French typography (U+00A0, U+202F).
_WHITESPACE_RUN = re.compile(r"[^\S\u00a0\u202f]+")


class NotRetryable(ValueError):
    """Only a failed message can be sent again."""


def new_message_id() -> str:
    """Return a fresh RFC 5322 Message-ID in the sender's domain."""
    address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    domain = address.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def render_email(template: str, locale: str, context: dict | None = None) -> Rendered:
    """Render an email's subject, text body and HTML body in `locale`."""
    if locale not in LANGUAGES:
        raise ValueError(f"unsupported locale {locale!r}")
    values = {
        **(context or {}),
        # Given explicitly: in a request, the page's own `lang` would otherwise win.
        "lang": locale,
        "html_lang": HTML_LANG[locale],
        "base_url": current_app.config["BASE_URL"],
        "external_url": external_url,
    }
    with force_locale(locale):
        subject = render_template(f"email/{template}.subject.txt", **values)
        # A header is one line: collapse the layout's line breaks and runs of spaces, but keep
        # no-break spaces (French puts one before a colon).
        subject = _WHITESPACE_RUN.sub(" ", subject).strip()
        if len(subject) > SUBJECT_LENGTH:
            subject = subject[: SUBJECT_LENGTH - 1] + "…"
        values["subject"] = subject
        text = render_template(f"email/{template}.txt", **values).strip() + "\n"
        html = render_template(f"email/{template}.html", **values)
    return Rendered(subject, text, html)


def rendered(message: OutboxMessage) -> Rendered:
    """Return `message` as it is sent: rendered now, or as written if rendered when queued."""
    if message.context is None:
        return Rendered(message.subject, message.body_text, message.body_html)
    return render_email(message.template, message.locale, message.context)


def queue_email(
    *,
    to: str,
    locale: str,
    template: str,
    context: dict | None = None,
    withhold: bool = False,
) -> OutboxMessage:
    """Add an email to the outbox, for the relay to render and send (flush only).

    `context` holds the template's values, plain JSON (strings, numbers, lists, dicts): the
    relay renders the email from them, in `locale`, when it sends it. A `withhold`-ed email
    is written as any other (the same work) but never sent and never counted, and keeps none
    of its values.
    """
    if locale not in LANGUAGES:
        raise ValueError(f"unsupported locale {locale!r}")
    # Refused here, in the request that queues it, rather than by the relay later: anything
    # json cannot write (a model, a lazy string, a date) must be turned into plain values.
    values = json.loads(json.dumps(context or {}))
    message = OutboxMessage(
        recipient=to,
        locale=locale,
        template=template,
        context={} if withhold else values,
        subject="",
        message_id=new_message_id(),
        status=OutboxStatus.WITHHELD if withhold else OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(message)
    db.session.flush()
    return message


def recent_count(recipient: str, since: datetime) -> int:
    """Count the emails queued for `recipient` since `since`, whatever became of them.

    Withheld ones are not counted: they were never going to be sent.
    """
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.recipient == recipient,
            OutboxMessage.created_at >= since,
            OutboxMessage.status != OutboxStatus.WITHHELD,
        )
    )


def status_counts() -> dict[OutboxStatus, int]:
    """Count the outbox's messages in each status (every status present, zero or more)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({OutboxStatus(status): count for status, count in rows})
    return counts


def failed_messages(limit: int = 50) -> list[OutboxMessage]:
    """List failed messages, most recent first, with the error that ended them."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry(message: OutboxMessage) -> None:
    """Queue a failed message again, due now, with a fresh set of attempts."""
    if message.status != OutboxStatus.FAILED:
        raise NotRetryable(f"message {message.message_id} is {message.status}, not failed")
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_at = None
    db.session.flush()
