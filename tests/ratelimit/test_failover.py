"""When the rate-limit store cannot be reached, nobody notices but the admins.

Sign-ons are stored and logins work; limits are counted in the process's memory meanwhile;
one warning goes to the log and the dashboard says since when; once the store answers again
it is used again. Also: what the keys in a shared Redis look like (no IP address, the site's
prefix), and the start-up settings.
"""

from __future__ import annotations

import logging
import time
import uuid

import pytest
import redis
from sqlalchemy import func, select

from petition import create_app, ratelimit
from petition.config import ConfigError, from_environment, settings_for_tests
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.ratelimit import storage as ratelimit_storage
from petition.ratelimit.models import RateLimitCounter
from petition.security import ip_hash
from tests.factories import make_admin_user, make_platform
from tests.faults.live import free_port
from tests.logins import log_in
from tests.redis_server import RedisServer
from tests.signon import sign

UNREACHABLE = "Rate-limit store unreachable since"
UNREACHABLE_FR = "Stockage des limites de fréquence injoignable depuis le"
CLIENT = "198.51.100.23"


def _outage_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "petition.ratelimit.storage" and "unreachable" in r.getMessage()
    ]


def _flags(app) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(Endorsement.flags).order_by(Endorsement.id)).all()
        db.session.remove()
    return rows


def _world(app, lang: str = "en") -> str:
    with app.app_context():
        slug = make_platform("outage").slug
        make_admin_user("admin@example.org", preferred_locale=lang)
        db.session.commit()
    return slug


def _dashboard(client) -> str:
    page = client.get("/admin/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sign_ons_and_logins_carry_on_while_redis_is_down(make_app, caplog, lang):
    caplog.set_level(logging.WARNING)
    # Nothing listens on this port: every connection is refused.
    app = make_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/5", SIGNON_RATE_LIMIT="2 per hour"
    )
    slug = _world(app, lang)
    client = app.test_client()

    replies = [sign(client, slug, email=f"signer{n}@outage.example") for n in range(3)]
    assert [r.status_code for r in replies] == [303, 303, 303]
    # All stored; the limit still counted (in this process's memory meanwhile).
    assert _flags(app) == ["", "", "rate_limited"]

    response = log_in(client, "admin@example.org")
    assert response.status_code == 302
    page = _dashboard(client)
    assert (UNREACHABLE_FR if lang == "fr" else UNREACHABLE) in page
    assert 'id="rate-limit-store"' in page
    # One warning for the outage, not one per request, naming the store.
    [warning] = _outage_warnings(caplog)
    assert "Rate-limit store redis://" in warning.getMessage()


