"""The relay against a real SMTP server: delivery, retries, failures, crashes, concurrency."""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import column, create_engine, select, table, text, update

from petition.db_types import UTCDateTime, utcnow
from petition.extensions import db
from petition.outbox import relay, services
from petition.outbox.models import OutboxMessage, OutboxStatus
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

from .conftest import time_passes

SECRET = "s3cr3t-token"


def queue(app, count: int = 1, *, to: str = "signer@example.org", locale: str = "en"):
    """Queue `count` emails carrying a secret link and commit; return their Message-IDs."""
    with app.app_context():
        ids = [
            services.queue_email(
                to=to,
                locale=locale,
                template="tests/secret_link",
                context={"name": f"Signer {n}", "token": f"{SECRET}-{n}"},
            ).message_id
            for n in range(count)
        ]
        db.session.commit()
    return ids


def rows(app) -> dict[str, OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
    return {message.message_id: message for message in found}


def relay_pass(app, **kwargs) -> relay.PassResult:
    with app.app_context():
        return relay.relay_once(**kwargs)


def test_delivers_multipart_text_and_html_with_the_stored_message_id(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)

    result = relay_pass(smtp_app)

    assert (result.claimed, result.sent) == (1, 1)
    [received] = smtp_server.messages
    assert received["Message-ID"] == message_id
    assert received["To"] == "signer@example.org"
    # A bare MAIL_DEFAULT_SENDER gets the site's name in the message's language.
    assert received["From"] == "Platform sign-on <sign-on@petition.test>"
    assert received["Subject"] == "Hello, Signer 0"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Content-Language"] == "en-CA"
    text_part = received.get_body(preferencelist=("plain",))
    html_part = received.get_body(preferencelist=("html",))
    link = f"https://petition.test/en/p/test-platform/?token={SECRET}-0"
    assert link in text_part.get_content()
    assert f'href="{link}"' in html_part.get_content()
    assert {part.get_content_type() for part in received.walk()} >= {
        "multipart/alternative",
        "text/plain",
        "text/html",
    }


def test_a_sender_name_with_accents_keeps_its_address(make_app, smtp_server, email_templates):
    sender = "Coalition québécoise <sign-on@petition.test>"
    app = email_templates(make_app(**smtp_server.config, MAIL_DEFAULT_SENDER=sender))
    queue(app)

    assert relay_pass(app).sent == 1
    [received] = smtp_server.messages
    assert received["From"].addresses[0].display_name == "Coalition québécoise"
    assert received["From"].addresses[0].addr_spec == "sign-on@petition.test"


def test_the_sender_is_named_in_each_recipients_language(make_app, smtp_server, email_templates):
    app = email_templates(
        make_app(
            **smtp_server.config,
            SITE_NAME="Dignity Coalition",
            SITE_NAME_FR="Coalition Dignité",
        )
    )
    queue(app, 1)
    queue(app, 1, to="signataire@example.org", locale="fr")
    assert relay_pass(app).sent == 2
    by_language = {m["Content-Language"]: m["From"] for m in smtp_server.messages}
    assert by_language["en-CA"] == "Dignity Coalition <sign-on@petition.test>"
    assert by_language["fr-CA"].addresses[0].display_name == "Coalition Dignité"
    assert by_language["fr-CA"].addresses[0].addr_spec == "sign-on@petition.test"


def test_a_header_with_a_line_break_fails_for_good_and_the_rest_go_out(smtp_app, smtp_server):
    # Rendering makes every subject one line (test_services); a message rendered when it was
    # queued, before rendering moved to the relay, carries the subject it was given.
    first, second = queue(smtp_app, 2)
    with smtp_app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_id == first)
            .values(subject="Hello\r\nBcc: everyone@example.org", body_text="Hello", context=None)
        )
        db.session.commit()

    result = relay_pass(smtp_app)

    assert (result.sent, result.failed) == (1, 1)
    assert [m["Message-ID"] for m in smtp_server.messages] == [second]
    failed = rows(smtp_app)[first]
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error == "Bad header in message"


def test_french_email_arrives_in_french(smtp_app, smtp_server):
    queue(smtp_app, locale="fr")
    relay_pass(smtp_app)
    [received] = smtp_server.messages
    assert received["Subject"] == "Bonjour, Signer 0"
    assert received["Content-Language"] == "fr-CA"
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "Ce courriel vous a été envoyé par Appuis aux plateformes." in body
    assert f"https://petition.test/fr/p/test-platform/?token={SECRET}-0" in body


