"""Per-IP rate limits hold across gunicorn workers: with the default store (the database), with
Redis, and Redis going away loses nothing.

One client sends more sign-ons and failed logins than the limits allow, spread over two
workers by concurrent connections. Counted per process, each worker would let the whole limit
through; counted in the shared store, exactly the limit gets through, however the requests
are spread.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import select

from petition.endorsements.models import Endorsement
from petition.extensions import db
from tests.factories import ADMIN_PASSWORD, make_admin_user, make_platform
from tests.faults.live import Browser, free_port, hidden_value, sign_on
from tests.signon import ORGANIZATION

pytestmark = pytest.mark.slow

SIGN_ONS = 60
SIGNON_LIMIT = 20
LOGIN_LIMIT = 10


@pytest.fixture(params=["default", "redis"])
def store(request) -> dict[str, str]:
    """Settings for the store: none (the default, the database), or Redis."""
    if request.param == "default":
        yield {}
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)


def _inside_one_window(period_seconds: int, needed_seconds: float) -> None:
    """Wait, if need be, so the next `needed_seconds` fall inside one counting window.

    The limits count in windows aligned on the clock (a sliding-window counter weighs in the
    previous window's count); a burst that straddles a boundary may get one hit more than the
    limit, which is the strategy's documented approximation, not what these tests are about.
    """
    left = period_seconds - time.time() % period_seconds
    if left < needed_seconds:
        time.sleep(left + 0.5)


def _concurrently(calls, threads: int = 8):
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_sign_on_limit_holds_across_workers(make_app, serve, store):
    app = make_app()
    with app.app_context():
        slug = make_platform("limits").slug
        db.session.commit()
    server = serve(workers=2, threads=4, SIGNON_RATE_LIMIT=f"{SIGNON_LIMIT} per hour", **store)
    _inside_one_window(3600, 30)

    def one(n: int):
        return lambda: sign_on(
            Browser(server.port), slug, {**ORGANIZATION, "email": f"signer{n}@limits.example"}
        )

    replies = _concurrently([one(n) for n in range(SIGN_ONS)])
    # Every submission looks accepted: the excess is flagged, never refused.
    assert {reply.status for reply in replies} == {303}, server.output()[-3000:]
    with app.app_context():
        flags = db.session.scalars(select(Endorsement.flags)).all()
    assert len(flags) == SIGN_ONS
    unflagged = [f for f in flags if "rate_limited" not in f.split(",")]
    assert len(unflagged) == SIGNON_LIMIT, (len(unflagged), server.output()[-3000:])
    # Counted in the store all along (no worker fell back to its own memory).
    assert "Rate-limit store" not in server.output()


def test_login_limit_holds_across_workers(make_app, serve, store):
    make_app()
    server = serve(workers=2, threads=4, LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per 15 minutes", **store)
    _inside_one_window(900, 30)

    def attempt():
        browser = Browser(server.port)
        page = browser.get("/admin/login")
        assert page.status == 200
        data = {
            "email": "nobody@limits.example",
            "password": "not the password at all",
            "csrf_token": hidden_value(page.body, "csrf_token"),
        }
        return lambda: browser.post("/admin/login", data).status

    # The limit's worth of attempts at once: every one is answered (a failed login, 200)...
    first = _concurrently([attempt() for _ in range(LOGIN_LIMIT)])
    assert first == [200] * LOGIN_LIMIT, server.output()[-3000:]
    # ...and from the 11th on, whichever worker answers, the address is held back.
    later = _concurrently([attempt() for _ in range(LOGIN_LIMIT)])
    assert later == [429] * LOGIN_LIMIT, (later, server.output()[-3000:])
    assert "Rate-limit store" not in server.output()


def test_redis_down_loses_no_sign_on_or_login(make_app, serve):
    app = make_app()
    with app.app_context():
        slug = make_platform("limits").slug
        make_admin_user("admin@limits.example")
        db.session.commit()
    # Nothing listens on this port: every connection to "Redis" is refused.
    server = serve(workers=2, threads=4, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/5")

    def one(n: int):
        return lambda: sign_on(
            Browser(server.port), slug, {**ORGANIZATION, "email": f"signer{n}@limits.example"}
        )

    replies = _concurrently([one(n) for n in range(16)])
    assert {reply.status for reply in replies} == {303}, server.output()[-3000:]
    with app.app_context():
        assert len(db.session.scalars(select(Endorsement.id)).all()) == 16

    admin = Browser(server.port)
    page = admin.get("/admin/login")
    login = admin.post(
        "/admin/login",
        {
            "email": "admin@limits.example",
            "password": ADMIN_PASSWORD,
            "csrf_token": hidden_value(page.body, "csrf_token"),
        },
    )
    assert login.status == 302, server.output()[-3000:]
    dashboard = admin.get("/admin/")
    assert dashboard.status == 200
    assert "Rate-limit store unreachable since" in dashboard.body
    # Each worker says so once, however many requests it served meanwhile.
    warnings = server.output().count("unreachable (ConnectionError")
    assert 1 <= warnings <= 2, server.output()[-3000:]
