"""Every admin route: anonymous visitors go to the login page, moderators are kept out of
admin-only pages, admins get in, and every form post needs its CSRF token."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from petition import create_app
from petition.accounts.access import ACCESS_ATTR
from petition.audit.models import AuditEvent
from petition.config import settings_for_tests
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.platforms.models import PlatformVersion
from tests.factories import add_resource, make_admin_user, make_platform
from tests.logins import log_in, token_for


def _admin_routes():
    # Building the app opens nothing, so the URL map can be read at collection time.
    app = create_app(settings_for_tests("sqlite://"))
    routes = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule == "/admin" or rule.rule.startswith("/admin/")):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            level = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)
            routes.append(pytest.param(rule.rule, method, level, id=f"{method} {rule.rule}"))
    return routes


ADMIN_ROUTES = _admin_routes()
POST_ROUTES = [p for p in ADMIN_ROUTES if p.values[1] == "POST"]


def _url(rule: str, ids: dict[str, int]) -> str:
    """Fill a rule's path arguments with plausible values (ids by argument name)."""

    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        return str(ids.get(name, ids["target"])) if converter.startswith("int") else "test-platform"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule)


@pytest.fixture
def accounts(app):
    with app.app_context():
        platform = make_platform()
        # Things of the test platform that admin routes act on, by path argument name.
        resource = add_resource(platform)
        version = PlatformVersion(platform=platform, label="1.0")
        message = OutboxMessage(
            recipient="signer@example.org",
            locale="en",
            template="endorsements/confirm",
            subject="Confirm",
            message_id="<access-test@petition.test>",
            status=OutboxStatus.FAILED,
        )
        db.session.add_all([version, message])
        make_admin_user("admin@example.org", role="admin")
        make_admin_user("moderator@example.org", role="moderator")
        # The target of /admin/accounts/<id>/... so nobody changes the logged-in accounts.
        target = make_admin_user("target@example.org", role="moderator")
        db.session.commit()
        return {
            "target": target.id,
            "resource_id": resource.id,
            "version_id": version.id,
            "message_id": message.id,
        }


def test_every_admin_route_declares_who_may_use_it(app):
    levels = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            levels[rule.endpoint] = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)
    assert levels, "no admin routes found"
    assert None not in levels.values(), {e: lv for e, lv in levels.items() if lv is None}
    # The login page is the only admin page open to everyone.
    assert [e for e, level in levels.items() if level == "public"] == ["accounts.login"]


@pytest.mark.parametrize(("rule", "method", "level"), ADMIN_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "moderator", "admin"])
def test_admin_route_access(app, client, accounts, rule, method, level, who):
    if who != "anonymous":
        assert log_in(client, f"{who}@example.org").status_code == 302
    url = _url(rule, accounts)
    # A valid CSRF token, so the access rule (not the CSRF check) decides.
    data = {"csrf_token": token_for(client)} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    location = response.headers.get("Location", "")

    if level == "public":
        assert response.status_code in {200, 302}
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert location.startswith("/admin/login")
        return
    if who == "moderator" and level == "admin":
        assert response.status_code == 403
        assert "Access denied" in response.get_data(as_text=True)
        return
    # Allowed: whatever the page does with empty input, it is not a refusal or a crash.
    assert response.status_code < 500
    assert response.status_code != 403
    if rule != "/admin/logout":
        assert not location.startswith("/admin/login"), location


@pytest.mark.parametrize(("rule", "method", "level"), POST_ROUTES)
def test_admin_posts_without_csrf_token_are_refused(app, client, accounts, rule, method, level):
    assert log_in(client, "admin@example.org").status_code == 302
    with app.app_context():
        events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post(_url(rule, accounts), data={"active": "no", "role": "admin"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    # Still logged in: even the logout form did nothing.
    assert client.get("/admin/").status_code == 200


def test_admin_pages_are_never_stored(client, accounts):
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store, private"
    log_in(client, "moderator@example.org")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "no-store" in client.get("/admin/audit").headers["Cache-Control"]


def test_public_pages_stay_cookieless_for_a_logged_in_admin(client, accounts):
    log_in(client, "admin@example.org")
    assert client.get("/admin/").status_code == 200
    # The browser sends its admin cookie along; the public page neither reads nor renews it.
    for url in ("/en/", "/fr/p/test-platform/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "public" in response.headers["Cache-Control"]
        assert "Log out" not in response.get_data(as_text=True)
