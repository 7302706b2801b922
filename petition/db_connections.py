"""Database connections that survive the database: pool settings and one retry per request.

A PostgreSQL server restarts, fails over, or has a connection killed (`pg_terminate_backend`,
an idle timeout in a pooler or firewall). Two things keep that from becoming server errors:

- The pool tests a connection before lending it (`pool_pre_ping`) and replaces connections
  older than DATABASE_POOL_RECYCLE seconds, so a connection that died while idle is never
  handed to a request.
- A connection that dies while a request is using it (the pre-ping passed, then the server
  went away) raises an error that SQLAlchemy marks `connection_invalidated`. Nothing that
  request wrote was committed (the transaction died with the connection), so the view runs
  once more, on a fresh connection. Uploads are not retried (their file was read already).
- A connection that dies after the view, while the request's (read) transaction is being
  ended, is dropped quietly: the answer is ready and nothing was left to save.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, request
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from .extensions import db


def engine_options(database_url: str, pool_settings: dict[str, int]) -> dict:
    """Return SQLAlchemy engine options for the database at `database_url`."""
    if make_url(database_url).get_backend_name() != "postgresql":
        # SQLite: a file on this machine, nothing to reconnect to.
        return {}
    return {
        "pool_pre_ping": True,
        "pool_recycle": pool_settings["DATABASE_POOL_RECYCLE"],
        "pool_size": pool_settings["DATABASE_POOL_SIZE"],
        "max_overflow": pool_settings["DATABASE_MAX_OVERFLOW"],
        "pool_timeout": pool_settings["DATABASE_POOL_TIMEOUT"],
        "connect_args": {"connect_timeout": pool_settings["DATABASE_CONNECT_TIMEOUT"]},
    }


# A failover or a restart cuts every connection at once; a request may meet two of them.
RETRIES = 2


def _lost_connection(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def retry_on_lost_connection(view):
    """Run `view` again (up to RETRIES times) if the database connection it used died under it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        for attempt in range(RETRIES + 1):
            try:
                return view(*args, **kwargs)
            except DBAPIError as error:
                if not _lost_connection(error) or attempt == RETRIES:
                    raise
                db.session.rollback()
                # An uploaded file the first run read is read again from its start.
                for upload in request.files.values():
                    upload.stream.seek(0)
        raise AssertionError("unreachable")

    return wrapper


NO_RETRY = "_no_retry_on_lost_connection"


def no_retry(view):
    """Mark a view that commits as it goes (an import): never run it twice."""
    setattr(view, NO_RETRY, True)
    return view


def _close_session(exc: BaseException | None) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (registered later, called earlier), which
    # then finds the session closed.
    try:
        db.session.close()
    except DBAPIError as error:
        if not _lost_connection(error):
            raise


def init_app(app: Flask) -> None:
    """Wrap every view registered so far (call after the blueprints)."""
    app.teardown_appcontext(_close_session)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or getattr(view, NO_RETRY, False):
            continue
        app.view_functions[endpoint] = retry_on_lost_connection(view)
