"""Logs operators can use: request ids end to end, JSON lines, the same redaction everywhere."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.operations import logs
from petition.outbox.models import OutboxMessage
from tests.factories import make_platform
from tests.faults.live import ROOT
from tests.signon import sign

SIGNER = "robin.tremblay@harbour-peers.example"


def test_every_response_names_its_request(client):
    first = client.get("/en/no-such-page")
    second = client.get("/en/no-such-page")
    ids = [r.headers["X-Request-ID"] for r in (first, second)]
    assert all(len(i) == 32 for i in ids) and ids[0] != ids[1]


@pytest.mark.parametrize(
    ("proxies", "given", "believed"),
    [
        (0, "abc123def456", False),  # a client cannot name its own request
        (1, "abc123def456", True),  # the trusted proxy (nginx's $request_id) can
        (1, "short", False),
        (1, "an id with spaces in it", False),
        (1, "x" * 200, False),
    ],
)
def test_an_incoming_request_id_is_believed_only_from_a_trusted_proxy(
    make_app, proxies, given, believed
):
    app = make_app(TRUSTED_PROXIES=proxies)
    answer = app.test_client().get("/en/", headers={"X-Request-ID": given})
    assert (answer.headers["X-Request-ID"] == given) is believed
    assert " " not in answer.headers["X-Request-ID"]


def test_a_page_kept_in_the_page_cache_keeps_no_request_id(client):
    """A kept page answers a later request: it must not name the request that rendered it."""
    first = client.get("/en/")
    again = client.get("/en/")
    assert again.headers.get("Age") is not None, "the page cache did not answer"
    assert again.headers.get("X-Request-ID") != first.headers["X-Request-ID"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_error_page_gives_its_reference(client, lang):
    page = client.get(f"/{lang}/no-such-page")
    assert page.status_code == 404
    reference = page.headers["X-Request-ID"]
    word = {"en": "Reference:", "fr": "Référence\u00a0:"}[lang]
    assert f"{word} {reference}" in page.get_data(as_text=True)


def test_json_lines_carry_the_request_id_and_are_redacted(app):
    stream = io.StringIO()
    handler = logs._handler("json")
    handler.stream = stream
    logger = logging.getLogger("petition.test-json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with app.test_request_context("/en/"):
            app.preprocess_request()
            request_id = logs.request_id()
            try:
                raise ValueError(f"no such signer {SIGNER} from 203.0.113.9")
            except ValueError:
                logger.exception("sign-on of %s failed", SIGNER, extra={"who": SIGNER})
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["request_id"] == request_id
    assert record["level"] == "ERROR" and record["logger"] == "petition.test-json"
    assert {"time", "message", "exc_info"} <= set(record)
    assert SIGNER not in line and "203.0.113.9" not in line
    assert "[email]" in record["message"] and "[email]" in record["exc_info"]
    assert record["who"] == "[email]"


def test_the_relay_logs_the_request_that_queued_an_email(make_app, database_url, tmp_path):
    """LOG_FORMAT=json: the relay's line for an email names the sign-on's request."""
    app = make_app()
    with app.app_context():
        slug = make_platform("logs").slug
        db.session.commit()
    answer = sign(app.test_client(), slug, email=SIGNER)
    assert answer.status_code == 303
    request_id = answer.headers["X-Request-ID"]
    with app.app_context():
        stored = db.session.scalar(select(OutboxMessage.request_id))
        db.session.remove()
    assert stored == request_id
    env = {
        "PATH": "/usr/bin:/bin",
        "PETITION_ENV": "development",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "BASE_URL": "https://petition.test",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    relay = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "relay", "--once"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert relay.returncode == 0, relay.stderr
    lines = [json.loads(line) for line in relay.stderr.splitlines() if line.startswith("{")]
    sent = [line for line in lines if line["message"].startswith("sent ")]
    assert sent and sent[0]["request_id"] == request_id, relay.stderr
    assert SIGNER not in relay.stderr


def test_sentry_reports_are_scrubbed_like_the_logs(make_app):
    pytest.importorskip("sentry_sdk")
    import sentry_sdk

    sent: list[dict] = []

    class Capture(sentry_sdk.Transport):
        def capture_envelope(self, envelope):
            for item in envelope.items:
                if item.type == "event":
                    sent.append(item.payload.json)

    app = make_app(SENTRY_DSN="https://public@sentry.invalid/1")
    logs.init_sentry(app, transport=Capture, default_integrations=False)
    try:

        @app.get("/boom-for-sentry")
        def boom():
            raise RuntimeError(f"cannot sign on {SIGNER}")

        app.config["PROPAGATE_EXCEPTIONS"] = False
        app.testing = False
        answer = app.test_client().get(
            "/boom-for-sentry", headers={"Cookie": "petition_session=secret"}
        )
        assert answer.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
    assert sent, "no event reached the transport"
    text = json.dumps(sent)
    assert SIGNER not in text and "secret" not in text
    assert "[email]" in text
