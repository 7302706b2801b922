"""The database goes away under a running site: no server errors, and readiness says so.

Against real gunicorn (2 workers, 4 threads each). On PostgreSQL, every connection of the site
is terminated (`pg_terminate_backend`) again and again while sign-ons and page views arrive:
not one 500. `/readyz` answers 503 while the database cannot be reached (a TCP forwarder in
front of it is cut) and 200 once it is back, with no restart.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from petition.db_types import utcnow
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.outbox.services import queue_email
from tests.factories import make_platform
from tests.faults.live import Browser, sign_on
from tests.faults.tcp_proxy import TcpProxy
from tests.signon import ORGANIZATION

pytestmark = pytest.mark.slow


def _postgresql_only(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite is a file, with no connection to lose")


def _terminate_site_connections(database_url: str) -> int:
    """Terminate every connection to the test database but this one; return how many."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        engine.dispose()


def test_terminated_connections_under_load_give_no_server_error(make_app, serve, database_url):
    _postgresql_only(database_url)
    app = make_app()
    with app.app_context():
        slug = make_platform("outage").slug
        db.session.commit()
        db.engine.dispose()
    # Pages from the database every time (no page cache), so each view needs a connection.
    server = serve(workers=2, threads=4, PUBLIC_PAGE_CACHE_SECONDS="0")
    statuses: Counter = Counter()
    signed: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def visitor(worker: int) -> None:
        browser = Browser(server.port, timeout=20)
        for n in range(100_000):
            if stop.is_set():
                return
            if n % 2:
                address = f"w{worker}-n{n}@outage.example"
                try:
                    reply = sign_on(browser, slug, {**ORGANIZATION, "email": address})
                except AssertionError as form_failed:  # The form page itself failed.
                    status = int(str(form_failed))
                else:
                    status = reply.status
                    if status == 303:
                        with lock:
                            signed.append(address)
            else:
                status = browser.get(f"/en/p/{slug}/endorsers").status
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=visitor, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    terminated = 0
    try:
        time.sleep(1)
        for _ in range(10):
            terminated += _terminate_site_connections(database_url)
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    served = sum(statuses.values())
    assert terminated >= 10, "the test killed no connection: it proves nothing"
    assert served > 100, statuses
    errors = {status: n for status, n in statuses.items() if status >= 500}
    print(f"{terminated} connections terminated under load: {served} requests, {dict(statuses)}")
    assert not errors, f"{errors} of {served} requests failed:\n{server.output()[-3000:]}"
    # Every acknowledged sign-on is stored.
    with app.app_context():
        stored = set(db.session.scalars(select(Endorsement.email_canonical)))
        assert set(signed) <= stored
        db.session.remove()
        db.engine.dispose()


def _ready(port: int) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        assert response.getheader("Cache-Control") == "no-store"
        assert response.getheader("Set-Cookie") is None
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_readyz_is_503_while_the_database_is_unreachable_and_200_when_back(
    make_app, serve, database_url
):
    _postgresql_only(database_url)
    make_app()  # Creates the schema's tables in the test database.
    url = make_url(database_url)
    with TcpProxy(url.port or 5432, url.host or "127.0.0.1") as proxy:
        through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
        server = serve(workers=2, threads=2, DATABASE_URL=through_proxy)
        status, body = _ready(server.port)
        assert status == 200 and body["checks"]["database"]["ok"] is True, body
        proxy.cut()
        deadline = time.monotonic() + 10
        while (status := _ready(server.port)[0]) != 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 503
        status, body = _ready(server.port)
        assert body["status"] == "unavailable" and body["checks"]["database"]["ok"] is False
        # Liveness does not depend on the database.
        assert Browser(server.port).get("/healthz").status == 200
        proxy.restore()
        deadline = time.monotonic() + 10
        while not _ready(server.port)[1]["checks"]["database"]["ok"]:
            assert time.monotonic() < deadline, "readyz did not see the database come back"
            time.sleep(0.2)


def test_readyz_reports_every_check(app, client):
    """On a database migrated to head: 200 and every check named; never cached, no cookie."""
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["status"] == "ok"
    assert set(ready.json["checks"]) == {"database", "outbox", "rate_limit_store"}
    assert ready.json["checks"]["outbox"]["oldest_queued_seconds"] == 0
    assert ready.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in ready.headers
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
    # A schema behind the code is not ready: this instance would fail on new columns.
    with app.app_context():
        [head] = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        behind = client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json["status"] == "unavailable"
        assert behind.json["checks"]["database"]["schema_at_head"] is False
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def test_readyz_reports_an_outbox_nobody_empties(app, client):
    """Mail queued for longer than READY_OUTBOX_MAX_AGE_SECONDS: degraded, still serving."""
    with app.app_context():
        queue_email(
            to="waiting@members.example",
            locale="en",
            template="outbox/settings_check",
            context={},
        )
        db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "degraded"
    assert ready.json["checks"]["outbox"]["ok"] is False
    assert ready.json["checks"]["outbox"]["oldest_queued_seconds"] >= 7200


def test_readyz_reports_an_unreachable_rate_limit_store_as_degraded(make_app):
    """Redis down: the site counts per process and keeps serving, so 200 with a warning."""
    from tests.faults.live import free_port

    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "degraded"
    check = ready.json["checks"]["rate_limit_store"]
    assert check["ok"] is False and check["unreachable_since"]
    assert "127.0.0.1" in check["store"] and "@" not in check["store"]


def test_readyz_reports_an_unreachable_page_cache_redis_as_degraded(make_app, redis_url):
    """Pages still served; other processes' kept pages lag by their cache time: 200, warned."""
    from tests.faults.live import free_port

    app = make_app(REDIS_URL=f"redis://:secret@127.0.0.1:{free_port()}/0")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    check = ready.json["checks"]["page_cache_sync"]
    assert check["ok"] is False and "secret" not in check["store"]

    working = make_app(REDIS_URL=redis_url).test_client().get("/readyz")
    assert working.json["checks"]["page_cache_sync"]["ok"] is True
    assert "page_cache_sync" not in make_app().test_client().get("/readyz").json["checks"]
