"""Logs never hold email addresses, secret-link tokens or full IP addresses."""

from __future__ import annotations

import logging
import secrets
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from petition.privacy.logs import RedactingFilter, redact


@pytest.fixture
def log():
    return logging.getLogger("petition.test_logs")


def test_email_addresses_and_link_tokens_are_masked(app, caplog, log):
    token = secrets.token_urlsafe(16)
    caplog.set_level(logging.INFO)
    log.info("sent to %s: https://petition.test/fr/confirm/%s", "Marie.Eve+x@Example.ORG", token)
    assert (
        caplog.records[0].getMessage()
        == "sent to [email]: https://petition.test/fr/confirm/[token]"
    )
    assert token not in caplog.text and "Example.ORG" not in caplog.text


def test_a_bare_token_is_masked_but_identifiers_and_message_ids_stay(app, caplog, log):
    caplog.set_level(logging.INFO)
    token = "aB3dE5gH7jK9mN1pQ3sT5v"  # the shape of secrets.token_urlsafe(16)
    log.info("token %s; index ix_endorsement_ip_hash; sent <%s@petition.test>", token, "f" * 32)
    assert caplog.records[0].getMessage() == (
        f"token [token]; index ix_endorsement_ip_hash; sent <{'f' * 32}@petition.test>"
    )


def test_ip_addresses_lose_their_last_part(app, caplog, log):
    caplog.set_level(logging.INFO)
    log.warning("from %s and %s at 10:05:11", "203.0.113.77", "2001:db8:85a3::8a2e:370:7334")
    assert caplog.records[0].getMessage() == "from 203.0.113.x and 2001:0db8:85a3:x at 10:05:11"


def test_tracebacks_are_masked_too(app, caplog, log):
    try:
        raise ValueError("duplicate key for coordination@harbourside-peers.example")
    except ValueError:
        log.exception("insert failed")
    assert "harbourside-peers.example" not in caplog.text
    assert "duplicate key for [email]" in caplog.text


def test_request_log_lines_hide_the_token_and_the_client(app, caplog):
    """The development server's own request lines (werkzeug) go through the redaction."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = secrets.token_urlsafe(16)
    try:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/en/manage/{token}", timeout=5)
    finally:
        server.shutdown()
        thread.join()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /en/manage/[token] HTTP/1.1" in line for line in lines), lines
    assert token not in caplog.text
    assert "127.0.0.1" not in caplog.text and "127.0.0.x" in caplog.text


def test_filter_for_handlers_that_bypass_the_factory():
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%s GET /fr/manage/%s",
        ("198.51.100.4", "x" * 22),
        None,
    )
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "198.51.100.x GET /fr/manage/[token]"


def test_redact_leaves_ordinary_text_alone():
    line = "relay pass: 3 sent, 0 deferred in 1.25 s (version 2.0.1)"
    assert redact(line) == line


SIGNER = {
    "org_name": "Quillfeather Harm Reduction Circle",
    "name": "Ondine Marchetti-Vasquez",
    "email": "ondine.marchetti@quillfeather.example",
    # Over two lines: PostgreSQL quotes a refused row's values as they are.
    "about": "Peer outreach on the east side.\nOndine Marchetti-Vasquez coordinates it.",
}
SIGNER_IP = "198.51.100.77"


@pytest.fixture
def refusing_database(make_app):
    """An app whose database refuses to store SIGNER's sign-on (as a broken constraint would).

    Exceptions are handled as in production (logged, then the error page), not re-raised.
    """
    from sqlalchemy import text

    from petition.extensions import db

    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    name = SIGNER["org_name"]
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A CHECK violation: PostgreSQL's DETAIL then quotes the whole refused row.
            conn.execute(
                text(
                    "ALTER TABLE endorsement "
                    f"ADD CONSTRAINT test_refuse CHECK (org_name <> '{name}')"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER test_refuse BEFORE INSERT ON endorsement "
                    f"WHEN NEW.org_name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    yield app
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE endorsement DROP CONSTRAINT test_refuse"))
        else:
            conn.execute(text("DROP TRIGGER test_refuse"))


def test_a_database_error_during_a_sign_on_logs_nothing_about_the_signer(refusing_database, caplog):
    from petition.extensions import db
    from tests.factories import make_platform
    from tests.signon import sign

    app = refusing_database
    with app.app_context():
        slug = make_platform().slug
        db.session.commit()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = SIGNER_IP
    caplog.set_level(logging.INFO)
    response = sign(client, slug, **SIGNER)
    assert response.status_code == 500
    assert "An unexpected error happened on our side" in response.get_data(as_text=True)

    # The error is logged, with its traceback and the database's message...
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info and "IntegrityError" in caplog.text
    assert "INSERT INTO endorsement" in caplog.text
    # ... and nothing that names or reaches the signer.
    for secret in (
        "Quillfeather",
        "Ondine",
        "Marchetti",
        "Vasquez",
        "Peer outreach",
        "east side",
        "ondine.marchetti",
        SIGNER_IP,
        "Robin Tremblay",  # the contact person of tests.signon's organization
        "Halifax",
    ):
        assert secret not in caplog.text, secret


def test_values_of_a_row_postgresql_refused_are_masked():
    message = (
        'psycopg.errors.CheckViolation: new row for relation "endorsement" violates check '
        'constraint "ck_x"\nDETAIL:  Failing row contains (7, Ondine Marchetti, about her\n'
        "second line, NS).\n[SQL: INSERT INTO endorsement (name) VALUES (%(name)s)]\n"
        'psycopg.errors.UniqueViolation: duplicate key value violates unique constraint "uq"\n'
        "DETAIL:  Key (org_name, platform_id)=(Quillfeather (East), 1) already exists.\n\n"
        "The above exception was the direct cause of the following exception:"
    )
    masked = redact(message)
    for secret in ("Ondine", "Marchetti", "second line", "Quillfeather", "East"):
        assert secret not in masked, secret
    # What the error was about stays readable.
    assert 'violates check constraint "ck_x"' in masked
    assert "Key (org_name, platform_id)=[row values]" in masked
    assert "[SQL: INSERT INTO endorsement (name)" in masked
    assert masked.endswith("The above exception was the direct cause of the following exception:")
