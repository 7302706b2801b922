"""Composing emails: the recipient's language, links from BASE_URL only, the per-address count."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from petition.config import from_environment
from petition.db_types import utcnow
from petition.extensions import csrf, db
from petition.outbox import services
from petition.outbox.models import OutboxMessage, OutboxStatus
from tests.pages import elements

TEMPLATES = Path(__file__).parents[2] / "templates" / "email"


def _queue(**overrides) -> OutboxMessage:
    values = {
        "to": "signer@example.org",
        "locale": "en",
        "template": "tests/secret_link",
        "context": {"name": "Alex", "token": "s3cr3t-token"},
    }
    values.update(overrides)
    return services.queue_email(**values)


def test_french_email_is_written_in_french(console_app):
    with console_app.app_context():
        message = services.queue_email(
            to="signer@example.org", locale="fr", template="outbox/settings_check"
        )
        assert message.locale == "fr"
        assert message.template == "outbox/settings_check"
        message = services.rendered(message)
        assert message.subject == "Appuis aux plateformes\u00a0: courriel d'essai"
        assert "Ceci est un courriel d'essai envoyé par Appuis aux plateformes." in (
            message.body_text
        )
        assert "https://petition.test/fr/\n" in message.body_text
        assert "Ce courriel vous a été envoyé par Appuis aux plateformes." in message.body_text
        html_tag = elements(message.body_html)[0]
        assert html_tag == ("html", [("lang", "fr-CA"), ("dir", "ltr")])
        assert "<title>Appuis aux plateformes\u00a0: courriel d&#39;essai</title>" in (
            message.body_html
        )
        assert 'href="https://petition.test/fr/"' in message.body_html


def test_english_email_is_written_in_english(console_app):
    with console_app.app_context():
        message = services.queue_email(
            to="signer@example.org", locale="en", template="outbox/settings_check"
        )
        message = services.rendered(message)
        assert message.subject == "Platform sign-on: test email"
        assert "This is a test email from Platform sign-on." in message.body_text
        assert "https://petition.test/en/\n" in message.body_text
        assert elements(message.body_html)[0] == ("html", [("lang", "en-CA"), ("dir", "ltr")])


def test_the_email_follows_the_recipient_not_the_page_being_viewed(console_app):
    # An English page can cause a French email (the signer chose French): everything in the
    # email, links included, is French.
    with console_app.test_request_context("/en/"):
        console_app.preprocess_request()
        # Rendered right here, inside the English request, as a test of the worst case: the
        # relay renders outside any request.
        message = services.rendered(_queue(locale="fr"))
        assert message.subject == "Bonjour, Alex"
        assert "https://petition.test/fr/p/test-platform/?token=s3cr3t-token" in (message.body_text)
        assert 'lang="fr-CA"' in message.body_html


def test_queue_email_flushes_but_leaves_the_commit_to_the_caller(console_app):
    with console_app.app_context():
        message = _queue()
        assert message.id is not None
        assert message.status == OutboxStatus.QUEUED
        assert message.attempts == 0
        assert message.next_attempt_at <= utcnow()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_recipient_is_stored_exactly_as_given(console_app):
    with console_app.app_context():
        assert _queue(to="Mixed.Case@Example.org").recipient == "Mixed.Case@Example.org"


def test_message_ids_are_unique_and_in_the_senders_domain(make_app, email_templates):
    app = email_templates(make_app(MAIL_DEFAULT_SENDER="Sign-on <sign-on@coalition.example>"))
    with app.app_context():
        first, second = _queue().message_id, _queue().message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@coalition\.example>", first)
    assert first != second


def test_subject_is_one_line_whatever_the_template_leaves(console_app):
    with console_app.app_context():
        message = services.rendered(
            _queue(context={"name": "Alex\nBcc: victim@example.org", "token": "t"})
        )
    assert "\n" not in message.subject
    assert message.subject == "Hello, Alex Bcc: victim@example.org"


def test_an_overlong_subject_is_shortened_to_fit(console_app):
    with console_app.app_context():
        message = _queue(context={"name": "Coalition " * 60, "token": "t"})
        message.subject = services.rendered(message).subject
        db.session.commit()  # PostgreSQL would refuse a subject longer than the column
        assert len(message.subject) == 300
        assert message.subject.endswith("…")


def test_outbox_settings_come_from_the_environment(tmp_path):
    env = {"SECRET_KEY": "x" * 40, "OUTBOX_MAX_ATTEMPTS": "3", "OUTBOX_POLL_SECONDS": "2"}
    settings = from_environment(str(tmp_path), env=env)
    assert (settings["OUTBOX_MAX_ATTEMPTS"], settings["OUTBOX_POLL_SECONDS"]) == (3, 2)
    defaults = from_environment(str(tmp_path), env={"SECRET_KEY": "x" * 40})
    assert (defaults["OUTBOX_MAX_ATTEMPTS"], defaults["OUTBOX_POLL_SECONDS"]) == (8, 5)


def test_unsupported_locale_is_refused(console_app):
    with console_app.app_context(), pytest.raises(ValueError, match="locale"):
        _queue(locale="de")


def test_links_use_base_url_even_with_a_forged_host_header(console_app):
    # A Host that is not BASE_URL's but allowed (the tests allow "localhost"; a foreign one
    # is refused with 400 before anything runs), and a forged X-Forwarded-Host.
    with console_app.test_request_context(
        "/fr/", headers={"Host": "localhost", "X-Forwarded-Host": "evil.example"}
    ):
        console_app.preprocess_request()
        assert services.external_url("platforms.home") == "https://petition.test/fr/"
        message = services.rendered(_queue(locale="fr"))
        assert "evil.example" not in message.body_text + message.body_html
        assert "localhost" not in message.body_text + message.body_html
        assert "https://petition.test/fr/p/test-platform/?token=s3cr3t-token" in (message.body_text)


def test_a_request_with_a_forged_host_queues_links_to_base_url(console_app):
    # The same through a real request: a view that queues an email, hit with a forged Host.
    @console_app.post("/queue-for-test")
    @csrf.exempt
    def queue_for_test():
        message = _queue(locale="en")
        db.session.commit()
        # Rendered in the forged request itself (the worst case; the relay renders later).
        return services.rendered(message).body_text

    client = console_app.test_client()
    response = client.post("/queue-for-test", headers={"Host": "evil.example"})
    assert response.status_code == 400  # a Host that is not ours: refused, nothing queued
    response = client.post(
        "/queue-for-test", headers={"Host": "localhost", "X-Forwarded-Host": "evil.example"}
    )
    assert response.status_code == 200
    assert "https://petition.test/en/p/test-platform/?token=s3cr3t-token" in response.text
    assert "evil.example" not in response.text
    with console_app.app_context():
        message = services.rendered(db.session.scalar(select(OutboxMessage)))
        assert "https://petition.test/en/p/test-platform/?token=s3cr3t-token" in (message.body_text)
        assert "evil.example" not in message.body_text + message.body_html


def test_external_url_outside_a_request(console_app):
    with console_app.app_context():
        assert services.external_url("platforms.show", lang="fr", slug="x") == (
            "https://petition.test/fr/p/x/"
        )
        assert services.external_url("platforms.root") == "https://petition.test/"
        assert services.external_url("platforms.home", lang="en", _anchor="top") == (
            "https://petition.test/en/#top"
        )


def test_external_url_keeps_a_path_in_base_url(make_app):
    app = make_app(BASE_URL="https://coalition.example/sign")
    with app.test_request_context("/en/", headers={"Host": "evil.example"}):
        assert services.external_url("platforms.home", lang="fr") == (
            "https://coalition.example/sign/fr/"
        )


def test_recent_count_counts_one_address_since_a_moment(console_app):
    with console_app.app_context():
        for _ in range(3):
            _queue(to="busy@example.org")
        _queue(to="other@example.org")
        old = _queue(to="busy@example.org")
        old.created_at = utcnow() - timedelta(days=2)
        failed = _queue(to="busy@example.org")
        failed.status = OutboxStatus.FAILED
        _queue(to="busy@example.org", withhold=True)
        db.session.commit()

        since = utcnow() - timedelta(days=1)
        # Failed and sent messages still count: the cap is on emails caused, not delivered.
        # A withheld one was never going to be sent: it does not.
        assert services.recent_count("busy@example.org", since) == 4
        assert services.recent_count("other@example.org", since) == 1
        assert services.recent_count("nobody@example.org", since) == 0
        assert services.recent_count("busy@example.org", utcnow() - timedelta(days=3)) == 5


def test_status_counts_failed_list_and_retry(console_app):
    with console_app.app_context():
        queued, failed = _queue(), _queue()
        failed.status = OutboxStatus.FAILED
        failed.attempts = 8
        failed.last_error = "550 5.1.1 No such user"
        db.session.commit()

        assert services.status_counts() == {
            OutboxStatus.QUEUED: 1,
            OutboxStatus.SENDING: 0,
            OutboxStatus.SENT: 0,
            OutboxStatus.FAILED: 1,
            OutboxStatus.WITHHELD: 0,
        }
        assert [(m.message_id, m.last_error) for m in services.failed_messages()] == [
            (failed.message_id, "550 5.1.1 No such user")
        ]

        services.retry(failed)
        db.session.commit()
        assert failed.status == OutboxStatus.QUEUED
        assert failed.attempts == 0
        assert failed.next_attempt_at <= utcnow()
        assert services.failed_messages() == []

        with pytest.raises(services.NotRetryable):
            services.retry(queued)


EMAIL_TEMPLATES = sorted(
    str(path.relative_to(TEMPLATES)).removesuffix(".subject.txt")
    for path in TEMPLATES.glob("*/*.subject.txt")
)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_emails_render_the_same_from_plain_values_as_from_the_endorsement(console_app, template):
    # Queued emails carry Endorsement.email_values(), not the endorsement: a template that
    # used anything else of it would silently show nothing.
    from tests.factories import make_endorsement, make_platform

    values = {
        "platform_title": "Test platform",
        "platform_url": "https://petition.test/en/p/x/",
        "confirm_url": "https://petition.test/en/confirm/t",
        "manage_url": "https://petition.test/en/manage/t",
        "stop_url": "https://petition.test/en/manage/t#updates",
        "expires_hours": 72,
        "version": "2.0",
        "changes": "What changed",
        "listed": True,
        "subject": "News",
        "body": "Body",
        "reason": "A reason",
        "items": [],
        "total_new": 0,
    }
    with console_app.app_context():
        platform = make_platform()
        for status in ("unverified", "pending_review", "approved", "withdrawn"):
            for kind in ("organization", "individual"):
                endorsement = make_endorsement(
                    platform, status, kind=kind, email=f"{status}-{kind}@example.org"
                )
                for locale in ("en", "fr"):
                    plain = {**values, "endorsement": endorsement.email_values()}
                    rich = {**values, "endorsement": endorsement}
                    assert services.render_email(template, locale, plain) == (
                        services.render_email(template, locale, rich)
                    ), (status, kind, locale)
        db.session.rollback()
