"""Admins manage accounts: create, change role, deactivate, reset passwords; never lose the
last admin. Everyone changes their own password and chooses the admin area's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.accounts.models import AdminLanguage, AdminRole, AdminUser
from petition.accounts.passwords import verify_password
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.extensions import db
from tests.factories import make_admin_user
from tests.logins import PASSWORD, log_in
from tests.pages import csrf_token, text


@pytest.fixture
def people(app):
    with app.app_context():
        boss = make_admin_user("boss@example.org", role="admin", display_name="Robin Boss")
        mod = make_admin_user("mod@example.org", role="moderator", display_name="Kim Mod")
        db.session.commit()
        return {"boss": boss.id, "mod": mod.id}


@pytest.fixture
def boss(client, people):
    assert log_in(client, "boss@example.org").status_code == 302
    return client


def _get(app, model, id_):
    with app.app_context():
        obj = db.session.get(model, id_)
        db.session.expunge(obj)
        return obj


def _by_email(app, email):
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _post_form(client, page_url, action_url, data):
    page = client.get(page_url)
    assert page.status_code == 200
    return client.post(action_url, data={**data, "csrf_token": csrf_token(page)})


def test_accounts_page_lists_everyone(boss, people):
    page = text(boss.get("/admin/accounts/"))
    assert "Robin Boss" in page and "mod@example.org" in page
    assert "Moderator" in page and "Admin" in page
    assert "never" in page  # Kim has not logged in yet


def test_admin_creates_an_account_with_a_typed_password(app, boss):
    response = _post_form(
        boss,
        "/admin/accounts/new",
        "/admin/accounts/new",
        {
            "email": "Alex.New@Example.org",
            "display_name": "Alex New",
            "role": "moderator",
            "password_choice": "type",
            "password": "seven purple walruses sing",
            "confirm": "seven purple walruses sing",
        },
    )
    assert response.status_code == 302
    user = _by_email(app, "alex.new@example.org")
    assert user.role == AdminRole.MODERATOR and user.display_name == "Alex New"
    assert "account.create" in _actions(app)
    newcomer = app.test_client()
    assert log_in(newcomer, "alex.new@example.org", "seven purple walruses sing").status_code == 302


def test_a_generated_password_is_shown_once_and_works(app, boss):
    response = _post_form(
        boss,
        "/admin/accounts/new",
        "/admin/accounts/new",
        {"email": "gen@example.org", "role": "admin", "password_choice": "generate"},
    )
    assert response.status_code == 200
    password = re.search(r'<p class="secret"><code>([^<]+)</code>', text(response)).group(1)
    assert "It will not be shown again" in text(response)
    assert password not in text(boss.get("/admin/accounts/"))
    newcomer = app.test_client()
    assert log_in(newcomer, "gen@example.org", password).status_code == 302
    assert _by_email(app, "gen@example.org").role == AdminRole.ADMIN


def test_weak_password_is_refused_in_the_admins_language(app, client, people):
    with app.app_context():
        db.session.get(AdminUser, people["boss"]).preferred_locale = AdminLanguage.FR
        db.session.commit()
    log_in(client, "boss@example.org")
    for weak, message in [
        ("short", "Utilisez au moins 12 caractères."),
        ("password1234", "Ce mot de passe est trop courant"),
    ]:
        response = _post_form(
            client,
            "/admin/accounts/new",
            "/admin/accounts/new",
            {
                "email": "weak@example.org",
                "role": "moderator",
                "password_choice": "type",
                "password": weak,
                "confirm": weak,
            },
        )
        assert response.status_code == 200
        assert message in text(response)
        assert '<html lang="fr-CA"' in text(response)
    assert _by_email(app, "weak@example.org") is None


def test_an_address_can_only_have_one_account(app, boss):
    response = _post_form(
        boss,
        "/admin/accounts/new",
        "/admin/accounts/new",
        {"email": "MOD@example.org", "role": "admin", "password_choice": "generate"},
    )
    assert response.status_code == 200
    assert "An account with this email address already exists." in text(response)
    assert _by_email(app, "mod@example.org").role == AdminRole.MODERATOR


def test_changing_a_role(app, boss, people):
    url = f"/admin/accounts/{people['mod']}"
    response = _post_form(boss, url, f"{url}/role", {"role": "admin"})
    assert response.status_code == 302
    assert "The role is changed." in text(boss.get(url))
    assert _get(app, AdminUser, people["mod"]).role == AdminRole.ADMIN
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.role_change")
        )
        assert event.details == {"before": {"role": "moderator"}, "after": {"role": "admin"}}
        assert event.actor_label == "boss@example.org"


def test_deactivating_ends_the_accounts_sessions_and_reactivating_restores_login(app, boss, people):
    mod_client = app.test_client()
    log_in(mod_client, "mod@example.org")
    assert mod_client.get("/admin/").status_code == 200

    url = f"/admin/accounts/{people['mod']}"
    assert _post_form(boss, url, f"{url}/active", {"active": "no"}).status_code == 302
    assert "Deactivated" in text(boss.get(url))
    assert mod_client.get("/admin/").status_code == 302
    assert log_in(mod_client, "mod@example.org").status_code == 200

    assert _post_form(boss, url, f"{url}/active", {"active": "yes"}).status_code == 302
    assert log_in(mod_client, "mod@example.org").status_code == 302
    assert [a for a in _actions(app) if a.startswith("account.")] == [
        "account.deactivate",
        "account.reactivate",
    ]


def test_the_last_admin_cannot_be_demoted_or_deactivated(app, boss, people):
    url = f"/admin/accounts/{people['boss']}"
    response = _post_form(boss, url, f"{url}/role", {"role": "moderator"})
    assert "This is the last active admin" in text(boss.get(response.headers["Location"]))
    response = _post_form(boss, url, f"{url}/active", {"active": "no"})
    assert "This is the last active admin" in text(boss.get(response.headers["Location"]))
    boss_now = _get(app, AdminUser, people["boss"])
    assert boss_now.role == AdminRole.ADMIN and boss_now.active
    assert boss.get("/admin/accounts/").status_code == 200

    # With a second admin, the first may step down.
    with app.app_context():
        db.session.get(AdminUser, people["mod"]).role = AdminRole.ADMIN
        db.session.commit()
    response = _post_form(boss, url, f"{url}/role", {"role": "moderator"})
    assert response.headers["Location"] == "/admin/"
    assert boss.get("/admin/accounts/").status_code == 403


def test_resetting_a_password_unlocks_and_ends_sessions(app, boss, people):
    mod_client = app.test_client()
    log_in(mod_client, "mod@example.org")
    with app.app_context():
        db.session.get(AdminUser, people["mod"]).locked_until = utcnow() + timedelta(minutes=9)
        db.session.commit()
    url = f"/admin/accounts/{people['mod']}"
    response = _post_form(
        boss,
        url,
        f"{url}/password",
        {
            "password_choice": "type",
            "password": "a fresh start for kim",
            "confirm": "a fresh start for kim",
        },
    )
    assert response.status_code == 302
    mod = _get(app, AdminUser, people["mod"])
    assert mod.locked_until is None
    assert verify_password(mod.password_hash, "a fresh start for kim")
    assert mod_client.get("/admin/").status_code == 302
    assert "account.password_reset" in _actions(app)


def test_mismatched_confirmation_changes_nothing(app, boss, people):
    url = f"/admin/accounts/{people['mod']}"
    response = _post_form(
        boss,
        url,
        f"{url}/password",
        {"password_choice": "type", "password": "one long passphrase", "confirm": "another one"},
    )
    assert response.status_code == 400
    assert "The two passwords are not the same." in text(response)
    assert verify_password(_get(app, AdminUser, people["mod"]).password_hash, PASSWORD)


def test_changing_your_own_password_needs_the_current_one(app, client, people):
    log_in(client, "mod@example.org")
    response = _post_form(
        client,
        "/admin/account/password",
        "/admin/account/password",
        {
            "current": "not my password at all",
            "password": "kim has a new passphrase",
            "confirm": "kim has a new passphrase",
        },
    )
    assert response.status_code == 200
    assert "Your current password is not right." in text(response)
    assert verify_password(_get(app, AdminUser, people["mod"]).password_hash, PASSWORD)


def test_choosing_french_for_the_admin_area(app, client, people):
    log_in(client, "mod@example.org")
    dashboard = client.get("/admin/")
    assert '<html lang="en-CA"' in text(dashboard)
    response = client.post(
        "/admin/language",
        data={"lang": "fr", "next": "/admin/account/password", "csrf_token": csrf_token(dashboard)},
    )
    assert response.headers["Location"] == "/admin/account/password"
    page = text(client.get("/admin/account/password"))
    assert '<html lang="fr-CA"' in page
    assert "Changer votre mot de passe" in page
    assert _get(app, AdminUser, people["mod"]).preferred_locale == AdminLanguage.FR
    # The choice belongs to the account: it holds in another browser too.
    other = app.test_client()
    log_in(other, "mod@example.org")
    assert "Tableau de bord" in text(other.get("/admin/"))


def test_language_form_ignores_an_unsafe_next(client, people):
    log_in(client, "mod@example.org")
    dashboard = client.get("/admin/")
    response = client.post(
        "/admin/language",
        data={"lang": "fr", "next": "https://evil.example/", "csrf_token": csrf_token(dashboard)},
    )
    assert response.headers["Location"] == "/admin/"