def test_a_batch_goes_over_one_connection(smtp_app, smtp_server):
    ids = queue(smtp_app, 5)
    result = relay_pass(smtp_app)
    assert result.sent == 5
    assert smtp_server.message_ids() == ids
    assert smtp_server.connections == 1


def test_sent_messages_keep_no_body(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    relay_pass(smtp_app)
    sent = rows(smtp_app)[message_id]
    assert sent.status == OutboxStatus.SENT
    assert sent.sent_at is not None
    assert sent.attempts == 1
    assert sent.claimed_at is None
    assert (sent.body_text, sent.body_html, sent.context) == ("", "", None)
    # What the admin view needs is kept.
    assert (sent.recipient, sent.subject, sent.template) == (
        "signer@example.org",
        "Hello, Signer 0",
        "tests/secret_link",
    )


def test_server_down_messages_wait_with_backoff_then_go_once(smtp_app, smtp_server):
    ids = queue(smtp_app, 3)
    smtp_server.refuse_connections()

    before = utcnow()
    result = relay_pass(smtp_app)
    assert (result.claimed, result.sent, result.deferred, result.failed) == (3, 0, 3, 0)
    for message in rows(smtp_app).values():
        assert message.status == OutboxStatus.QUEUED
        assert message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
        wait = message.next_attempt_at - before
        assert timedelta(seconds=30) <= wait < timedelta(seconds=35)

    # Not due yet: the relay leaves them alone.
    assert relay_pass(smtp_app).claimed == 0

    time_passes(smtp_app)
    before = utcnow()
    relay_pass(smtp_app)
    for message in rows(smtp_app).values():
        assert message.attempts == 2
        assert timedelta(seconds=60) <= message.next_attempt_at - before < timedelta(seconds=65)

    smtp_server.reset()
    time_passes(smtp_app)
    assert relay_pass(smtp_app).sent == 3
    assert sorted(smtp_server.message_ids()) == sorted(ids)
    assert {m.status for m in rows(smtp_app).values()} == {OutboxStatus.SENT}
    # Sent is final: further passes send nothing again.
    time_passes(smtp_app)
    assert relay_pass(smtp_app).claimed == 0
    assert len(smtp_server.messages) == 3


def test_a_server_that_never_answers_times_out_and_waits(make_app, email_templates):
    # It accepts the TCP connection but never greets: MAIL_TIMEOUT must end the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app = email_templates(
            make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=1)
        )
        [message_id] = queue(app)
        started = time.monotonic()
        assert relay_pass(app).deferred == 1
        assert time.monotonic() - started < 10
    waiting = rows(app)[message_id]
    assert waiting.status == OutboxStatus.QUEUED
    assert waiting.attempts == 1


