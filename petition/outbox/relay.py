"""Deliver queued emails: claim a batch, send it over one SMTP connection, record each outcome.

Rows move queued -> sending (claimed, committed before any SMTP talk) -> sent | queued again
(transient failure, with backoff) | failed (permanent failure, or out of attempts). Each
accepted message is marked sent and committed at once, so a crash never re-sends a message the
server already took. Several relays may run at once: on PostgreSQL they claim with
`FOR UPDATE SKIP LOCKED`; on SQLite the claim runs in a write (BEGIN IMMEDIATE) transaction.
A claim is a lease of OUTBOX_CLAIM_SECONDS: renewed in one statement just before a batch goes
out and every third of the lease while it goes (between messages, and by a background thread
during a slow SMTP exchange), so a relay that stalled past its lease sends nothing another
relay has taken over, and a killed relay's messages are taken over within the lease and a
poll.

Each message is rendered here, in its recipient's language, just before it is sent (messages
queued before rendering moved here carry their rendered text and go out as written). Once sent,
a message keeps its subject but neither its values nor its bodies (they hold one-time secret
links). Withheld messages are never claimed.

Logs name messages by Message-ID only: never a recipient, a subject or a body (bodies hold
one-time secret links).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TextIO

import click
from flask import current_app
from sqlalchemy import bindparam, select, text, update

from .. import metrics
from ..db_types import utcnow
from ..extensions import db, sqlite_write_intent
from .models import LAST_ERROR_LENGTH, SUBJECT_LENGTH, OutboxMessage, OutboxStatus
from .services import render_email
from .wire import Failure, SMTPConnection, classify, compose, from_headers

log = logging.getLogger(__name__)


DEFAULT_BATCH_SIZE = 20


# A claim is a lease: the relay holding it renews it every third of OUTBOX_CLAIM_SECONDS
# while it works (a background thread, so even one slow SMTP exchange keeps it), and another
# relay takes over a claim not renewed for OUTBOX_CLAIM_SECONDS: a killed relay's messages go
# out within OUTBOX_CLAIM_SECONDS plus one poll.
DEFAULT_CLAIM_SECONDS = 10


def claim_lease() -> timedelta:
    """Return how long a claim lasts without renewal (OUTBOX_CLAIM_SECONDS)."""
    return timedelta(seconds=current_app.config.get("OUTBOX_CLAIM_SECONDS", DEFAULT_CLAIM_SECONDS))


FIRST_RETRY = timedelta(seconds=30)


LONGEST_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class Claimed:
    """One claimed message, read in full before the relay talks to SMTP.

    `context` is the template's values (None for a message rendered when queued); subject and
    bodies are filled in by `_render` before the message goes out.
    """

    id: int
    message_id: str
    recipient: str
    locale: str
    subject: str
    body_text: str
    body_html: str
    attempts: int
    claimed_at: datetime
    template: str = ""
    context: dict | None = None
    # The request that queued it: the log lines about this message carry it.
    request_id: str | None = None


@dataclass
class PassResult:
    """What a relay pass did, in numbers."""

    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0

    def add(self, other: PassResult) -> None:
        """Add another pass's numbers to these."""
        self.claimed += other.claimed
        self.sent += other.sent
        self.deferred += other.deferred
        self.failed += other.failed


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after `attempts` tries: 30 s, doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_RETRY)


