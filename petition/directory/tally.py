"""The count table: approved endorsements per platform, kind, listing, province, type, by-and-for.

Every count the public pages show ("N endorsers", per kind, per province for any filter) is a
sum over at most a few hundred rows of `endorser_count`, read by its primary key's range for the
platform: one indexed read, whatever the list's length. Database triggers keep it in step with
`endorsement`, in the same transaction as every change that can move a count (an approval, a
withdrawal, a deletion, an edit of the kind, display mode, province, type or by-and-for), so no
code path can forget it and a rolled-back change rolls its count back too.

Sign-ons never touch it (they are not approved yet): the table's rows are contended only by
moderators' approvals, one short update each.

The triggers are not part of the SQLAlchemy metadata: `install` creates them (after the table,
from `db.create_all()` and from the migration). On SQLite, a table rebuild of `endorsement`
(Alembic's batch mode) drops them: a migration that rebuilds it must call `install` again.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# NULL display modes (organizations) must give FALSE, not NULL: it is a key column.
_LISTED = "COALESCE({row}.kind = 'organization' OR {row}.display_mode IN "
_LISTED += "('full_name', 'first_initial', 'descriptor'), FALSE)"
_KEY_COLUMNS = "platform_id, kind, listed, province, org_type, by_and_for"


class EndorserCount(db.Model):
    """How many approved endorsements share one combination of what the public filters read."""

    __tablename__ = "endorser_count"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    # On the public list (an organization, or an individual who chose to be shown).
    listed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    province: Mapped[str] = mapped_column(String(10), primary_key=True)
    # "" for individuals (a key column cannot be NULL).
    org_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    by_and_for: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


def _values(row: str) -> str:
    return (
        f"{row}.platform_id, {row}.kind, {_LISTED.format(row=row)}, {row}.province, "
        f"COALESCE({row}.org_type, ''), COALESCE({row}.by_and_for, FALSE)"
    )


def _matches(row: str) -> str:
    return (
        f"platform_id = {row}.platform_id AND kind = {row}.kind "
        f"AND listed = {_LISTED.format(row=row)} AND province = {row}.province "
        f"AND org_type = COALESCE({row}.org_type, '') "
        f"AND by_and_for = COALESCE({row}.by_and_for, FALSE)"
    )


_WATCHED = "status, kind, display_mode, province, org_type, by_and_for, platform_id"
_ADD = (
    f"INSERT INTO endorser_count ({_KEY_COLUMNS}, n) SELECT {_values('new')}, 1 "
    f"WHERE new.status = 'approved' "
    f"ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET n = endorser_count.n + 1"
)
_REMOVE_SQLITE = (
    "UPDATE endorser_count SET n = n - 1 WHERE old.status = 'approved' AND "  # noqa: S608
    + _matches("old")
)

SQLITE_DDL = (
    "CREATE TRIGGER IF NOT EXISTS endorser_count_insert AFTER INSERT ON endorsement "
    f"WHEN new.status = 'approved' BEGIN {_ADD}; END",
    "CREATE TRIGGER IF NOT EXISTS endorser_count_delete AFTER DELETE ON endorsement "
    f"WHEN old.status = 'approved' BEGIN {_REMOVE_SQLITE}; END",
    f"CREATE TRIGGER IF NOT EXISTS endorser_count_update AFTER UPDATE OF {_WATCHED} "
    "ON endorsement WHEN old.status = 'approved' OR new.status = 'approved' "
    f"BEGIN {_REMOVE_SQLITE}; {_ADD}; END",
)
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS endorser_count_{event}" for event in ("insert", "delete", "update")
)

POSTGRESQL_DDL = (
    # No user values anywhere in this module's SQL: every piece is a constant.
    "CREATE OR REPLACE FUNCTION endorser_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
    "BEGIN "
    "IF TG_OP <> 'INSERT' AND OLD.status = 'approved' THEN "
    f"UPDATE endorser_count SET n = n - 1 WHERE {_matches('OLD')}; "
    "END IF; "
    "IF TG_OP <> 'DELETE' AND NEW.status = 'approved' THEN "
    f"{_ADD.replace('new.', 'NEW.')}; "
    "END IF; "
    "RETURN NULL; "
    "END $$",
    "DROP TRIGGER IF EXISTS endorser_count_change ON endorsement",
    "CREATE TRIGGER endorser_count_change AFTER INSERT OR DELETE OR UPDATE OF "
    f"{_WATCHED} ON endorsement FOR EACH ROW EXECUTE FUNCTION endorser_count_apply()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS endorser_count_change ON endorsement",
    "DROP FUNCTION IF EXISTS endorser_count_apply()",
)

# Counts what is already there (a migration on an existing database).
RECOUNT = (
    "DELETE FROM endorser_count",
    f"INSERT INTO endorser_count ({_KEY_COLUMNS}, n) SELECT {_values('e')}, count(*) "  # noqa: S608
    "FROM endorsement e WHERE e.status = 'approved' GROUP BY 1, 2, 3, 4, 5, 6",
)


def install(connection) -> None:
    """Create the triggers that keep `endorser_count` in step, and count what exists."""
    sqlite = connection.dialect.name == "sqlite"
    for statement in (*(SQLITE_DDL if sqlite else POSTGRESQL_DDL), *RECOUNT):
        connection.execute(text(statement))


def uninstall(connection) -> None:
    """Drop the triggers (a migration's downgrade; the table goes with the metadata)."""
    sqlite = connection.dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRESQL_DROP:
        connection.execute(text(statement))