def test_temporary_refusal_is_retried_later(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    smtp_server.answer("451 4.3.0 Mailbox busy, try later")

    assert relay_pass(smtp_app).deferred == 1
    waiting = rows(smtp_app)[message_id]
    assert waiting.status == OutboxStatus.QUEUED
    assert waiting.last_error == "451 4.3.0 Mailbox busy, try later"
    assert waiting.context == {"name": "Signer 0", "token": f"{SECRET}-0"}  # for the next try
    assert waiting.subject == "Hello, Signer 0"  # what the admin's list shows

    smtp_server.reset()
    time_passes(smtp_app)
    assert relay_pass(smtp_app).sent == 1
    assert smtp_server.message_ids() == [message_id]
    assert rows(smtp_app)[message_id].attempts == 2


def test_greylisted_recipient_is_retried_later(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    smtp_server.answer("450 4.2.0 Greylisted, come back later", at="RCPT")
    assert relay_pass(smtp_app).deferred == 1
    assert rows(smtp_app)[message_id].status == OutboxStatus.QUEUED


def test_permanent_rejection_fails_at_once_and_is_not_retried(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    smtp_server.answer("554 5.7.1 Message refused")

    result = relay_pass(smtp_app)
    assert (result.sent, result.deferred, result.failed) == (0, 0, 1)
    failed = rows(smtp_app)[message_id]
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "554 5.7.1 Message refused"

    smtp_server.reset()
    time_passes(smtp_app)
    assert relay_pass(smtp_app).claimed == 0
    assert smtp_server.messages == []


def test_a_refused_recipient_fails_while_the_rest_of_the_batch_goes(smtp_app, smtp_server):
    [good_before] = queue(smtp_app, to="first@example.org")
    [bad] = queue(smtp_app, to="nobody@example.org")
    [good_after] = queue(smtp_app, to="last@example.org")
    smtp_server.answer("550 5.1.1 No such user", at="RCPT", recipients={"nobody@example.org"})

    result = relay_pass(smtp_app)

    assert (result.sent, result.failed) == (2, 1)
    assert smtp_server.message_ids() == [good_before, good_after]
    assert smtp_server.connections == 1
    refused = rows(smtp_app)[bad]
    assert refused.status == OutboxStatus.FAILED
    assert refused.last_error == "550 5.1.1 No such user"


def test_retrying_stops_after_the_maximum_attempts(make_app, smtp_server, email_templates):
    app = email_templates(make_app(OUTBOX_MAX_ATTEMPTS=3, **smtp_server.config))
    [message_id] = queue(app)
    smtp_server.refuse_connections()
    for _ in range(3):
        time_passes(app)
        relay_pass(app)
    failed = rows(app)[message_id]
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 3
    time_passes(app)
    assert relay_pass(app).claimed == 0


def test_failed_message_can_be_retried_by_an_admin(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    smtp_server.answer("554 5.7.1 Message refused")
    relay_pass(smtp_app)
    smtp_server.reset()
    with smtp_app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == message_id)
        )
        services.retry(message)
        db.session.commit()
    assert relay_pass(smtp_app).sent == 1
    assert smtp_server.message_ids() == [message_id]


def test_dropped_connection_requeues_the_rest_without_spending_their_attempts(
    smtp_app, smtp_server
):
    ids = queue(smtp_app, 5)
    smtp_server.drop_connection_after(2)

    result = relay_pass(smtp_app)

    assert (result.sent, result.deferred) == (2, 1)
    state = rows(smtp_app)
    assert [state[i].status for i in ids] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.QUEUED,
        OutboxStatus.QUEUED,
        OutboxStatus.QUEUED,
    ]
    # The message in flight used an attempt and waits; the two never tried are due now.
    assert state[ids[2]].attempts == 1
    assert state[ids[2]].next_attempt_at > utcnow()
    assert [state[i].attempts for i in ids[3:]] == [0, 0]
    assert all(state[i].next_attempt_at <= utcnow() for i in ids[3:])

    smtp_server.reset()
    assert relay_pass(smtp_app).sent == 2
    time_passes(smtp_app)
    assert relay_pass(smtp_app).sent == 1
    assert sorted(smtp_server.message_ids()) == sorted(ids)


def test_drain_delivers_more_than_one_batch(smtp_app, smtp_server):
    ids = queue(smtp_app, 7)
    with smtp_app.app_context():
        total = relay.drain(batch_size=3)
    assert (total.claimed, total.sent) == (7, 7)
    assert sorted(smtp_server.message_ids()) == sorted(ids)


def _claim_left_by_a_dead_relay(app, message_id: str, minutes_ago: int) -> None:
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_id == message_id)
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=utcnow() - timedelta(minutes=minutes_ago),
            )
        )
        db.session.commit()


def test_a_message_left_sending_by_a_dead_relay_is_sent_after_the_stale_timeout(
    smtp_app, smtp_server
):
    stale, fresh = queue(smtp_app, 2)
    _claim_left_by_a_dead_relay(smtp_app, stale, minutes_ago=11)
    _claim_left_by_a_dead_relay(smtp_app, fresh, minutes_ago=0)

    assert relay_pass(smtp_app).sent == 1

    assert smtp_server.message_ids() == [stale]
    state = rows(smtp_app)
    assert state[stale].status == OutboxStatus.SENT
    # The dead relay's try counts, so a message that kills relays cannot loop forever.
    assert state[stale].attempts == 2
    # A recent claim may belong to a relay still at work: it is left alone.
    assert state[fresh].status == OutboxStatus.SENDING


def test_a_message_that_keeps_killing_the_relay_ends_up_failed(make_app, email_templates):
    app = email_templates(make_app(OUTBOX_MAX_ATTEMPTS=3))
    [message_id] = queue(app)
    for _ in range(3):
        with app.app_context():
            assert len(relay.claim_batch()) == 1
        # ...and the relay dies before it can say how sending went.
        _claim_left_by_a_dead_relay(app, message_id, minutes_ago=11)
    with app.app_context():
        assert relay.claim_batch() == []
    failed = rows(app)[message_id]
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 3
    assert "relay stopped" in failed.last_error


