"""`/metrics`: off without METRICS_TOKEN, closed without the token, and true across workers."""

from __future__ import annotations

import re

import pytest

from petition.extensions import db
from petition.outbox.services import queue_email
from tests.factories import make_platform
from tests.faults.live import Browser, sign_on
from tests.signon import ORGANIZATION, sign

TOKEN = "metrics-test-token-0123456789"


def _value(text: str, name: str, **labels) -> float:
    """Return the sample `name{labels}` from a Prometheus text page (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return 0.0


def test_metrics_do_not_exist_without_a_token(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_need_the_token(make_app):
    app = make_app(METRICS_TOKEN=TOKEN)
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_metrics_count_requests_sign_ons_and_the_outbox(make_app):
    app = make_app(METRICS_TOKEN=TOKEN, PUBLIC_PAGE_CACHE_SECONDS=0)
    with app.app_context():
        slug = make_platform("metrics").slug
        db.session.commit()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    for _ in range(3):
        assert client.get(f"/en/p/{slug}/").status_code == 200
    assert client.get("/en/no-such-page").status_code == 404
    assert sign(client, slug, email="metrics@members.example").status_code == 303
    with app.app_context():
        queue_email(to="x@members.example", locale="en", template="outbox/settings_check")
        db.session.commit()
    after = client.get("/metrics", headers=auth).get_data(as_text=True)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("petition_http_requests_total", endpoint="platforms.show", status="200") == 3
    assert grew("petition_http_requests_total", endpoint="none", status="404") == 1
    assert grew("petition_signons_total", kind="organization", outcome="created") == 1
    assert grew("petition_http_request_duration_seconds_count", endpoint="platforms.show") == 3
    # Read from the database: the confirmation email and the test email wait.
    assert _value(after, "petition_outbox_messages", status="queued") == 2
    assert _value(after, "petition_outbox_oldest_queued_seconds") >= 0
    # No path, slug, token or address in any label.
    assert "metrics@members.example" not in after and f"/p/{slug}" not in after


@pytest.mark.slow
def test_every_worker_reports_the_same_totals(make_app, serve, tmp_path):
    """Under gunicorn.conf.py a scrape of any worker counts every worker's work (it gives the
    workers one folder for their counters); health probes and scrapes stay out of the access
    log."""
    app = make_app()
    with app.app_context():
        slug = make_platform("metrics-workers").slug
        db.session.commit()
    server = serve(
        workers=2,
        threads=2,
        METRICS_TOKEN=TOKEN,
        PUBLIC_PAGE_CACHE_SECONDS="0",
        GUNICORN_CMD_ARGS="--access-logfile -",
    )
    assert Browser(server.port).get("/readyz").status == 200
    browser = Browser(server.port)
    for _ in range(40):
        assert browser.get(f"/en/p/{slug}/").status == 200
    for n in range(4):
        reply = sign_on(
            Browser(server.port), slug, {**ORGANIZATION, "email": f"w{n}@members.example"}
        )
        assert reply.status == 303
    scrapes = [
        Browser(server.port).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        for _ in range(6)
    ]
    pages = {
        _value(s.body, "petition_http_requests_total", endpoint="platforms.show", status="200")
        for s in scrapes
    }
    # The readiness probe of the `serve` fixture asked for /en/ before: only /en/p/... here.
    assert pages == {40.0}, pages
    created = {
        _value(s.body, "petition_signons_total", kind="organization", outcome="created")
        for s in scrapes
    }
    assert created == {4.0}
    log = server.output()
    assert f"GET /en/p/{slug}/ " in log
    assert "GET /metrics " not in log and "GET /readyz " not in log


@pytest.mark.slow
def test_the_relay_serves_its_own_counters(make_app, database_url, tmp_path, smtp_server):
    """RELAY_METRICS_PORT: the relay counts what it sent, on its own loopback port."""
    import time
    import urllib.request

    from tests.faults.live import environment, free_port, relay_process

    app = make_app()
    with app.app_context():
        for n in range(3):
            queue_email(to=f"r{n}@members.example", locale="en", template="outbox/settings_check")
        db.session.commit()
    port = free_port()
    env = environment(database_url, "https://petition.test", smtp_server)
    env.update(RELAY_METRICS_PORT=str(port), OUTBOX_POLL_SECONDS="1")
    relay = relay_process(env, tmp_path)
    relay.start()
    try:
        deadline = time.monotonic() + 30
        sent = 0.0
        while sent < 3 and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    sent = _value(r.read().decode(), "petition_relay_emails_sent_total")
            except OSError:
                continue
        assert sent == 3, relay.output()[-2000:]
        assert len(smtp_server.messages) == 3
    finally:
        relay.stop()
