"""A client that reads a streamed response slowly (or stops reading) must not stall the site.

On SQLite one writer at a time holds the write lock: if a streamed download (an export, a feed)
generated its body in a write transaction, every sign-on would wait for the slowest reader and
fail after the busy timeout. Every public GET route that streams is opened and left unread while
someone signs on; a route made for the test shows the mechanism even before any such route
exists.
"""

from __future__ import annotations

import sqlite3

from flask import Response, stream_with_context
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from petition.endorsements.models import Endorsement
from petition.extensions import db
from tests.faults.routes import public_get_routes
from tests.faults.world import build_world
from tests.signon import sign


def _slow_export(app) -> None:
    """Add a route that streams one line per endorsement, as an export does."""

    @app.get("/<lang:lang>/test-only/slow-export")
    def slow_export():
        def lines():
            for endorsement in db.session.scalars(select(Endorsement)):
                yield f"{endorsement.id}\n"

        return Response(stream_with_context(lines()), mimetype="text/plain")


def _writer_is_blocked(database_url: str) -> bool:
    """Say whether another connection, right now, cannot start writing within a second."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database, timeout=1, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
        return False
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '1s'")
            conn.exec_driver_sql("UPDATE endorsement SET city = city")
            conn.rollback()
    except OperationalError:
        return True
    finally:
        engine.dispose()
    return False


def test_an_unread_response_never_blocks_writers(make_app, database_url):
    app = make_app()
    _slow_export(app)
    world = build_world(app)
    urls = ["/en/test-only/slow-export"]
    for route in public_get_routes(app):
        if "token" not in route.arguments:
            urls.append(route.url({**world.url_values(), "lang": "fr"}))
    reader = app.test_client()
    signer = app.test_client()
    for n, url in enumerate(urls):
        response = reader.get(url)
        try:
            # The reader got its first bytes and stops reading for a while.
            next(iter(response.response), None)
            assert not _writer_is_blocked(database_url), url
            reply = sign(signer, world.slug, email=f"while-reading-{n}@example.org")
            assert reply.status_code == 303, (url, reply.status_code)
        finally:
            response.close()