def test_a_sent_message_is_never_sent_again(smtp_app, smtp_server):
    [message_id] = queue(smtp_app)
    relay_pass(smtp_app)
    # Even if the row is somehow due again, `sent` is final.
    with smtp_app.app_context():
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
    assert relay_pass(smtp_app).claimed == 0
    assert smtp_server.message_ids() == [message_id]


def test_a_relay_overtaken_by_another_does_not_send_twice(smtp_app, smtp_server):
    ids = queue(smtp_app, 3)
    with smtp_app.app_context():
        slow_batch = relay.claim_batch(10)
    # The slow relay stalls past the stale timeout; another relay takes the messages over.
    with smtp_app.app_context():
        db.session.execute(
            update(OutboxMessage).values(claimed_at=utcnow() - timedelta(minutes=11))
        )
        db.session.commit()
    assert relay_pass(smtp_app).sent == 3
    # The slow relay wakes up: its claims are gone, so it sends nothing.
    with smtp_app.app_context():
        late = relay.deliver(slow_batch)
    assert late.sent == 0
    assert sorted(smtp_server.message_ids()) == sorted(ids)


def test_two_relays_at_once_send_each_message_exactly_once(smtp_app, smtp_server):
    ids = queue(smtp_app, 40)
    errors: list[BaseException] = []
    totals: list[int] = []
    start = threading.Barrier(2)

    def run_relay():
        try:
            with smtp_app.app_context():
                start.wait()
                totals.append(relay.drain(batch_size=3).sent)
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run_relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sum(totals) == 40
    assert sorted(smtp_server.message_ids()) == sorted(ids)
    assert {m.status for m in rows(smtp_app).values()} == {OutboxStatus.SENT}


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_claims_skip_rows_another_relay_has_locked(smtp_app, database_url):
    ids = queue(smtp_app, 5)
    # Another relay is in the middle of claiming the first two rows.
    other = create_engine(database_url)
    with other.connect() as conn, conn.begin():
        locked = (
            conn.execute(
                text("SELECT message_id FROM outbox_message ORDER BY id LIMIT 2 FOR UPDATE")
            )
            .scalars()
            .all()
        )
        assert locked == ids[:2]
        with smtp_app.app_context():
            db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            claimed = relay.claim_batch(10)
        # Not blocked, and nothing the other relay holds.
        assert [item.message_id for item in claimed] == ids[2:]
    other.dispose()


def test_console_mode_prints_the_email_with_its_link(console_app):
    [message_id] = queue(console_app)
    out = io.StringIO()
    with console_app.app_context():
        result = relay.relay_once(out=out)
    assert result.sent == 1
    printed = out.getvalue()
    assert "To:         signer@example.org" in printed
    assert "Subject:    Hello, Signer 0" in printed
    assert f"Message-ID: {message_id}" in printed
    # The link stands alone on its line, whole, so a terminal makes it clickable.
    assert f"\nhttps://petition.test/en/p/test-platform/?token={SECRET}-0\n" in printed
    sent = rows(console_app)[message_id]
    assert sent.status == OutboxStatus.SENT
    assert sent.body_text == ""


def test_logs_name_message_ids_never_addresses_or_links(smtp_app, smtp_server, caplog):
    caplog.set_level(logging.DEBUG, logger="petition")
    delivered = queue(smtp_app, to="private.person@example.org")
    refused = queue(smtp_app, to="refused.person@example.org")
    smtp_server.answer(
        "550 5.1.1 <refused.person@example.org>: no such user",
        at="RCPT",
        recipients={"refused.person@example.org"},
    )
    relay_pass(smtp_app)
    smtp_server.refuse_connections()
    waiting = queue(smtp_app, to="waiting.person@example.org")
    relay_pass(smtp_app)

    # Only our own logs: the test server's (aiosmtpd's) transcript is not the product's.
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("petition")
    )
    for message_id in delivered + refused + waiting:
        assert message_id in logged
    for secret in ("private.person", "refused.person", "waiting.person", SECRET, "Signer 0"):
        assert secret not in logged
    # The admin view keeps the server's own words, address included.
    assert "refused.person@example.org" in rows(smtp_app)[refused[0]].last_error


