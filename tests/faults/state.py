"""What the database holds, cheaply, and sessions set up without the cost of a login.

`fingerprint(app)` is one query: every table's row count, plus the latest `updated_at` of tables
that keep one, so "nothing was stored or changed" is a comparison of two small dicts.
"""

from __future__ import annotations

from flask_wtf.csrf import generate_csrf
from sqlalchemy import case, func, select, text, update

from petition.accounts.models import AdminUser
from petition.extensions import db

_fingerprint_sql: dict[str, str] = {}


def _fingerprint_query():
    columns = []
    for table in db.metadata.sorted_tables:
        columns.append(select(func.count()).select_from(table).scalar_subquery().label(table.name))
        if "updated_at" in table.c:
            latest = select(func.max(table.c.updated_at)).scalar_subquery()
            columns.append(latest.label(f"{table.name}.updated_at"))
    users = db.metadata.tables["admin_user"]
    # Accounts change in place (role, activity, password, sessions, lockout, language): one
    # number that moves with any of them.
    changes = (
        func.coalesce(func.sum(users.c.session_version), 0)
        + func.count(users.c.locked_until)
        + func.count(case((users.c.active, 1)))
        + 100 * func.count(case((users.c.role == "admin", 1)))
        + 10_000 * func.count(case((users.c.preferred_locale == "fr", 1)))
    )
    columns.append(select(changes).scalar_subquery().label("admin_user.versions"))
    return select(*columns)


def fingerprint(app) -> dict[str, object]:
    """Return row counts of every table (and their latest update, where tracked)."""
    with app.app_context():
        dialect = db.engine.dialect
        if dialect.name not in _fingerprint_sql:
            # Compiled once: building this statement costs more than running it.
            compiled = _fingerprint_query().compile(
                dialect=dialect, compile_kwargs={"literal_binds": True}
            )
            _fingerprint_sql[dialect.name] = str(compiled)
        row = db.session.execute(text(_fingerprint_sql[dialect.name])).one()
        values = dict(row._mapping)
        db.session.remove()
    return values


def changed(before: dict, after: dict) -> dict[str, tuple]:
    """Return what differs between two fingerprints."""
    return {k: (before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)}


def csrf_for(app, client, **request) -> str:
    """Return a valid CSRF token for this client's session (creating the session's secret).

    `request` (e.g. base_url=...) says which site's cookie to use, as for a test request.
    """
    # generate_csrf reads and writes the session of the current request context: give it the
    # client's session, then keep whatever it stored there.
    with client.session_transaction(**request) as session, app.test_request_context():
        from flask import session as request_session

        request_session.update(session)
        token = generate_csrf()
        session.update(request_session)
    return token


def log_in_directly(app, client, email: str, lang: str | None = None, **request) -> None:
    """Put a fresh admin login in the client's session, as a successful login would.

    For tests that log in hundreds of times (fuzzing): the login form costs a password hash
    each time. Access checks, session versions and idle limits still run on every request.
    """
    import time

    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
        if lang is not None and user.preferred_locale != lang:
            db.session.execute(
                update(AdminUser).where(AdminUser.id == user.id).values(preferred_locale=lang)
            )
            db.session.commit()
        session_id = user.get_id()
        db.session.remove()
    now = int(time.time())
    with client.session_transaction(**request) as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session["admin_login_at"] = now
        session["admin_seen_at"] = now
