"""Migrations build the schema from empty, match the models, and go down and up again."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from petition import create_app
from petition.config import settings_for_tests
from petition.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database of the kind under test: a new SQLite file, or a new PostgreSQL DB."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(server_url)
    name = f"petition_migrations_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_models_and_round_trips(empty_database_url):
    app = create_app(settings_for_tests(empty_database_url))
    with app.app_context():
        upgrade()
        assert _differences(app) == []
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade()
        assert _differences(app) == []
        db.engine.dispose()
