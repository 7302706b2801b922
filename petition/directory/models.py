"""Indexes that serve the public endorser list (the rows themselves are `Endorsement`s).

They live here, next to the queries they serve (`services.py`), rather than in the endorsement
model: a change to either should be made with the other in view.

Each list index starts with what every list query fixes (platform, status), then its order,
then every column a filter or the "who is listed" rule reads. Queries then never leave the
index for the table (SQLite reports "USING COVERING INDEX"): a deep page skips index entries,
not rows, and a count or a search reads a narrow index instead of the wide table. Measured at
100,000 approved endorsements: see `bench/directory.py`.
"""

from __future__ import annotations

from sqlalchemy import DDL, Index, event, false

from ..endorsements.models import Endorsement
from . import search, tally
from .tally import EndorserCount

_t = Endorsement.__table__
# Read by the listing rule, the filters and the search.
_COVERED = (
    _t.c.kind,
    _t.c.display_mode,
    _t.c.province,
    _t.c.org_type,
    _t.c.by_and_for,
    _t.c.search_key,
)

# The list sorted by name in each language; `id` breaks ties between equal names.
Index(
    "ix_endorsement_directory_name_en",
    _t.c.platform_id,
    _t.c.status,
    _t.c.sort_key_en,
    _t.c.id,
    *_COVERED,
)
Index(
    "ix_endorsement_directory_name_fr",
    _t.c.platform_id,
    _t.c.status,
    _t.c.sort_key_fr,
    _t.c.id,
    *_COVERED,
)
# The list sorted by date endorsed (newest first: read backwards), the feed, and the most
# recent organizations on the platform page.
Index(
    "ix_endorsement_directory_date",
    _t.c.platform_id,
    _t.c.status,
    _t.c.approved_at,
    _t.c.id,
    *_COVERED,
)
# The list narrowed to a province or territory, in any order: its entries are read in one
# short range, then sorted (the name and date indexes above would walk the whole list to find
# the few in, say, Nunavut). Kind, type and by-and-for narrow the range further.
Index(
    "ix_endorsement_directory_province",
    _t.c.platform_id,
    _t.c.status,
    _t.c.province,
    _t.c.kind,
    _t.c.org_type,
    _t.c.by_and_for,
    _t.c.display_mode,
    _t.c.sort_key_en,
    _t.c.sort_key_fr,
    _t.c.approved_at,
    _t.c.id,
)
# Counts: in total, per kind, per province or territory, for any filter. Kind comes first so
# that "individuals only" reads a range of it rather than checking every row.
Index(
    "ix_endorsement_directory_counts",
    _t.c.platform_id,
    _t.c.status,
    *_COVERED,
)
# Substring search on the folded names, for the moderators' queue (the public list searches
# word starts through the full-text index of search.py). PostgreSQL: a trigram GIN index serves
# `search_key LIKE '%ile%'` for any platform. SQLite has no index that can serve a substring
# search, so there this index is declared empty (a partial index whose condition is always
# false): it costs nothing on writes and keeps the models and the migrations identical on both
# databases.
Index(
    "ix_endorsement_search_key_trgm",
    _t.c.search_key,
    postgresql_using="gin",
    postgresql_ops={"search_key": "gin_trgm_ops"},
    sqlite_where=false(),
)

# `db.create_all()` (tests, first run) needs the trigram operator class before that index.
event.listen(
    _t,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


# The full-text search index (search.py) lives outside the metadata: made with the table.
@event.listens_for(_t, "after_create")
def _create_search_index(target, connection, **kw):
    search.install(connection)


@event.listens_for(_t, "before_drop")
def _drop_search_index(target, connection, **kw):
    search.uninstall(connection)


# The triggers that keep the count table in step (tally.py), made and dropped with it.
@event.listens_for(EndorserCount.__table__, "after_create")
def _create_count_triggers(target, connection, **kw):
    tally.install(connection)


@event.listens_for(EndorserCount.__table__, "before_drop")
def _drop_count_triggers(target, connection, **kw):
    tally.uninstall(connection)


_TRIGGERS = {
    search.FTS_TABLE: (search, ("insert", "delete", "update")),
    EndorserCount.__tablename__: (tally, ("insert", "delete", "update")),
}


def restore_sqlite_triggers(connection) -> list[str]:
    """Recreate the triggers of the search index and the count table where a table rebuild of
    `endorsement` dropped them (SQLite's batch mode in any migration); return what was redone.

    The migrations run it after every upgrade on SQLite (migrations/env.py), so a migration
    written without them in mind cannot leave counts or search silently stale.
    """
    existing = {name for (name,) in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    restored = []
    for table, (module, events) in _TRIGGERS.items():
        wanted = {f"{table}_{event}" for event in events}
        if "endorsement" in existing and table in existing and not wanted <= existing:
            module.install(connection)
            restored.append(table)
    return restored