def claim_batch(limit: int = DEFAULT_BATCH_SIZE) -> list[Claimed]:
    """Claim up to `limit` due messages for this relay, commit, and return them.

    Call it with no transaction open in the session, so the claim is its own transaction.
    """
    now = utcnow()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    # Two queries, each served in order by the (status, next_attempt_at) index: one with an OR
    # of both made the database read and sort every queued row for every batch (30 ms per
    # claim with 20,000 queued). Claims left by dead relays go first; they are rare.
    stale = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - claim_lease(),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    queued = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    # SQLite: the whole claim runs under BEGIN IMMEDIATE, so no other writer slips between the
    # select and the update.
    intent = sqlite_write_intent.set(True)
    try:
        claimed = []
        found: list[OutboxMessage] = []
        for query in (stale, queued):
            query = query.limit(limit - len(found))
            if postgresql:
                # Rows another relay is claiming right now are skipped, not waited for.
                query = query.with_for_update(skip_locked=True)
            found += db.session.scalars(query)
            if len(found) >= limit:
                break
        for message in found:
            if message.status == OutboxStatus.SENDING:
                # A relay died holding this message: count that as a try, so a message that
                # brings the relay down cannot loop forever.
                message.attempts += 1
                if message.attempts >= max_attempts:
                    message.status = OutboxStatus.FAILED
                    message.claimed_at = None
                    message.last_error = "The relay stopped while sending this message."
                    log.error("failed %s: relay stopped while sending it", message.message_id)
                    continue
            message.status = OutboxStatus.SENDING
            message.claimed_at = now
            claimed.append(
                Claimed(
                    id=message.id,
                    message_id=message.message_id,
                    recipient=message.recipient,
                    locale=message.locale,
                    subject=message.subject,
                    body_text=message.body_text,
                    body_html=message.body_html,
                    attempts=message.attempts,
                    claimed_at=now,
                    template=message.template,
                    context=message.context,
                    request_id=message.request_id,
                )
            )
        db.session.commit()
    finally:
        sqlite_write_intent.reset(intent)
    return claimed


def relay_once(batch_size: int = DEFAULT_BATCH_SIZE, out: TextIO | None = None) -> PassResult:
    """Claim one batch of due messages and deliver it (to the console if MAIL_SERVER is empty)."""
    batch = claim_batch(batch_size)
    result = deliver(batch, out) if batch else PassResult()
    result.claimed = len(batch)
    return result


def deliver(batch: Sequence[Claimed], out: TextIO | None = None) -> PassResult:
    """Deliver claimed messages, skipping any whose claim another relay has since taken."""
    result = PassResult()
    if current_app.config.get("MAIL_SERVER"):
        _deliver_over_smtp(batch, result)
    else:
        _deliver_to_console(batch, result, out)
    return result


