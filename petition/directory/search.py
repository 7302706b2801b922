"""Full-text search of the public list, from a real index on each engine, with the same results.

What is searched is `Endorsement.search_key`: the public names in both languages, already
folded in Python (`naming.fold`: lower case, no accents, apostrophes and punctuation turned to
spaces). Folding once, in Python, for both engines is what makes their results identical: each
database only splits the folded key into words and finds words that start with each searched
word ("ile" finds "L'Île aux usagers", "reseau pair" finds "Réseau des pairs aidants").
Underscores separate words too. Results are then sorted as the list is (by name or by date).

- SQLite: an FTS5 table (`endorsement_fts`, external content: it stores only the index, read
  from `endorsement.search_key`) with the `unicode61 remove_diacritics 2` tokenizer and prefix
  indexes for word starts of 1 to 3 letters; triggers keep it in step with every insert, update
  and delete of an endorsement, in the same transaction.
- PostgreSQL: a GIN index on the folded key split into words (`array_to_tsvector`: the words
  as lexemes, exactly as Python folded them, so no stemming and no parser of its own), searched
  with prefix queries (`'ile':* & 'aux':*`). PostgreSQL keeps it in step itself.

Neither object is part of the SQLAlchemy metadata (neither can be described portably there):
`install` creates them after `endorsement` (from `db.create_all()` and from the migration), and
`is_search_index` tells Alembic's comparison to leave them alone. On SQLite a table rebuild of
`endorsement` (Alembic's batch mode) drops the triggers: a migration that rebuilds it must call
`install` again (tests/directory/test_search_index.py checks the triggers after upgrade).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, text

# Written out in the SQL below too.
FTS_TABLE = "endorsement_fts"
PG_INDEX = "ix_endorsement_search_words"
# The words of the folded key; the same expression in the index and in every query, so that
# PostgreSQL matches one to the other.
_PG_WORDS = "array_to_tsvector(array_remove(regexp_split_to_array({column}, '[ |_]+'), ''))"

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS endorsement_fts USING fts5(search_key, "
    "content='endorsement', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER IF NOT EXISTS endorsement_fts_insert AFTER INSERT ON endorsement BEGIN "
    "INSERT INTO endorsement_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS endorsement_fts_delete AFTER DELETE ON endorsement BEGIN "
    "INSERT INTO endorsement_fts(endorsement_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS endorsement_fts_update AFTER UPDATE OF search_key ON endorsement "
    "BEGIN INSERT INTO endorsement_fts(endorsement_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO endorsement_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    # Index what is already there (a migration on an existing database).
    "INSERT INTO endorsement_fts(endorsement_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS endorsement_fts_insert",
    "DROP TRIGGER IF EXISTS endorsement_fts_delete",
    "DROP TRIGGER IF EXISTS endorsement_fts_update",
    "DROP TABLE IF EXISTS endorsement_fts",
)
POSTGRESQL_DDL = (
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON endorsement "
    f"USING gin (({_PG_WORDS.format(column='search_key')}))",
)
POSTGRESQL_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def install(connection) -> None:
    """Create the search index of `endorsement` on this connection's database (idempotent)."""
    ddl = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRESQL_DDL
    for statement in ddl:
        connection.exec_driver_sql(statement)


def uninstall(connection) -> None:
    """Drop the search index (a migration's downgrade)."""
    ddl = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRESQL_DROP
    for statement in ddl:
        connection.exec_driver_sql(statement)


def is_search_index(name: str | None) -> bool:
    """Say whether a table or index name is part of the search index (not in the metadata)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


def matches(words: list[str], dialect: str) -> ColumnElement[bool]:
    """Return the condition "every word starts a word of the endorsement's folded names".

    `words` come from `queries.search_words`: folded, so only letters and digits.
    """
    if dialect == "sqlite":
        # FTS5 query syntax: each word quoted (a double quote doubled), `*` for "starts with".
        query = " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)
        return text(
            "endorsement.id IN "
            "(SELECT rowid FROM endorsement_fts WHERE endorsement_fts MATCH :words)"
        ).bindparams(words=query)
    # tsquery syntax: each word quoted as a lexeme (a quote or backslash escaped), `:*` for
    # a prefix; read as written (a cast, not to_tsquery, which would parse the words again).
    query = " & ".join(
        "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words
    )
    return text(
        f"{_PG_WORDS.format(column='endorsement.search_key')} @@ CAST(:words AS tsquery)"
    ).bindparams(words=query)
