"""Repeat visits to public pages come from memory, and never outlive a change made here."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from petition import page_cache
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.platforms.models import Platform
from tests.directory.endorsers import add_endorsement
from tests.factories import make_platform
from tests.pages import csrf_token, text
from tests.signon import link_to, sign

SLUG = "drug-policy"
LIST = f"/en/p/{SLUG}/endorsers"


@pytest.fixture
def app(make_app):
    # Kept a minute, so a slow machine never sees a page expire between two requests: what
    # empties the cache here is a change, never the clock (but see the test on lifetimes).
    return make_app(PUBLIC_PAGE_CACHE_SECONDS=60)


@pytest.fixture
def listed(app):
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "Harbour Peer Network")
        db.session.commit()


def rename_behind_the_apps_back(app, name: str) -> None:
    """Change a public name straight in the database, as another process would."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Endorsement).values(org_name=name, sort_key_en=name.lower()))


def test_a_repeat_visit_is_answered_from_memory(app, client, listed):
    first = client.get(LIST)
    assert first.status_code == 200 and "Age" not in first.headers
    rename_behind_the_apps_back(app, "Renamed Elsewhere")
    again = client.get(LIST)
    assert "Age" in again.headers
    assert again.get_data() == first.get_data()
    # Headers are those of the page itself: still public, still no cookie.
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert "Set-Cookie" not in again.headers
    # Another address is another page.
    assert "Renamed Elsewhere" in text(client.get(LIST + "?sort=date"))


def test_a_kept_page_is_never_served_to_a_foreign_host(app, client, listed):
    assert client.get(LIST).status_code == 200
    assert "Age" in client.get(LIST).headers  # the kept copy
    # The app refuses that Host before routing; the cache must not answer in its place.
    refused = client.get(LIST, base_url="http://evil.example")
    assert refused.status_code == 400 and "Age" not in refused.headers


def test_a_kept_page_lives_only_the_configured_seconds(make_app, monkeypatch):
    app = make_app(PUBLIC_PAGE_CACHE_SECONDS=2)
    with app.app_context():
        add_endorsement(make_platform(SLUG), "Harbour Peer Network")
        db.session.commit()
    client = app.test_client()
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    client.get(LIST)
    rename_behind_the_apps_back(app, "Renamed Elsewhere")
    now[0] += 1.5
    assert client.get(LIST).headers["Age"] == "1"
    now[0] += 1
    fresh = client.get(LIST)
    assert "Age" not in fresh.headers and "Renamed Elsewhere" in text(fresh)


def test_an_approval_made_here_shows_at_once(app, client, listed):
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == SLUG))
        waiting = add_endorsement(
            platform, "Prairie Outreach Project", status=EndorsementStatus.PENDING_REVIEW
        )
        waiting_id = waiting.id
        db.session.commit()
    assert "Prairie Outreach Project" not in text(client.get(LIST))
    with app.app_context():
        db.session.get(Endorsement, waiting_id).status = EndorsementStatus.APPROVED
        db.session.commit()
    assert "Prairie Outreach Project" in text(client.get(LIST))


def test_a_bulk_statement_made_here_empties_the_cache(app, client, listed):
    client.get(LIST)
    with app.app_context():
        db.session.execute(update(Endorsement).values(status=EndorsementStatus.HIDDEN))
        db.session.commit()
    assert "Harbour Peer Network" not in text(client.get(LIST))


@pytest.fixture
def mailed_app(make_app, smtp_server):
    return make_app(PUBLIC_PAGE_CACHE_SECONDS=60, **smtp_server.config)


def test_a_withdrawal_disappears_at_once_from_a_kept_list(mailed_app, smtp_server):
    app, client = mailed_app, mailed_app.test_client()
    with app.app_context():
        make_platform(SLUG)
        db.session.commit()

    def deliver():
        from petition.outbox.relay import drain

        before = len(smtp_server.messages)
        with app.app_context():
            drain()
        return smtp_server.messages[before:]

    sign(client, SLUG, kind="individual", display_mode="full_name")
    [mail] = deliver()
    page = client.get(link_to(mail, "/confirm/"))
    client.post(link_to(mail, "/confirm/"), data={"csrf_token": csrf_token(page)})
    [receipt] = deliver()
    manage = link_to(receipt, "/manage/")
    with app.app_context():
        db.session.scalar(select(Endorsement)).status = EndorsementStatus.APPROVED
        db.session.commit()
    assert "Marie-Ève Tremblay-Côté" in text(client.get(LIST))
    assert "Age" in client.get(LIST).headers  # kept

    page = client.get(manage + "/withdraw")
    client.post(manage + "/withdraw", data={"csrf_token": csrf_token(page)})
    assert "Marie-Ève Tremblay-Côté" not in text(client.get(LIST))


