"""Wrong passwords for one account sent all at once, against a real gunicorn.

Several workers and threads check the passwords in parallel: every wrong one is counted, the
account locks at the limit (once), and what comes after the lock is refused as locked. Reading
the count into Python and writing it back (`count += 1`) lost most of them: 12 parallel wrong
passwords left the count at 3 and the account open.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from petition.accounts.models import AdminUser
from petition.accounts.services import LOCKOUT_ATTEMPTS
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.extensions import db
from tests.factories import ADMIN_PASSWORD, make_admin_user
from tests.faults.live import Browser, hidden_value

pytestmark = pytest.mark.slow

EMAIL = "lockout.storm@coalition.example"
FAILURE = "The email address or password is not right."
WRONG = "not the password at all"


def _fire(port: int, attempts: int, password: str = WRONG) -> list[int]:
    """Log in `attempts` times at the same moment, each from a browser of its own."""
    browsers = [Browser(port) for _ in range(attempts)]
    tokens = [hidden_value(b.get("/admin/login").body, "csrf_token") for b in browsers]
    start = threading.Barrier(attempts)

    def attempt(n: int):
        start.wait()
        data = {"email": EMAIL, "password": password, "csrf_token": tokens[n]}
        return browsers[n].post("/admin/login", data)

    with ThreadPoolExecutor(attempts) as pool:
        replies = list(pool.map(attempt, range(attempts)))
    for reply in replies:
        assert FAILURE in reply.body, reply.status
    return [reply.status for reply in replies]


def _state(app) -> tuple[AdminUser, Counter, int]:
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == EMAIL))
        db.session.expunge(user)
        failures = Counter(
            event.details["reason"]
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "login_failed")
            )
        )
        lockouts = len(
            db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == "lockout")).all()
        )
    return user, failures, lockouts


def test_parallel_wrong_passwords_are_all_counted_and_lock_the_account_once(make_app, serve):
    app = make_app()
    with app.app_context():
        make_admin_user(EMAIL, role="moderator")
        db.session.commit()
    server = serve(workers=2, threads=6)

    # Fewer than the limit, all at once: each one counts, the account stays open.
    assert _fire(server.port, LOCKOUT_ATTEMPTS - 1) == [200] * (LOCKOUT_ATTEMPTS - 1)
    user, failures, lockouts = _state(app)
    assert user.failed_login_count == LOCKOUT_ATTEMPTS - 1
    assert user.locked_until is None and lockouts == 0

    # Eight more at once: one of them reaches the limit and locks; the others count as locked.
    _fire(server.port, 8)
    user, failures, lockouts = _state(app)
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert lockouts == 1
    assert user.failed_login_count == LOCKOUT_ATTEMPTS
    assert failures == {"wrong_password": LOCKOUT_ATTEMPTS, "locked": 12 - LOCKOUT_ATTEMPTS}

    # Locked: the right password is refused too.
    _fire(server.port, 1, ADMIN_PASSWORD)