def drain(
    batch_size: int = DEFAULT_BATCH_SIZE,
    out: TextIO | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> PassResult:
    """Deliver batch after batch until nothing is due; return the totals."""
    total = PassResult()
    # Every batch sends, defers or fails at least one message, so this ends.
    while not should_stop():
        result = relay_once(batch_size, out)
        total.add(result)
        if not result.claimed:
            break
    return total


def _deliver_over_smtp(batch: Sequence[Claimed], result: PassResult) -> None:
    mail = current_app.extensions["mail"]
    sender = mail.default_sender
    # Each message's From names the site in the recipient's language.
    senders = from_headers(sender)
    connection = SMTPConnection(mail)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        failure = classify(exc)
        log.warning("SMTP server unavailable (%s): %d messages wait", failure.reason, len(batch))
        for item in batch:
            # The server was never reached: no message is to blame, none fails for good.
            _record_failure(item, Failure(failure.reason, failure.detail, False), result)
        return
    claims = _Claims(batch)
    try:
        with claims.keep():
            for index, item in enumerate(batch):
                if not claims.still_ours(item):
                    continue
                item = _render(item, result)
                if item is None:
                    continue
                try:
                    message = compose(item, senders.get(item.locale, sender))
                except ValueError:  # a line break in a header: never sendable
                    _record_failure(
                        item, Failure("bad header", "Bad header in message", True), result
                    )
                    continue
                try:
                    connection.send_message(sender, item.recipient, message)
                except (OSError, smtplib.SMTPException) as exc:
                    _record_failure(item, classify(exc), result)
                    if connection.dropped:
                        # The rest were never tried: queue them again as they were, due now.
                        _release(claims.current(batch[index + 1 :]))
                        log.warning(
                            "SMTP connection lost: %d messages queued again", len(batch) - 1 - index
                        )
                        return
                    continue
                except Exception as exc:  # One malformed message must not hold up the rest.
                    reason = type(exc).__name__
                    _record_failure(
                        item, Failure(reason, f"Could not send: {reason}", True), result
                    )
                    continue
                _mark_sent(item, result)
    finally:
        connection.close_quietly()


def _deliver_to_console(batch: Sequence[Claimed], result: PassResult, out: TextIO | None) -> None:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    claims = _Claims(batch)
    with claims.keep():
        for item in batch:
            if not claims.still_ours(item):
                continue
            item = _render(item, result)
            if item is None:
                continue
            rule = "=" * 72
            click.echo(
                "\n".join(
                    [
                        rule,
                        "Email (printed, not sent: MAIL_SERVER is empty)",
                        f"From:       {from_headers(sender).get(item.locale, sender)}",
                        f"To:         {item.recipient}",
                        f"Subject:    {item.subject}",
                        f"Message-ID: {item.message_id}",
                        "-" * 72,
                        item.body_text.rstrip(),
                        rule,
                        "",
                    ]
                ),
                file=out,
            )
            _mark_sent(item, result)


def _render(item: Claimed, result: PassResult) -> Claimed | None:
    """Return `item` with its subject and bodies, rendered now in its recipient's language.

    A message that cannot be rendered (a template gone, values it cannot use) never will be:
    it fails at once, and None is returned.
    """
    if item.context is None:  # rendered when it was queued
        return item
    try:
        email = render_email(item.template, item.locale, item.context)
    except Exception as exc:  # One broken message must not hold up the rest.
        reason = type(exc).__name__
        _record_failure(item, Failure(reason, f"Could not render: {reason}", True), result)
        return None
    return replace(
        item, subject=email.subject, body_text=email.body_text, body_html=email.body_html
    )


def _by_id(item: Claimed):
    return update(OutboxMessage).where(OutboxMessage.id == item.id)


def _execute(statement) -> int:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


class _Claims:
    """This relay's claims on a batch, renewed in one statement when they need it.

    One UPDATE ... RETURNING per renewal instead of one per message: the claims are renewed
    before the first send and then every third of the lease, between messages and, for as
    long as the batch lasts, by a background thread (`keep`), so a slow SMTP exchange never
    lets a claim lapse while this relay lives.
    """

    def __init__(self, batch: Sequence[Claimed]):
        self.ours: dict[int, datetime] = {}
        self.renewed_at: datetime | None = None
        self.pending = list(batch)
        self.in_flight: Claimed | None = None
        self.every = claim_lease() / 3
        self._lock = threading.Lock()

    def still_ours(self, item: Claimed) -> bool:
        """Say whether `item` is still this relay's to send (renewing claims when due).

        The message before it is done with; `item` itself stays among the claims renewed
        while it is being sent.
        """
        with self._lock:
            if self.in_flight is not None:
                self.pending = [p for p in self.pending if p.id != self.in_flight.id]
            self.in_flight = item
            if self.renewed_at is None or utcnow() - self.renewed_at >= self.every:
                self._renew()
            return item.id in self.ours

    def current(self, items: Sequence[Claimed]) -> list[Claimed]:
        """Return `items` that are still ours, with the claim time they now hold."""
        with self._lock:
            return [replace(i, claimed_at=self.ours[i.id]) for i in items if i.id in self.ours]

    def _renew(self) -> None:
        now = utcnow()
        unsent = (
            [replace(i, claimed_at=self.ours[i.id]) for i in self.pending if i.id in self.ours]
            if self.renewed_at
            else self.pending
        )
        renewed: set[int] = set()
        # A batch is claimed at one moment; group anyway, so any batch works.
        for claimed_at in {item.claimed_at for item in unsent}:
            ids = [item.id for item in unsent if item.claimed_at == claimed_at]
            statement = (
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_at == claimed_at,
                )
                .values(claimed_at=now)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
            renewed.update(db.session.scalars(statement))
        db.session.commit()
        self.ours = {item_id: now for item_id in renewed}
        self.renewed_at = now

    @contextmanager
    def keep(self) -> Iterator[None]:
        """Renew the claims in the background every third of the lease until the block ends."""
        app = current_app._get_current_object()
        done = threading.Event()

        def renew_until_done() -> None:
            with app.app_context():
                try:
                    while not done.wait(self.every.total_seconds()):
                        with self._lock:
                            if self.pending and self.renewed_at is not None:
                                self._renew()
                except Exception as exc:  # The main loop notices lost claims itself.
                    db.session.rollback()
                    log.warning("could not renew claims: %s", type(exc).__name__)
                finally:
                    db.session.remove()

        keeper = threading.Thread(target=renew_until_done, name="claim-keeper", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join()


_NO_SYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


# Built once: constructing the statement cost a third of the time of running it.
_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("sent_id"))
    .values(
        status=OutboxStatus.SENT,
        attempts=bindparam("sent_attempts"),
        sent_at=bindparam("sent_at_value"),
        claimed_at=None,
        last_error=None,
        subject=bindparam("sent_subject"),
        # Values and bodies hold one-time secret links: keep only what the admin view needs.
        context=None,
        body_text="",
        body_html="",
    )
    .execution_options(synchronize_session=False)
)


