"""Every route in the URL map x (anonymous, moderator, admin, a logged-out cookie replayed).

Admin pages: anonymous visitors and replayed cookies go to the login page, moderators get 403 on
admin-only pages, and a refused request changes nothing. Public pages answer everyone alike.
Every state-changing route refuses GET (405) and refuses a missing or wrong CSRF token (400),
changing nothing. (tests/accounts/test_access.py checks the admin area's access levels with
the login page's own flow; this covers every route, including ones added later.)
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from petition.errors import CSRF_MESSAGE, MESSAGES
from tests.factories import make_admin_user
from tests.faults.routes import routes
from tests.faults.state import changed, csrf_for, fingerprint, log_in_directly
from tests.faults.world import ADMIN, MODERATOR
from tests.logins import log_in, token_for

ROUTES = [r for r in routes() if not r.is_static]
STATE_CHANGING = [r for r in ROUTES if r.changes_state]
REPLAYED = "replay@coalition.example"
WHO = ("anonymous", "moderator", "admin", "replayed")


def _clients(app) -> dict:
    """One browser per kind of visitor, the logged-in ones logged in through the form."""
    with app.app_context():
        from petition.extensions import db

        make_admin_user(REPLAYED, role="admin")
        db.session.commit()
    clients = {who: app.test_client() for who in WHO}
    assert log_in(clients["moderator"], MODERATOR).status_code == 302
    assert log_in(clients["admin"], ADMIN).status_code == 302
    # Log in, keep a copy of the session cookie, log out, then put the old cookie back.
    replayed = clients["replayed"]
    assert log_in(replayed, REPLAYED).status_code == 302
    cookie = replayed.get_cookie("petition_session")
    assert (
        replayed.post("/admin/logout", data={"csrf_token": token_for(replayed)}).status_code == 302
    )
    replayed.set_cookie("petition_session", cookie.value)
    return clients


def _methods(route) -> list[str]:
    return sorted(route.methods - {"HEAD", "OPTIONS"})


def _urls(route, world) -> list[str]:
    langs = ["en", "fr"] if "lang" in route.arguments else [None]
    return [route.url({**world.url_values(), "lang": lang}) for lang in langs]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_access_matrix(app, world, route):
    clients = _clients(app)
    tokens = {who: csrf_for(app, client) for who, client in clients.items()}
    for url in _urls(route, world):
        for method in _methods(route):
            answers = {}
            for who in WHO:
                before = fingerprint(app)
                data = {"csrf_token": tokens[who]} if method != "GET" else None
                response = clients[who].open(url, method=method, data=data)
                # Read it whole and close it: a streamed body holds its request open.
                response.get_data()
                response.close()
                answers[who] = response.status_code
                what = f"{who} {method} {url}: {response.status_code}"
                assert response.status_code < 500, what
                if not route.is_admin or route.access == "public":
                    continue
                refused = who in ("anonymous", "replayed") or (
                    who == "moderator" and route.access == "admin"
                )
                if who in ("anonymous", "replayed"):
                    assert _is_login_redirect(response), what
                elif who == "moderator" and route.access == "admin":
                    assert response.status_code == 403, what
                else:
                    assert response.status_code != 403, what
                    if route.endpoint != "accounts.logout":
                        assert not _is_login_redirect(response), what
                if refused:
                    assert changed(before, fingerprint(app)) == {}, what
            if not route.is_admin:
                # Public pages do not depend on who is logged in to the admin area.
                assert len(set(answers.values())) == 1, (method, url, answers)
    # Every admin view says who may use it.
    if route.is_admin:
        assert route.access in {"public", "moderator", "admin"}, route.endpoint


@pytest.mark.parametrize("route", STATE_CHANGING, ids=[r.id for r in STATE_CHANGING])
def test_state_changing_routes_refuse_get_and_bad_csrf_tokens(app, world, route):
    client = app.test_client()
    if route.is_admin:
        log_in_directly(app, client, ADMIN)
    csrf_for(app, client)
    # A real token, but from another browser's session; and a made-up one.
    foreign = csrf_for(app, app.test_client())
    bad_tokens = {"missing": None, "foreign": foreign, "made-up": "x" * len(foreign), "empty": ""}
    for url in _urls(route, world):
        lang = url.split("/")[1] if "lang" in route.arguments else None
        before = fingerprint(app)
        if "GET" not in route.methods and not _served_by_another_route(app, url):
            response = client.get(url)
            assert response.status_code == 405, url
            _assert_error_page(app, response, lang, MESSAGES[405])
        for method in sorted(route.methods - {"GET", "HEAD", "OPTIONS"}):
            for name, token in bad_tokens.items():
                data = {
                    "display_mode": "full_name",
                    "decision": "approve",
                    "seen": "pending_review",
                }
                if token is not None:
                    data["csrf_token"] = token
                response = client.open(url, method=method, data=data)
                assert response.status_code == 400, (name, method, url, response.status_code)
                _assert_error_page(app, response, lang, CSRF_MESSAGE)
        assert changed(before, fingerprint(app)) == {}, url


def _served_by_another_route(app, url: str) -> bool:
    """Say whether GET on `url` belongs to another view (a page showing the form, say)."""
    try:
        app.url_map.bind("petition.test").match(url, method="GET")
    except HTTPException:
        return False
    return True


def _assert_error_page(app, response, lang: str | None, message) -> None:
    """The error says what happened, in the page's language only (without one in the URL, the
    browser's: English here, as the test client sends no Accept-Language)."""
    page = response.get_data(as_text=True)
    for candidate in ("en", "fr"):
        with app.test_request_context(), force_locale(candidate):
            wording = str(message).replace("'", "&#39;")
        present = wording in page
        assert present == (candidate == (lang or "en")), (candidate, response.request.path)
