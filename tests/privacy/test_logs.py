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
