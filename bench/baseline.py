"""The floor the real app is measured against: a bare Flask app on the same database engine.

    BASELINE_DATABASE_URL=sqlite:////tmp/petition-bench/petition.sqlite3 \
        gunicorn --workers 2 --threads 4 --bind 127.0.0.1:8001 bench.baseline:app

Two routes, each the least a site can do:
- `GET /` answers a short text (routing, WSGI and HTTP only);
- `POST /sign` parses a small form, checks two fields, inserts a signer and a token row in one
  transaction and redirects (303), as a sign-on must at the very least.

It uses what the real app uses underneath (Flask, SQLAlchemy's engine and pool, the same
driver, SQLite in WAL mode with `synchronous=NORMAL` and writers taking the lock up front), and
nothing above it: no templates, no forms library, no CSRF, no translations, no ORM. Its tables
(`baseline_signer`, `baseline_token`) live beside the app's, in the same database.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
)
from sqlalchemy.exc import DBAPIError

metadata = MetaData()
signer = Table(
    "baseline_signer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("name", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
token = Table(
    "baseline_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("signer_id", ForeignKey("baseline_signer.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
)


def make_engine(url: str):
    """Return an engine set up as the real app sets up its own (WAL, immediate writes)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            assert isinstance(dbapi_connection, sqlite3.Connection)
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # Only this app's one writing route opens transactions.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


engine = make_engine(os.environ.get("BASELINE_DATABASE_URL", "sqlite://"))
try:
    metadata.create_all(engine)
except DBAPIError:
    # Another worker created them between our check and our CREATE (PostgreSQL).
    metadata.create_all(engine)
app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world"


@app.post("/sign")
def sign():
    email = request.form.get("email", "").strip()
    name = request.form.get("name", "").strip()
    if "@" not in email or not name or len(email) > 254 or len(name) > 120:
        return "Enter a name and an email address.", 422
    secret = secrets.token_urlsafe(16)
    with engine.begin() as conn:
        result = conn.execute(
            insert(signer).values(email=email, name=name, created_at=datetime.now(UTC))
        )
        conn.execute(
            insert(token).values(
                signer_id=result.inserted_primary_key[0],
                token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            )
        )
    return redirect("/", 303)
