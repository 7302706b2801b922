"""Logging in and out: one message for every failure, lockout, throttling, session limits."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select

from petition.accounts import passwords
from petition.accounts.models import AdminUser
from petition.accounts.redirects import safe_admin_next
from petition.accounts.services import LOCKOUT_ATTEMPTS
from petition.accounts.sessions import LOGIN_AT, SEEN_AT
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.extensions import db
from tests.factories import make_admin_user
from tests.logins import PASSWORD, log_in, token_for
from tests.pages import csrf_token, text

FAILURE = "The email address or password is not right."


@pytest.fixture
def moderator(app):
    with app.app_context():
        user = make_admin_user("sam.rivers@example.org", role="moderator")
        make_admin_user("admin@example.org", role="admin")
        db.session.commit()
        return user.id


def _user(app, user_id) -> AdminUser:
    with app.app_context():
        user = db.session.get(AdminUser, user_id)
        db.session.expunge(user)
        return user


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        # In the order they happened: PostgreSQL returns unordered rows in any order.
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        events = list(db.session.scalars(query))
        for event in events:
            db.session.expunge(event)
        return events


def _error_summary(response) -> str:
    page = text(response)
    start = page.index('class="error-summary"')
    return page[start : page.index("</div>", start)]


def test_login_succeeds_and_lands_on_the_dashboard(app, client, moderator):
    response = log_in(client, "Sam.Rivers@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Dashboard" in text(page)
    assert "Logged in as sam.rivers@example.org" in text(page)
    assert _user(app, moderator).last_login_at is not None
    [event] = _events(app, "login")
    assert event.actor_id == moderator
    assert event.actor_label == "sam.rivers@example.org"
    assert event.ip_hash and "127.0.0.1" not in event.ip_hash


def test_session_cookie_is_httponly_lax_and_ends_with_the_browser(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_admin_user("sam.rivers@example.org")
        db.session.commit()
    client = app.test_client()
    response = log_in(client, "sam.rivers@example.org")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "petition_session=" in c]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower()
    # No Expires or Max-Age: the cookie is gone when the browser closes. No remember-me cookie.
    assert not attributes & {"expires", "max-age"}
    assert all("remember" not in c for c in response.headers.getlist("Set-Cookie"))


def test_unknown_email_and_wrong_password_look_the_same(app, client, moderator, monkeypatch):
    calls = []
    real = passwords.password_hasher

    class CountingHasher:
        """The real hasher, noting which hash each verification used."""

        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored_hash, password):
            calls.append(stored_hash)
            return real.verify(stored_hash, password)

    monkeypatch.setattr(passwords, "password_hasher", CountingHasher())

    unknown = log_in(client, "nobody@example.org", "some password or other")
    unknown_calls, calls[:] = list(calls), []
    wrong = log_in(client, "sam.rivers@example.org", "some password or other")

    assert unknown.status_code == wrong.status_code == 200
    assert FAILURE in _error_summary(unknown)
    assert _error_summary(unknown) == _error_summary(wrong)
    # One argon2 verification each, with the same parameters: no timing difference to measure.
    assert len(unknown_calls) == len(calls) == 1
    assert unknown_calls[0].split("$")[:4] == calls[0].split("$")[:4]
    assert client.get("/admin/").status_code == 302


def test_failed_logins_are_audited_without_the_password(app, client, moderator):
    log_in(client, "nobody@example.org", "hunter2 hunter2 hunter2")
    log_in(client, "sam.rivers@example.org", "hunter2 hunter2 hunter2")
    unknown, known = sorted(_events(app, "login_failed"), key=lambda e: e.id)
    assert unknown.actor_label == "unknown"
    assert unknown.target_id is None
    assert known.actor_label == "sam.rivers@example.org"
    assert known.target_type == "admin_user" and known.target_id == str(moderator)
    for event in (unknown, known):
        assert "hunter2" not in repr(event.details)
        assert "nobody" not in repr(event.details) + event.actor_label


def test_lockout_after_repeated_failures_and_expiry(app, client, moderator):
    for _attempt in range(LOCKOUT_ATTEMPTS):
        response = log_in(client, "sam.rivers@example.org", "not the password at all")
        assert FAILURE in _error_summary(response)
    user = _user(app, moderator)
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert len(_events(app, "lockout")) == 1

    # Locked: even the right password is refused, with the same message.
    response = log_in(client, "sam.rivers@example.org", PASSWORD)
    assert FAILURE in _error_summary(response)
    assert client.get("/admin/").status_code == 302
    assert _events(app, "login_failed")[-1].details == {"reason": "locked"}

    with app.app_context():
        db.session.get(AdminUser, moderator).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert log_in(client, "sam.rivers@example.org", PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert _user(app, moderator).failed_login_count == 0


def test_deactivated_account_cannot_log_in(app, client, moderator):
    with app.app_context():
        db.session.get(AdminUser, moderator).active = False
        db.session.commit()
    response = log_in(client, "sam.rivers@example.org", PASSWORD)
    assert FAILURE in _error_summary(response)
    assert client.get("/admin/").status_code == 302


def test_login_attempts_are_throttled_per_address(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _attempt in range(3):
        assert log_in(client, "nobody@example.org", "wrong password here").status_code == 200
    response = log_in(client, "nobody@example.org", "wrong password here")
    assert response.status_code == 429
    assert "Too many requests" in text(response)
    # Another address is not held back by this one's attempts.
    other = app.test_client()
    page = other.get("/admin/login", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert page.status_code == 200


def test_passwords_hashed_with_old_parameters_are_upgraded_at_login(app, client, moderator):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    with app.app_context():
        db.session.get(AdminUser, moderator).password_hash = weak.hash(PASSWORD)
        db.session.commit()
    assert log_in(client, "sam.rivers@example.org").status_code == 302
    new_hash = _user(app, moderator).password_hash
    assert not passwords.needs_rehash(new_hash)
    assert passwords.verify_password(new_hash, PASSWORD)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/audit?action=login", "/admin/audit?action=login"),
        ("/admin/", "/admin/"),
        ("/admin", "/admin"),
        ("https://evil.example/admin/", None),
        ("//evil.example/admin/", None),
        ("/\\evil.example/admin/", None),
        ("/admin/../en/", None),
        ("/en/p/test/", None),
        ("/administrator", None),
        ("/admin/login?next=/admin/", None),
        ("/admin/\tx", None),
        ("", None),
        (None, None),
    ],
)
def test_only_local_admin_paths_are_followed_after_login(target, expected):
    assert safe_admin_next(target) == expected


def test_login_follows_a_safe_next_and_ignores_an_unsafe_one(client, moderator):
    response = log_in(client, "sam.rivers@example.org", next="/admin/account/password")
    assert response.headers["Location"] == "/admin/account/password"
    client.post("/admin/logout", data={"csrf_token": token_for(client)})
    response = log_in(client, "sam.rivers@example.org", next="https://evil.example/")
    assert response.headers["Location"] == "/admin/"


def test_anonymous_visit_comes_back_after_login(client, moderator):
    response = client.get("/admin/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/account/password"


def test_logout_is_post_only(client, moderator):
    log_in(client, "sam.rivers@example.org")
    assert client.get("/admin/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


def test_a_logged_out_session_cookie_no_longer_works(app, client, moderator):
    log_in(client, "sam.rivers@example.org")
    assert client.get("/admin/").status_code == 200
    stolen = client.get_cookie("petition_session").value

    response = client.post("/admin/logout", data={"csrf_token": token_for(client)})
    assert response.headers["Location"] == "/admin/login"
    assert "You are logged out." in text(client.get("/admin/login"))
    assert len(_events(app, "logout")) == 1

    replay = app.test_client()
    replay.set_cookie("petition_session", stolen)
    response = replay.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_changing_the_password_ends_other_sessions(app, moderator):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "sam.rivers@example.org")
    log_in(phone, "sam.rivers@example.org")
    page = laptop.get("/admin/account/password")
    response = laptop.post(
        "/admin/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase for sam",
            "confirm": "a brand new passphrase for sam",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    assert "You were logged out everywhere else" in text(laptop.get("/admin/"))
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/").status_code == 302
    assert (
        log_in(phone, "sam.rivers@example.org", "a brand new passphrase for sam").status_code == 302
    )
    assert len(_events(app, "account.password_change")) == 1


def test_idle_sessions_end(app, client, moderator):
    log_in(client, "sam.rivers@example.org")
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - 61 * 60
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    assert "after a period of inactivity" in text(client.get(response.headers["Location"]))
    assert client.get("/admin/").status_code == 302


def test_activity_keeps_a_session_alive(app, client, moderator):
    log_in(client, "sam.rivers@example.org")
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - 59 * 60
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        assert session[SEEN_AT] >= int(time.time()) - 5


def test_sessions_end_after_the_absolute_limit_even_when_active(app, client, moderator):
    log_in(client, "sam.rivers@example.org")
    with client.session_transaction() as session:
        session[LOGIN_AT] = int(time.time()) - 12 * 3600 - 60
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "time limit" in text(client.get(response.headers["Location"]))


def test_login_page_language_follows_the_browser_or_the_choice(client, moderator):
    french = client.get("/admin/login", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr-CA"' in text(french)
    assert "Se connecter" in text(french) or "Connexion" in text(french)
    chosen = client.get("/admin/login?lang=en", headers={"Accept-Language": "fr-CA"})
    assert '<html lang="en-CA"' in text(chosen)
    assert 'href="/admin/login?lang=fr"' in text(chosen)
    # A failure is reported in the chosen language too.
    response = client.post(
        "/admin/login?lang=fr",
        data={"email": "nobody@example.org", "password": "x" * 20, "csrf_token": token_for(client)},
    )
    assert "Le courriel ou le mot de passe est incorrect." in _error_summary(response)


def test_no_account_exists_until_someone_creates_one(app):
    with app.app_context():
        assert db.session.scalars(select(AdminUser)).all() == []


def test_a_wrong_password_after_the_lock_expires_starts_a_new_series(app, client, moderator):
    for _attempt in range(LOCKOUT_ATTEMPTS):
        log_in(client, "sam.rivers@example.org", "not the password at all")
    assert _user(app, moderator).failed_login_count == LOCKOUT_ATTEMPTS
    with app.app_context():
        db.session.get(AdminUser, moderator).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    log_in(client, "sam.rivers@example.org", "not the password at all")
    user = _user(app, moderator)
    # One wrong password after the lock is one, not a sixth: the account is not locked again.
    assert user.failed_login_count == 1
    assert not user.is_locked()
    assert log_in(client, "sam.rivers@example.org", PASSWORD).status_code == 302