def test_sign_ons_leave_kept_pages_alone(app, client, listed):
    client.get(LIST)
    assert sign(client, SLUG).status_code == 303
    with app.app_context():
        assert db.session.scalar(
            select(Endorsement).where(Endorsement.status == EndorsementStatus.UNVERIFIED)
        )
    # Nothing the public sees changed, so the storm of visitors is still served from memory.
    assert "Age" in client.get(LIST).headers


@pytest.mark.parametrize("honeypot", ["", "https://spam.example"], ids=["person", "flagged"])
def test_a_listed_endorsers_repeat_sign_on_leaves_kept_pages_alone(app, client, honeypot):
    # A repeat notes when it came on the (approved, listed) endorsement: nothing public.
    with app.app_context():
        platform = make_platform(SLUG)
        add_endorsement(platform, "Harbour Peer Network", email="listed@example.org")
        db.session.commit()
    client.get(LIST)
    assert sign(client, SLUG, email="listed@example.org", homepage=honeypot).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Endorsement.last_signon_at)) is not None
    assert "Age" in client.get(LIST).headers


def test_private_streamed_and_failed_responses_are_never_kept(app, client, listed):
    for path in (
        f"/en/p/{SLUG}/sign/organization",  # a form with a CSRF token and a session cookie
        f"/en/p/{SLUG}/endorsers.csv",  # streamed
        f"/en/p/{SLUG}/endorsers?page=99",  # 404
        "/admin/login",
        "/",  # a redirect that varies on Accept-Language
    ):
        client.get(path)
        assert "Age" not in client.get(path).headers, path
    assert "Age" not in client.head(LIST).headers
    client.get(LIST)
    assert "Age" not in client.head(LIST).headers


def test_pages_without_a_language_prefix_are_kept_per_browser_language(app, client, listed):
    client.get("/sitemap.xml", headers={"Accept-Language": "fr-CA"})
    assert "Age" not in client.get("/sitemap.xml", headers={"Accept-Language": "en"}).headers
    assert "Age" in client.get("/sitemap.xml", headers={"Accept-Language": "fr-CA"}).headers


def test_zero_seconds_turns_the_cache_off(make_app):
    app = make_app(PUBLIC_PAGE_CACHE_SECONDS=0)
    with app.app_context():
        add_endorsement(make_platform(SLUG))
        db.session.commit()
    client = app.test_client()
    client.get(LIST)
    assert "Age" not in client.get(LIST).headers


def test_memory_stays_bounded(app, client, listed, monkeypatch):
    size = len(client.get(LIST).get_data())
    monkeypatch.setattr(page_cache, "MAX_TOTAL_BYTES", 3 * size)
    cache = app.extensions["page_cache"]
    for n in range(10):
        client.get(f"{LIST}?q=harbour{n}")
    assert cache._size <= 3 * size
    assert len(cache._entries) <= 3


class FakeApp:
    """A WSGI app that counts its calls and can pause or change things while it answers."""

    def __init__(self):
        self.calls = 0
        self.during = lambda: None
        self.config = {"PUBLIC_PAGE_CACHE_SECONDS": 2}

    def __call__(self, environ, start_response):
        self.calls += 1
        self.during()
        body = f"version {self.calls}".encode()
        start_response(
            "200 OK",
            [("Cache-Control", "public, max-age=60"), ("Content-Length", str(len(body)))],
        )
        return [body]


def fetch(cache, path="/en/p/x/endorsers"):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["headers"] = dict(headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": "petition.test"}
    body = b"".join(cache(environ, start_response))
    return body.decode(), answer["headers"]


@pytest.fixture
def fake(monkeypatch):
    wsgi = FakeApp()
    cache = page_cache.PageCache(wsgi, wsgi)
    now = [100.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    return wsgi, cache, now


def test_while_one_request_renders_the_others_get_the_expired_copy(fake):
    import threading

    wsgi, cache, now = fake
    assert fetch(cache)[0] == "version 1"
    now[0] += 2.5  # expired
    rendering, release = threading.Event(), threading.Event()

    def slow():
        rendering.set()
        release.wait(5)

    wsgi.during = slow
    leader = threading.Thread(target=fetch, args=(cache,))
    leader.start()
    assert rendering.wait(5)
    body, headers = fetch(cache)  # meanwhile: the old copy, not a second rendering
    assert body == "version 1" and headers["Age"] == "2"
    release.set()
    leader.join(5)
    assert wsgi.calls == 2
    assert fetch(cache)[0] == "version 2"


def test_a_page_rendered_across_a_change_is_not_kept(fake):
    wsgi, cache, _now = fake
    # Data changes (and the cache is emptied) while the page is being rendered from the old.
    wsgi.during = cache.clear
    assert fetch(cache)[0] == "version 1"
    wsgi.during = lambda: None
    assert fetch(cache)[0] == "version 2"
    assert fetch(cache)[0] == "version 2"  # kept this time
