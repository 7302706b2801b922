"""The full-text search index: the same 200 searches give the same endorsers on both engines.

Each engine answers from its own index (SQLite FTS5, PostgreSQL GIN); both must give exactly
what the rule says, computed here in Python from the rows: every searched word starts a word
of the endorser's folded public names, results in list order. The test always runs on SQLite
(a database of its own) and, when TEST_DATABASE_URL is set, on PostgreSQL too, where it also
compares the two engines' answers directly.
"""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import text

from petition import create_app
from petition.config import settings_for_tests
from petition.directory import fictional, services
from petition.directory.search import FTS_TABLE
from petition.endorsements.models import EndorsementKind, Province
from petition.endorsements.naming import fold
from petition.extensions import db
from tests.directory.endorsers import add_endorsement
from tests.factories import make_platform

SLUG = "search-index"
# Names that test what the generated ones may not: typographic apostrophes, letters that
# NFKD does not decompose, underscores, digits, hyphens, a name in capitals.
TRICKY = [
    "L’Œuvre du Cœur Québécois",
    "Søren & Łukasz Straße Collective",
    "foo_bar Harm-Reduction 24/7",
    "O'Brien Peer Network",
    "ÉCHO-SANTÉ MONTRÉAL",
    "Ça marche à Trois-Rivières",
]


def _words(key: str) -> list[str]:
    return [word for word in re.split(r"[ |_]+", key) if word]


def expected(rows: list[tuple[str, str]], q: str) -> list[str]:
    """Return the search keys the rule finds for `q`, in list order (the oracle)."""
    searched = services.search_words(q)
    return [
        key
        for key, _sort in rows
        if all(any(word.startswith(s) for word in _words(key)) for s in searched)
    ]


def queries(rows: list[tuple[str, str]], count: int = 200) -> list[str]:
    """Return `count` searches: word starts of 1 to 6 letters, whole words, pairs, accents and
    capitals put back, apostrophes, words that match nothing."""
    rng = random.Random(19)
    vocabulary = sorted({w for key, _ in rows for w in _words(key)})
    made = ["ile", "L'ÎLE", "l’oeuvre", "coeur", "soren", "straße", "foo_bar", "24 7",
            "o'brien", "écho santé", "ca marche", "trois rivieres", "zzqx", "q", "e", "é",
            "harm-red"]  # fmt: skip
    accents = str.maketrans("aeiouc", "àéîöüç")
    while len(made) < count:
        word = rng.choice(vocabulary)
        match rng.randrange(5):
            case 0:
                made.append(word[: rng.randint(1, 3)])
            case 1:
                made.append(word.upper())
            case 2:
                made.append(word.translate(accents))
            case 3:
                made.append(f"{word[:4]} {rng.choice(vocabulary)[:3]}")
            case _:
                made.append(f"{word}'s {rng.choice(vocabulary)}")
    return made[:count]


def _answers(app, qs: list[str]) -> tuple[list[tuple[str, str]], dict[str, tuple]]:
    """Return the listed rows (search key, sort key) and, per search, what the app finds:
    the search keys in list order, the count, and counts per province, per kind."""
    with app.app_context():
        platform = services_platform()
        rows = [
            (e.search_key, e.sort_key_en)
            for e in services.iter_listed(platform, services.Filters(), "en")
        ]
        found = {}
        for q in qs:
            filters = services.Filters(q=q)
            keys = [e.search_key for e in services.iter_listed(platform, filters, "en")]
            individuals = services.matching_count(
                platform, services.Filters(q=q, kind=EndorsementKind.INDIVIDUAL)
            )
            provinces = tuple(c.count for c in services.province_counts(platform, filters, "en"))
            found[q] = (keys, services.matching_count(platform, filters), individuals, provinces)
        return rows, found


def services_platform():
    from petition.platforms.services import get_public_platform

    return get_public_platform(SLUG)


def _fill(app) -> None:
    with app.app_context():
        platform = make_platform(SLUG)
        for n, name in enumerate(TRICKY):
            add_endorsement(platform, name, province=list(Province)[n])
        fictional.generate(platform, 1500, seed=7)
        db.session.commit()


@pytest.fixture
def sqlite_app(tmp_path, database_url, make_app):
    """The main test app if it is on SQLite, else an app on a SQLite database of its own."""
    if database_url.startswith("sqlite"):
        yield make_app()
        return
    app = create_app(settings_for_tests(f"sqlite:///{tmp_path / 'search.sqlite3'}"))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_same_searches_find_the_same_endorsers_on_both_engines(
    sqlite_app, database_url, make_app
):
    engines = {"sqlite": sqlite_app}
    if not database_url.startswith("sqlite"):
        engines["postgresql"] = make_app()
    answers = {}
    for name, app in engines.items():
        _fill(app)
        rows, _ = _answers(app, [])
        qs = queries(rows)
        rows, answers[name] = _answers(app, qs)
        for q in qs:
            keys, count, _individuals, provinces = answers[name][q]
            assert keys == expected(rows, q), (name, q)
            assert count == len(keys) == sum(provinces), (name, q)
    assert any(answers["sqlite"][q][0] for q in qs) and not answers["sqlite"]["zzqx"][0]
    if "postgresql" in answers:
        assert answers["postgresql"] == answers["sqlite"]


def test_search_keeps_up_with_changes_in_the_same_transaction(app):
    """A renamed endorser is found by its new name at once; a deleted one is gone."""
    with app.app_context():
        platform = make_platform(SLUG)
        renamed = add_endorsement(platform, "Harbour Light")
        gone = add_endorsement(platform, "Harbour Watch")
        db.session.commit()
        assert [
            e.org_name for e in services.iter_listed(platform, services.Filters(q="harb"), "en")
        ] == [
            "Harbour Light",
            "Harbour Watch",
        ]
        renamed.org_name = "Lighthouse Collective"
        from petition.endorsements.naming import refresh_keys

        refresh_keys(renamed)
        db.session.delete(gone)
        db.session.flush()
        assert list(services.iter_listed(platform, services.Filters(q="harb"), "en")) == []
        assert [
            e.org_name for e in services.iter_listed(platform, services.Filters(q="lightho"), "en")
        ] == ["Lighthouse Collective"]
        assert fold("Lighthouse") in renamed.search_key


def test_the_sqlite_index_and_its_triggers_exist_after_create_all(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's FTS5 table")
        names = set(
            db.session.scalars(
                text("SELECT name FROM sqlite_master WHERE name LIKE :p"), {"p": f"{FTS_TABLE}%"}
            )
        )
        assert {
            FTS_TABLE,
            f"{FTS_TABLE}_insert",
            f"{FTS_TABLE}_update",
            f"{FTS_TABLE}_delete",
        } <= names
