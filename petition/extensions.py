"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Constraint names are stable and predictable, so migrations can drop and alter them by name
# on every database (SQLite batch mode needs names, PostgreSQL invents its own otherwise).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class _LazyMigrate:
    """Flask-Migrate, loaded only when something asks for it (`flask db ...`, `upgrade()`).

    Flask-Migrate brings in Alembic, 11 MB in every web worker that never runs a migration.
    `init_app` registers the `flask db` commands and the migration settings without importing
    either; the first use loads them and binds the real extension.
    """

    options = {"compare_type": True, "render_as_batch": True}

    def init_app(self, app, db, directory: str) -> None:
        app.extensions["migrate"] = _PendingMigrateConfig(app, db, directory)
        app.cli.add_command(_LazyCommandGroup("db", help="Database migrations (Alembic)."))

    def get_config(self, *args, **kwargs):
        """Return the Alembic configuration, as Flask-Migrate's own `get_config` does."""
        from flask import current_app

        return current_app.extensions["migrate"].migrate.get_config(*args, **kwargs)


class _PendingMigrateConfig:
    """Stands in app.extensions["migrate"] until Flask-Migrate is needed, then binds it."""

    def __init__(self, app, db, directory: str):
        self._app, self._db, self._directory = app, db, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(**_LazyMigrate.options).init_app(self._app, self._db, self._directory)
        return getattr(self._app.extensions["migrate"], name)


class _LazyCommandGroup(click.Group):
    """`flask db`: Flask-Migrate's command group, imported when the command runs."""

    def _real(self) -> click.Group:
        from flask_migrate.cli import db as group

        return group

    def make_context(self, info_name, args, parent=None, **extra):
        # From here on the real group parses the arguments and runs.
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._real().get_command(ctx, name)


migrate = _LazyMigrate()
babel = Babel()
csrf = CSRFProtect()
mail = Mail()
login_manager = LoginManager()


def _rate_limit_key() -> str:
    from .ratelimit import client_key

    return client_key()


# Bound by `ratelimit.init_app`. Its storage is always the failover store ("failover://",
# petition.ratelimit.storage), which wraps RATELIMIT_STORAGE_URI; keys hold IP hashes.
limiter = Limiter(key_func=_rate_limit_key, storage_uri="failover://")

# SQLite only: how long a statement waits for a lock another connection holds.
SQLITE_BUSY_SECONDS = 10
# SQLite only: whether the next transaction on this thread/task will write. Readers begin a
# plain deferred transaction; writers take the write lock up front ("BEGIN IMMEDIATE") so two
# writers queue (see _begin_immediate) instead of failing with "database is locked" when a
# read lock cannot be upgraded.
sqlite_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN, instead of pysqlite's own guesswork.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:
        # WAL lets readers carry on while one writer commits (file databases only).
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _wants_write_lock() -> bool:
    from flask import has_request_context, request

    # A streamed response's body (a long export, say) is generated after Flask has run its
    # request's teardown, which resets the intent: checked here, a GET's body still only
    # reads, and a slow download never holds the write lock that every sign-on waits for.
    if has_request_context() and request.method in {"GET", "HEAD"}:
        return False
    return sqlite_write_intent.get()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    write = _wants_write_lock()
    # Kept for whoever needs to know whether this connection's transaction holds the lock
    # (the database rate-limit store: see ratelimit.storage).
    conn.info["sqlite_write_lock"] = write
    if write:
        _begin_immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn) -> None:
    """Take SQLite's write lock, trying again every millisecond or two while another has it.

    SQLite's own busy handler sleeps longer and longer between tries (up to 100 ms at a time),
    so under a burst of sign-ons the lock often sat free while every waiting writer slept:
    measured, a third of the throughput and second-long tails. Waiting here ends within 2 ms
    of the lock's release. It gives up, as busy_timeout would, after SQLITE_BUSY_SECONDS.
    """
    dbapi = conn.connection.driver_connection
    dbapi.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + SQLITE_BUSY_SECONDS
        pause = 0.0002
        while time.monotonic() < deadline:
            try:
                dbapi.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
        # The last try through SQLAlchemy, so a failure is its usual OperationalError.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")


def init_sqlite_write_intent(app) -> None:
    """Let requests that only read (GET, HEAD) begin deferred transactions on SQLite."""
    from flask import g, request

    @app.before_request
    def _declare_intent():
        g._sqlite_intent = sqlite_write_intent.set(request.method not in {"GET", "HEAD"})

    @app.teardown_request
    def _reset_intent(exc):
        token = g.pop("_sqlite_intent", None)
        if token is not None:
            sqlite_write_intent.reset(token)


@contextmanager
def reading_first() -> Iterator[None]:
    """Run a write request's reads and checks in a read transaction, ended before it writes.

    On SQLite a POST takes the database's single write lock at its first query; a request
    that reads and validates a lot before writing would hold it all that time, and make every
    other writer wait (sleeping in SQLite's busy handler). Inside this block transactions begin
    deferred (shared, no lock); at its end the read transaction is closed, keeping what was
    loaded, and the next query takes the write lock. Elsewhere it changes nothing.
    """
    token = sqlite_write_intent.set(False)
    try:
        yield
    finally:
        sqlite_write_intent.reset(token)
        session = db.session()
        if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
            expire, session.expire_on_commit = session.expire_on_commit, False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire
