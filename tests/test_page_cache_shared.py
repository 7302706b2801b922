"""With REDIS_URL, a change made in one process empties every process's kept pages and counts.

Two apps on one database stand for two app processes (gunicorn workers, or two servers); each
has its own page cache and counts in memory, as real processes do. The end-to-end version, two
gunicorn servers on PostgreSQL, is in tests/operations/test_two_servers.py.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select

from petition import page_cache
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.platforms.models import Platform
from tests.directory.endorsers import add_endorsement
from tests.factories import make_platform
from tests.pages import text

SLUG = "drug-policy"
LIST = f"/en/p/{SLUG}/endorsers"
EMBED = f"/en/p/{SLUG}/embed"


@pytest.fixture
def two_processes(make_app, redis_url, monkeypatch):
    # Each process asks Redis on every request here, instead of at most every 0.1 s.
    monkeypatch.setattr(page_cache, "SYNC_SECONDS", 0)
    site = {"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": f"t-{uuid.uuid4().hex[:12]}"}
    first, second = make_app(**site), make_app(**site)
    with first.app_context():
        add_endorsement(make_platform(SLUG), "Harbour Peer Network")
        db.session.commit()
    return first, second


def _set_status(app, name: str, status: EndorsementStatus) -> None:
    with app.app_context():
        endorsement = db.session.scalar(select(Endorsement).where(Endorsement.org_name == name))
        endorsement.status = status
        db.session.commit()


def test_a_decision_in_one_process_empties_the_others_kept_pages(two_processes):
    first, second = two_processes
    visitor = first.test_client()
    assert "Harbour Peer Network" in text(visitor.get(LIST))
    assert "Age" in visitor.get(LIST).headers  # kept in the first process

    _set_status(second, "Harbour Peer Network", EndorsementStatus.HIDDEN)

    page = visitor.get(LIST)
    assert "Age" not in page.headers
    assert "Harbour Peer Network" not in text(page)


def test_counts_follow_the_list_in_every_process(two_processes):
    first, second = two_processes
    with first.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == SLUG))
        add_endorsement(platform, "Prairie Outreach", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()
    # Counts kept for seconds in each process, pages not kept at all: the count alone would lag.
    first.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    visitor = first.test_client()
    assert "1 organization" in text(visitor.get(EMBED))

    _set_status(second, "Prairie Outreach", EndorsementStatus.APPROVED)

    assert "2 organizations" in text(visitor.get(EMBED))
    page = text(visitor.get(LIST))
    assert "Prairie Outreach" in page and "2 endorsers listed" in page, page


def test_a_count_never_outlives_a_change_in_its_own_process(make_app):
    app = make_app(PUBLIC_PAGE_CACHE_SECONDS=0)
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "Harbour Peer Network")
        add_endorsement(platform, "Prairie Outreach", status=EndorsementStatus.PENDING_REVIEW)
        db.session.commit()
    visitor = app.test_client()
    assert "1 organization" in text(visitor.get(EMBED))
    _set_status(app, "Prairie Outreach", EndorsementStatus.APPROVED)
    assert "2 organizations" in text(visitor.get(EMBED))


def test_nothing_public_changed_leaves_every_process_its_pages(two_processes):
    first, second = two_processes
    visitor = first.test_client()
    visitor.get(LIST)
    with second.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == SLUG))
        add_endorsement(platform, "Still Waiting", status=EndorsementStatus.UNVERIFIED)
        db.session.commit()
    assert "Age" in visitor.get(LIST).headers


def test_redis_down_serves_pages_and_warns_once(make_app, caplog, monkeypatch):
    monkeypatch.setattr(page_cache, "SYNC_SECONDS", 0)
    # Nothing listens on port 1: every call fails at once.
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        add_endorsement(make_platform(SLUG), "Harbour Peer Network")
        db.session.commit()
    visitor = app.test_client()
    with caplog.at_level(logging.WARNING, logger="petition.page_cache"):
        assert visitor.get(LIST).status_code == 200
        assert "Age" in visitor.get(LIST).headers
        # A change here still shows here at once.
        _set_status(app, "Harbour Peer Network", EndorsementStatus.HIDDEN)
        page = visitor.get(LIST)
        assert page.status_code == 200 and "Harbour Peer Network" not in text(page)
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1