def _mark_sent(item: Claimed, result: PassResult) -> None:
    # Committed at once: from here on a crash of the relay cannot make this message go out
    # twice. On PostgreSQL without waiting for the disk (a commit per message would wait
    # for one flush each, halving the rate): the relay dying loses nothing committed; only
    # the database server crashing in the next fraction of a second could, and then a
    # message would be sent once more, never lost.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_NO_SYNC_COMMIT)
    db.session.execute(
        _SENT,
        {
            "sent_id": item.id,
            "sent_attempts": item.attempts + 1,
            "sent_at_value": utcnow(),
            "sent_subject": item.subject,
        },
    )
    db.session.commit()
    result.sent += 1
    metrics.EMAILS_SENT.inc()
    log.info("sent %s", item.message_id, extra={"request_id": item.request_id})


def _record_failure(item: Claimed, failure: Failure, result: PassResult) -> None:
    metrics.EMAIL_FAILURES.labels("yes" if failure.permanent else "no").inc()
    attempts = item.attempts + 1
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    values: dict = {
        "attempts": attempts,
        "claimed_at": None,
        "last_error": failure.detail[:LAST_ERROR_LENGTH],
    }
    if item.subject:
        # What the admin's list of failures shows (rendered just before the attempt).
        values["subject"] = item.subject[:SUBJECT_LENGTH]
    if failure.permanent or attempts >= max_attempts:
        values["status"] = OutboxStatus.FAILED
        result.failed += 1
        log.error(
            "failed %s after %d attempts: %s",
            item.message_id,
            attempts,
            failure.reason,
            extra={"request_id": item.request_id},
        )
    else:
        wait = backoff(attempts)
        values["status"] = OutboxStatus.QUEUED
        values["next_attempt_at"] = utcnow() + wait
        result.deferred += 1
        log.warning(
            "deferred %s after attempt %d (%s): next try in %d s",
            item.message_id,
            attempts,
            failure.reason,
            wait.total_seconds(),
        )
    _execute(_by_id(item).values(**values))


def _release(items: Sequence[Claimed]) -> None:
    if not items:
        return
    _execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([item.id for item in items]),
            OutboxMessage.status == OutboxStatus.SENDING,
            # Still ours: the whole batch was claimed at one moment.
            OutboxMessage.claimed_at == items[0].claimed_at,
        )
        .values(status=OutboxStatus.QUEUED, claimed_at=None, next_attempt_at=utcnow())
    )
