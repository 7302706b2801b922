"""One language decision for every response, error pages and the API's JSON included.

The order: the path prefix, the logged-in admin's saved language, `?lang=`, then
Accept-Language. An error page is in exactly one language, with the matching `<html lang>`;
every `/api/` path answers JSON, whatever went wrong.
"""

from __future__ import annotations

import pytest
from flask import abort

from petition.accounts.models import AdminLanguage, AdminUser
from petition.extensions import db
from tests.factories import make_admin_user
from tests.logins import PASSWORD, log_in
from tests.pages import csrf_token, text

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en-CA,en;q=0.9"}


def _is_french_404(response) -> None:
    page = text(response)
    assert response.status_code == 404
    assert '<html lang="fr-CA"' in page
    assert "Page introuvable" in page
    assert "Page not found" not in page
    assert response.headers["Content-Language"] == "fr-CA"


def _is_english_404(response) -> None:
    page = text(response)
    assert response.status_code == 404
    assert '<html lang="en-CA"' in page
    assert "Page not found" in page
    assert "Page introuvable" not in page


@pytest.mark.parametrize("path", ["/nope", "/de/", "/admin/nope", "/static/nope.css/x"])
def test_error_pages_outside_a_prefix_follow_the_browser(client, path):
    french = client.get(path, headers=FRENCH)
    _is_french_404(french)
    assert "Accept-Language" in french.headers["Vary"]
    _is_english_404(client.get(path, headers=ENGLISH))


def test_lang_parameter_outranks_the_browser_and_the_prefix_outranks_both(client):
    _is_french_404(client.get("/nope?lang=fr", headers=ENGLISH))
    _is_english_404(client.get("/admin/nope?lang=en", headers=FRENCH))
    _is_french_404(client.get("/fr/p/no-such-platform/?lang=en", headers=ENGLISH))


def test_the_admins_saved_language_outranks_lang_and_the_browser(app, client):
    with app.app_context():
        make_admin_user(
            "sam.rivers@example.org", role="moderator", preferred_locale=AdminLanguage.FR
        )
        db.session.commit()
    assert log_in(client, "sam.rivers@example.org").status_code == 302
    _is_french_404(client.get("/admin/nope?lang=en", headers=ENGLISH))
    _is_french_404(client.get("/nope", headers=ENGLISH))
    # A page with a prefix is in its own language, whoever looks at it.
    _is_english_404(client.get("/en/p/no-such-platform/", headers=FRENCH))