def test_a_message_queued_before_rendering_moved_to_the_relay_is_sent_as_written(
    empty_database_url,  # noqa: F811 - the fixture imported above
    smtp_server,
):
    # Queued by the earlier code (rendered in the request), then the site is upgraded.
    from flask_migrate import upgrade

    from petition import create_app
    from petition.config import settings_for_tests

    app = create_app(settings_for_tests(empty_database_url, **smtp_server.config))
    with app.app_context():
        upgrade(revision="5f3ab7250498")
        # The table as that revision had it (no `context`), written as the old code wrote it.
        columns = ["recipient", "locale", "template", "subject", "body_text", "body_html"]
        columns += ["message_id", "status", "attempts"]
        old = table(
            "outbox_message",
            *(column(name) for name in columns),
            column("next_attempt_at", UTCDateTime()),
            column("created_at", UTCDateTime()),
        )
        earlier = utcnow() - timedelta(seconds=1)
        with db.engine.begin() as conn:
            conn.execute(
                old.insert().values(
                    recipient="early@example.org",
                    locale="fr",
                    template="endorsements/confirm",
                    subject="Confirmez votre appui",
                    body_text=f"Bonjour,\nhttps://petition.test/fr/confirm/{SECRET}\n",
                    body_html=f'<p><a href="https://petition.test/fr/confirm/{SECRET}">x</a></p>',
                    message_id="<early@petition.test>",
                    status="queued",
                    attempts=0,
                    next_attempt_at=earlier,
                    created_at=earlier,
                )
            )
        upgrade()
        assert relay.relay_once().sent == 1
        sent = db.session.scalar(select(OutboxMessage))
        assert (sent.status, sent.subject, sent.body_text) == (
            OutboxStatus.SENT,
            "Confirmez votre appui",
            "",
        )
        db.session.remove()
        db.engine.dispose()
    [received] = smtp_server.messages
    assert received["Message-ID"] == "<early@petition.test>"
    assert received["Subject"] == "Confirmez votre appui"
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert f"https://petition.test/fr/confirm/{SECRET}" in body
    html = received.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://petition.test/fr/confirm/{SECRET}"' in html


def test_one_batch_renders_each_message_in_its_recipients_language(smtp_app, smtp_server):
    queue(smtp_app, locale="fr", to="fr@example.org")
    queue(smtp_app, locale="en", to="en@example.org")
    queue(smtp_app, locale="fr", to="fr2@example.org")
    assert relay_pass(smtp_app).sent == 3
    languages = {m["To"]: (m["Content-Language"], m["Subject"]) for m in smtp_server.messages}
    assert languages == {
        "fr@example.org": ("fr-CA", "Bonjour, Signer 0"),
        "en@example.org": ("en-CA", "Hello, Signer 0"),
        "fr2@example.org": ("fr-CA", "Bonjour, Signer 0"),
    }


def test_a_message_that_cannot_be_rendered_fails_for_good_and_the_rest_go_out(
    smtp_app, smtp_server
):
    with smtp_app.app_context():
        broken = services.queue_email(to="a@example.org", locale="en", template="tests/gone")
        db.session.commit()
        broken = broken.message_id
    [fine] = queue(smtp_app)
    result = relay_pass(smtp_app)
    assert (result.sent, result.failed) == (1, 1)
    assert smtp_server.message_ids() == [fine]
    failed = rows(smtp_app)[broken]
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error == "Could not render: TemplateNotFound"


def test_values_that_are_not_plain_json_are_refused_when_queued(smtp_app):
    with smtp_app.app_context(), pytest.raises(TypeError):
        services.queue_email(
            to="a@example.org",
            locale="en",
            template="tests/secret_link",
            context={"when": utcnow()},
        )


def test_withheld_messages_are_never_claimed(smtp_app, smtp_server):
    with smtp_app.app_context():
        services.queue_email(
            to="a@example.org",
            locale="en",
            template="tests/secret_link",
            context={"name": "Bot", "token": SECRET},
            withhold=True,
        )
        db.session.commit()
    time_passes(smtp_app)
    assert relay_pass(smtp_app).claimed == 0
    assert smtp_server.messages == []
    [withheld] = rows(smtp_app).values()
    assert (withheld.status, withheld.context) == (OutboxStatus.WITHHELD, {})
