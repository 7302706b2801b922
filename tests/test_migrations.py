"""Migrations build the schema from empty, match the models, and go down and up again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from petition import create_app
from petition.config import settings_for_tests
from petition.directory.search import is_search_index
from petition.extensions import db

ROOT = Path(__file__).resolve().parent.parent


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
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                # Made by hand, outside the metadata (petition/directory/search.py).
                "include_name": lambda name, type_, parent: not is_search_index(name),
            },
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


# One upgrade, started when the file named in argv[1] appears: both processes have loaded the
# app by then, so their upgrades really begin together.
UPGRADE_ON_SIGNAL = """
import sys, time
from pathlib import Path
from flask_migrate import upgrade
from petition import create_app
app = create_app()
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
with app.app_context():
    upgrade()
"""


def test_two_upgrades_at_once_both_succeed(empty_database_url, tmp_path):
    """A deploy may run `flask db upgrade` on two servers at once: they take turns."""
    env = {
        **os.environ,
        "PETITION_ENV": "development",
        "SECRET_KEY": "two-upgrades-test",
        "DATABASE_URL": empty_database_url,
        "PYTHONPATH": str(ROOT),
    }
    go = tmp_path / "go"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_ON_SIGNAL, str(go)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # Both have loaded the app and are waiting (it takes about a second).
    go.touch()
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    app = create_app(settings_for_tests(empty_database_url))
    with app.app_context():
        assert _differences(app) == []
        heads = db.session.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(heads) == 1
        db.session.remove()
        db.engine.dispose()


def _row_for(table, **values) -> dict:
    """Return a row for a reflected table: `values`, and a plain value for every other
    required column (the columns of a past revision, whatever they were)."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            python_type = str
        row[column.name] = {
            bool: False,
            int: 0,
            datetime: datetime(2026, 1, 1, tzinfo=UTC),
        }.get(python_type, "")
    return row


def test_upgrading_keeps_the_endorsements_counts_and_search_index(empty_database_url):
    """Later migrations rebuild tables on SQLite (batch mode): no endorsement may be lost to
    ON DELETE CASCADE (dropping the old `platform` table), and the count table and the search
    index keep following the rows."""
    from sqlalchemy import MetaData, Table

    app = create_app(settings_for_tests(empty_database_url))
    with app.app_context():
        upgrade(revision="d7a3b9c1e5f2")
        meta = MetaData()
        platform = Table("platform", meta, autoload_with=db.engine)
        endorsement = Table("endorsement", meta, autoload_with=db.engine)
        with db.engine.begin() as conn:
            platform_id = conn.execute(
                platform.insert().returning(platform.c.id),
                _row_for(platform, slug="kept", status="published", version_label="1.0"),
            ).scalar_one()
            for n in range(3):
                conn.execute(
                    endorsement.insert(),
                    _row_for(
                        endorsement,
                        platform_id=platform_id,
                        kind="organization",
                        status="approved",
                        province="ON",
                        locale="en",
                        org_type="community",
                        source="web",
                        email=f"kept{n}@example.org",
                        email_canonical=f"kept{n}@example.org",
                        org_name=f"Harbour Group {n}",
                        search_key=f"harbour group {n}",
                    ),
                )
        upgrade()
        with db.engine.begin() as conn:
            assert conn.scalar(text("SELECT count(*) FROM endorsement")) == 3
            assert conn.scalar(text("SELECT sum(n) FROM endorser_count")) == 3
            conn.execute(
                text(
                    "UPDATE endorsement SET status = 'withdrawn' WHERE org_name = 'Harbour Group 0'"
                )
            )
            assert conn.scalar(text("SELECT sum(n) FROM endorser_count")) == 2
        with app.test_request_context():
            from petition.directory import services
            from petition.platforms.services import get_public_platform

            found = services.iter_listed(
                get_public_platform("kept"), services.Filters(q="harb"), "en"
            )
            assert len(list(found)) == 2
        db.session.remove()
        db.engine.dispose()