def test_a_throttled_french_login_is_told_so_in_french(make_app):
    app = make_app(LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    page = client.get("/admin/login?lang=fr")
    data = {
        "email": "nobody@example.org",
        "password": "wrong password here",
        "csrf_token": csrf_token(page),
    }
    client.post("/admin/login?lang=fr", data=data, headers=ENGLISH)
    response = client.post("/admin/login?lang=fr", data=data, headers=ENGLISH)
    assert response.status_code == 429
    assert '<html lang="fr-CA"' in text(response)
    assert "Trop de demandes" in text(response)
    assert "Too many requests" not in text(response)


@pytest.fixture
def failing_app(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/slow-down")
    def api_slow_down():
        abort(429)

    return app


def test_the_500_page_follows_the_browser(failing_app):
    client = failing_app.test_client()
    french = client.get("/boom", headers=FRENCH)
    assert french.status_code == 500
    assert '<html lang="fr-CA"' in text(french)
    assert "Une erreur inattendue" in text(french)
    assert "An unexpected error" not in text(french)
    assert "secret internals" not in text(french)
    english = client.get("/boom", headers=ENGLISH)
    assert "An unexpected error" in text(english)
    assert "Une erreur inattendue" not in text(english)


def _json_error(response, status: int, lang: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["status"] == status
    assert body["lang"] == lang
    return body


@pytest.mark.parametrize(
    ("method", "path", "status", "french_title"),
    [
        ("GET", "/api/v1/nope", 404, "Page introuvable"),
        ("GET", "/api", 404, "Page introuvable"),
        ("GET", "/api/v2/platforms", 404, "Page introuvable"),
        ("GET", "/api/v1/platforms/no-such-platform", 404, "Page introuvable"),
        ("POST", "/api/v1/platforms", 405, "Action non permise"),
        ("DELETE", "/api/v1/openapi.json", 405, "Action non permise"),
    ],
)
def test_every_api_error_is_json_in_the_negotiated_language(
    client, method, path, status, french_title
):
    french = _json_error(client.open(path, method=method, headers=FRENCH), status, "fr")
    assert french["title"] == french_title
    english = _json_error(client.open(path, method=method, headers=ENGLISH), status, "en")
    assert english["title"] != french_title
    assert english["message"] != french["message"]
    chosen = _json_error(
        client.open(f"{path}?lang=fr", method=method, headers=ENGLISH), status, "fr"
    )
    assert chosen == french
    if status == 405:
        assert "GET" in client.open(path, method=method).headers["Allow"]


def test_api_failures_and_throttling_are_json_too(failing_app):
    client = failing_app.test_client()
    failure = _json_error(client.get("/api/v1/boom", headers=FRENCH), 500, "fr")
    assert "Une erreur inattendue" in failure["message"]
    assert "secret internals" not in str(failure)
    throttled = _json_error(client.get("/api/v1/slow-down", headers=FRENCH), 429, "fr")
    assert throttled["title"] == "Trop de demandes"
    english = _json_error(client.get("/api/v1/slow-down", headers=ENGLISH), 429, "en")
    assert english["title"] == "Too many requests"


def test_the_api_never_reads_an_admin_session(app, client):
    with app.app_context():
        make_admin_user(
            "sam.rivers@example.org", role="moderator", preferred_locale=AdminLanguage.FR
        )
        db.session.commit()
    log_in(client, "sam.rivers@example.org")
    _json_error(client.get("/api/v1/nope", headers=ENGLISH), 404, "en")


def test_openapi_document_per_language(client):
    english = client.get("/api/v1/openapi.json").get_json()
    french = client.get("/api/v1/openapi.json?lang=fr").get_json()
    by_browser = client.get("/api/v1/openapi.json", headers=FRENCH)
    assert by_browser.get_json() == french
    assert "Accept-Language" in by_browser.headers["Vary"]
    assert english["info"]["title"] == "Platform sign-on: open data"
    assert french["info"]["title"] != english["info"]["title"]
    # The same schemas, other words.
    assert french["paths"].keys() == english["paths"].keys()
    assert french["components"]["schemas"].keys() == english["components"]["schemas"].keys()
    lang = french["components"]["parameters"]["lang"]
    assert lang["schema"] == english["components"]["parameters"]["lang"]["schema"]
    assert lang["description"] != english["components"]["parameters"]["lang"]["description"]


def test_new_accounts_speak_the_language_they_were_created_in(app, client):
    from tests.logins import token_for

    with app.app_context():
        make_admin_user("admin@example.org", role="admin", preferred_locale=AdminLanguage.FR)
        db.session.commit()
    log_in(client, "admin@example.org")
    response = client.post(
        "/admin/accounts/new",
        data={
            "email": "nouvelle.moderatrice@example.org",
            "display_name": "Nouvelle",
            "role": "moderator",
            "password_choice": "generate",
            "csrf_token": token_for(client),
        },
    )
    assert response.status_code in (200, 302), text(response)
    with app.app_context():
        user = db.session.query(AdminUser).filter_by(email="nouvelle.moderatrice@example.org").one()
        assert user.preferred_locale == AdminLanguage.FR


def test_logging_in_from_the_french_login_page_keeps_french_and_saves_it(app, make_app):
    with app.app_context():
        user = make_admin_user("sam.rivers@example.org", role="moderator")
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    page = client.get("/admin/login?lang=fr", headers=ENGLISH)
    response = client.post(
        "/admin/login?lang=fr",
        data={
            "email": "sam.rivers@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(page),
        },
        headers=ENGLISH,
    )
    assert response.status_code == 302
    dashboard = client.get(response.headers["Location"], headers=ENGLISH)
    assert '<html lang="fr-CA"' in text(dashboard)
    with app.app_context():
        assert db.session.get(AdminUser, user_id).preferred_locale == AdminLanguage.FR
    # Next time, from a browser in English, the admin pages are still French.
    other = app.test_client()
    log_in(other, "sam.rivers@example.org")
    assert '<html lang="fr-CA"' in text(other.get("/admin/", headers=ENGLISH))