def test_logins_are_still_limited_while_the_store_is_down(make_app):
    app = make_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/5", LOGIN_RATE_LIMIT="3 per hour"
    )
    client = app.test_client()
    statuses = [
        log_in(client, "nobody@example.org", "wrong password here").status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which the test stops and starts again."""
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def test_the_store_is_used_again_once_it_is_back(make_app, caplog, monkeypatch, own_redis):
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(ratelimit_storage, "RETRY_SECONDS", 0)
    monkeypatch.setattr(ratelimit_storage, "PROBE_SECONDS", 0)
    server = own_redis.start()
    app = make_app(RATELIMIT_STORAGE_URI=own_redis.url, SIGNON_RATE_LIMIT="100 per hour")
    slug = _world(app)
    client = app.test_client()
    assert log_in(client, "admin@example.org").status_code == 302

    assert sign(client, slug, email="before@outage.example").status_code == 303
    assert server.keys("*signon*")
    assert UNREACHABLE not in _dashboard(client)

    own_redis.stop()
    assert sign(client, slug, email="during@outage.example").status_code == 303
    assert UNREACHABLE in _dashboard(client)

    # A new, empty server: counting goes on there as soon as it answers.
    server = own_redis.start()
    assert sign(client, slug, email="after@outage.example").status_code == 303
    assert server.keys("*signon*")
    assert UNREACHABLE not in _dashboard(client)
    assert len(_flags(app)) == 3
    messages = [r.getMessage() for r in caplog.records if r.name == "petition.ratelimit.storage"]
    assert len(messages) == 2
    assert "unreachable" in messages[0] and "reachable again" in messages[1]


def test_a_database_store_without_its_table_loses_no_sign_on(make_app, caplog, monkeypatch):
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(ratelimit_storage, "RETRY_SECONDS", 0)
    app = make_app(RATELIMIT_STORAGE_URI="database://", SIGNON_RATE_LIMIT="1 per hour")
    slug = _world(app)
    client = app.test_client()
    table = RateLimitCounter.__table__
    with app.app_context():
        table.drop(db.engine)
    try:
        replies = [sign(client, slug, email=f"signer{n}@outage.example") for n in range(2)]
        assert [r.status_code for r in replies] == [303, 303]
        assert _flags(app) == ["", "rate_limited"]
        assert len(_outage_warnings(caplog)) == 1
    finally:
        with app.app_context():
            table.create(db.engine)
    # The table is back: the next sign-on is counted there.
    assert sign(client, slug, email="signer2@outage.example").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 1


@pytest.fixture
def shared_redis(redis_url):
    """A Redis that may be shared; the keys this test made (by its prefix) are deleted after."""
    client = redis.Redis.from_url(redis_url)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield client, prefix, redis_url
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)


def test_redis_keys_hold_no_address_and_carry_the_site_prefix(make_app, shared_redis):
    server, prefix, url = shared_redis
    app = make_app(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
    slug = _world(app)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT
    assert sign(client, slug).status_code == 303
    assert log_in(client, "nobody@example.org", "wrong password here").status_code == 200

    with app.app_context():
        hashed = ip_hash(CLIENT)
    keys = [key.decode() for key in server.scan_iter(match=f"*{hashed}*")]
    assert any("/signon/" in key for key in keys) and any("/login/" in key for key in keys)
    for key in keys:
        assert prefix in key
        assert CLIENT not in key and "198.51.100" not in key and "127.0.0.1" not in key
    # Nothing else this app counted went anywhere but under its prefix.
    assert not [k for k in server.scan_iter(match="*LIMITER*") if CLIENT.encode() in k]


def test_memory_store_in_production_is_warned_about_at_start_up(caplog):
    caplog.set_level(logging.WARNING)
    create_app(settings_for_tests(PETITION_ENV="production", RATELIMIT_STORAGE_URI="memory://"))
    [warning] = [r for r in caplog.records if "memory://" in r.getMessage()]
    assert "counts sign-ons and logins on its own" in warning.getMessage()
    caplog.clear()
    create_app(settings_for_tests(PETITION_ENV="production", RATELIMIT_STORAGE_URI="database://"))
    assert not [r for r in caplog.records if "memory://" in r.getMessage()]


def test_default_store_is_the_database_and_the_prefix_is_per_site(tmp_path):
    settings = from_environment(str(tmp_path), {"SECRET_KEY": "k", "BASE_URL": "https://a.example"})
    assert settings["RATELIMIT_STORAGE_URI"] == "database://"
    one = create_app(settings).config["RATELIMIT_KEY_PREFIX"]
    other_settings = from_environment(
        str(tmp_path), {"SECRET_KEY": "k", "BASE_URL": "https://b.example"}
    )
    other = create_app(other_settings).config["RATELIMIT_KEY_PREFIX"]
    assert one != other and "example" not in one
    chosen = from_environment(str(tmp_path), {"SECRET_KEY": "k", "RATELIMIT_KEY_PREFIX": "site-a"})
    assert create_app(chosen).config["RATELIMIT_KEY_PREFIX"] == "site-a"


@pytest.mark.parametrize("prefix", ["with/slash", "x" * 65, "spaced out"])
def test_unusable_key_prefixes_are_refused_at_start_up(prefix):
    with pytest.raises(ConfigError, match="RATELIMIT_KEY_PREFIX"):
        create_app(settings_for_tests(RATELIMIT_KEY_PREFIX=prefix))


def test_a_count_after_the_request_took_sqlites_write_lock_fails_at_once(make_app, caplog):
    caplog.set_level(logging.WARNING)
    app = make_app(RATELIMIT_STORAGE_URI="database://")
    with app.test_request_context("/", method="POST"):
        # The request's session writes first (on SQLite: BEGIN IMMEDIATE, the write lock).
        db.session.execute(select(func.count()).select_from(Endorsement))
        started = time.monotonic()
        assert ratelimit.allow_signon("192.0.2.1")
        elapsed = time.monotonic() - started
        on_sqlite = db.engine.dialect.name == "sqlite"
        db.session.rollback()
    if on_sqlite:
        # Not a wait of SQLITE_BUSY_SECONDS for a lock this very request holds: counted in
        # memory at once, and the log says why.
        assert elapsed < 1
        [warning] = _outage_warnings(caplog)
        assert "SQLiteLockHeld" in warning.getMessage()
    else:
        assert _outage_warnings(caplog) == []
