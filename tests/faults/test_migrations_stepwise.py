"""Every migration, one step at a time: up, down, up again, leaving the schema exactly as before.

tests/test_migrations.py checks head against the models and a full round trip; this walks the
chain revision by revision, so a downgrade that forgets an index or a constraint is caught at
the step that forgets it, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from petition import create_app
from petition.config import settings_for_tests
from petition.directory.search import is_search_index
from petition.extensions import db, migrate
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow


def _schema() -> dict:
    """Describe every table: columns, keys, indexes and constraints (names included)."""
    inspector = inspect(db.engine)
    described = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "checks": sorted(c["name"] or "" for c in inspector.get_check_constraints(table)),
        }
    if db.engine.dialect.name == "postgresql":
        # Enum types outlive their tables unless a downgrade drops them.
        enums = sorted((e["name"], tuple(e["labels"])) for e in inspector.get_enums())
        if enums:
            described["(enum types)"] = enums
    return described


def _revisions() -> list[str]:
    """Return revision ids from the first to head."""
    script = ScriptDirectory.from_config(migrate.get_config())
    ordered = [r.revision for r in script.walk_revisions("base", "heads")]
    return list(reversed(ordered))


def test_each_revision_goes_down_and_up_again_exactly(empty_database_url):  # noqa: F811
    app = create_app(settings_for_tests(empty_database_url))
    with app.app_context():
        revisions = _revisions()
        assert len(revisions) >= 1
        before = {"base": _schema()}
        previous = "base"
        for revision in revisions:
            upgrade(revision=revision)
            after = _schema()
            downgrade(revision=previous)
            assert _schema() == before[previous], f"downgrade of {revision} is not exact"
            upgrade(revision=revision)
            assert _schema() == after, f"upgrade of {revision} is not repeatable"
            before[revision] = after
            previous = revision

        # At head the migrations describe the models exactly.
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
            assert compare_metadata(context, db.metadata) == []

        # And all the way down, one step at a time.
        for revision, older in zip(reversed(revisions), ["base", *revisions][-2::-1], strict=True):
            downgrade(revision=older)
            assert _schema() == before[older], f"stepping down from {revision}"
        assert _schema() == {}
        db.engine.dispose()
