"""The audit log: what `record` writes, that nothing can change it, and the admin page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from petition import audit
from petition.accounts.models import AdminLanguage, AdminUser
from petition.audit.models import ActorKind, AuditEvent, AuditLogIsAppendOnly
from petition.extensions import db
from petition.moderation.services import AUDIT_PAGE_SIZE
from petition.security import ip_hash
from tests.factories import make_admin_user, make_platform
from tests.logins import log_in
from tests.pages import text


@pytest.fixture
def boss(app, client):
    with app.app_context():
        make_admin_user("boss@example.org", role="admin")
        make_admin_user("mod@example.org", role="moderator")
        db.session.commit()
    assert log_in(client, "boss@example.org").status_code == 302
    return client


def test_record_by_an_admin_keeps_their_address_at_the_time(app):
    with app.test_request_context("/admin/", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        admin = make_admin_user("pat@example.org")
        platform = make_platform()
        event = audit.record(
            "endorsement.approve",
            actor=admin,
            target_type="endorsement",
            target_id=42,
            platform_id=platform.id,
            details={"before": {"status": "pending_review"}, "after": {"status": "approved"}},
        )
        assert event.id is not None  # flushed
        assert event.actor_kind == ActorKind.ADMIN
        assert event.actor_id == admin.id and event.actor_label == "pat@example.org"
        assert event.target_id == "42"
        assert event.ip_hash == ip_hash("198.51.100.4")
        db.session.rollback()


def test_record_never_names_a_signer(app):
    with app.app_context():
        event = audit.record(
            "endorsement.confirm",
            actor_kind="signer",
            actor_label="someone@example.org",
            target_type="endorsement",
            target_id=7,
        )
        assert event.actor_kind == ActorKind.SIGNER
        assert event.actor_label == "signer"
        assert event.actor_id is None
        # Outside a request there is no address to hash.
        assert event.ip_hash is None
        system = audit.record("outbox.purge")
        assert system.actor_kind == ActorKind.SYSTEM and system.actor_label == "system"
        db.session.rollback()


def test_audit_events_cannot_be_changed_or_deleted(app):
    with app.app_context():
        event = audit.record("login", actor_kind="system")
        db.session.commit()
        event_id = event.id

        event.action = "nothing to see"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()

        db.session.delete(db.session.get(AuditEvent, event_id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()

        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(update(AuditEvent).values(action="rewritten"))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(delete(AuditEvent))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(delete(AuditEvent.__table__))
        db.session.rollback()

        assert db.session.get(AuditEvent, event_id).action == "login"


def test_the_audit_log_has_no_editing_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_ip_hash_is_keyed_and_stable(make_app):
    app = make_app()
    other = make_app(SECRET_KEY="another-secret-key-for-this-test")
    with app.app_context():
        first = ip_hash("203.0.113.9")
        assert first == ip_hash("203.0.113.9")
        assert first != ip_hash("203.0.113.10")
        assert len(first) == 64 and int(first, 16) >= 0
        assert "203.0.113.9" not in first
    with other.app_context():
        assert ip_hash("203.0.113.9") != first


def test_audit_page_shows_logins_newest_first_with_readable_names(app, boss):
    page = text(boss.get("/admin/audit"))
    assert "Logged in" in page
    assert "boss@example.org" in page
    log_in(app.test_client(), "nobody@example.org", "wrong password, really")
    page = text(boss.get("/admin/audit"))
    assert page.index("Failed login") < page.index("Logged in")
    assert "no account with this address" in page
    assert "unknown address" in page


def _seed(app):
    """Three approvals on March 10 (Toronto time) on one platform, one rejection now."""
    with app.app_context():
        boss = db.session.scalar(select(AdminUser).where(AdminUser.email == "boss@example.org"))
        platform = make_platform("other-platform")
        moments = [
            datetime(2026, 3, 10, 4, 30, tzinfo=UTC),  # 00:30 in Toronto
            datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
            datetime(2026, 3, 11, 3, 30, tzinfo=UTC),  # 23:30 on the 10th in Toronto
        ]
        for n, moment in enumerate(moments):
            # Adding rows with a given time is allowed: only changes are refused.
            db.session.add(
                AuditEvent(
                    at=moment,
                    actor_kind=ActorKind.ADMIN,
                    actor_id=boss.id,
                    actor_label=boss.email,
                    action="endorsement.approve",
                    target_type="endorsement",
                    target_id=str(100 + n),
                    platform_id=platform.id,
                )
            )
        audit.record(
            "endorsement.reject", actor_kind="system", target_type="endorsement", target_id=7
        )
        db.session.commit()
        return platform.id


def test_audit_filters(app, boss):
    platform_id = _seed(app)

    page = text(boss.get("/admin/audit?action=endorsement.approve"))
    assert page.count("Endorsement approved<span") == 3
    assert "Endorsement rejected<span" not in page and "Logged in<span" not in page

    page = text(boss.get("/admin/audit?actor=system"))
    assert "Endorsement rejected<span" in page and "Endorsement approved<span" not in page

    with app.app_context():
        boss_id = db.session.scalar(
            select(AdminUser.id).where(AdminUser.email == "boss@example.org")
        )
    page = text(boss.get(f"/admin/audit?actor={boss_id}"))
    assert "Logged in<span" in page and "Endorsement rejected<span" not in page

    page = text(boss.get("/admin/audit?target_type=endorsement&target_id=101"))
    assert page.count("endorsement no. 101") == 1 and "endorsement no. 100" not in page

    log_in(app.test_client(), "nobody@example.org", "wrong password, really")
    log_in(app.test_client(), "boss@example.org", "wrong password, really")
    page = text(boss.get("/admin/audit?actor=unknown"))
    assert page.count("Failed login<span") == 1

    page = text(boss.get(f"/admin/audit?platform={platform_id}"))
    assert page.count("Endorsement approved<span") == 3 and "Endorsement rejected<span" not in page

    # Days are the site's days (Toronto), both ends included.
    page = text(boss.get("/admin/audit?date_from=2026-03-10&date_to=2026-03-10"))
    assert page.count("Endorsement approved<span") == 3 and "Logged in<span" not in page
    page = text(boss.get("/admin/audit?date_from=2026-03-11&date_to=2026-03-11"))
    assert "No event matches these filters." in page

    page = text(boss.get("/admin/audit?date_from=yesterday"))
    assert "Enter a date as YYYY-MM-DD." in page


def test_audit_log_is_paginated_and_keeps_filters(app, boss):
    with app.app_context():
        db.session.add_all(
            AuditEvent(
                at=datetime(2026, 2, 1, 12, n % 60, tzinfo=UTC),
                actor_kind=ActorKind.SYSTEM,
                actor_label="system",
                action="outbox.retry",
                target_type="outbox_message",
                target_id=str(n),
            )
            for n in range(AUDIT_PAGE_SIZE * 2 + 5)
        )
        db.session.commit()
    first = text(boss.get("/admin/audit?action=outbox.retry"))
    assert f"{AUDIT_PAGE_SIZE * 2 + 5} events" in first
    assert first.count("email no. ") == AUDIT_PAGE_SIZE
    assert "Page 1 of 3" in first
    assert 'href="/admin/audit?page=2&action=outbox.retry"' in first
    last = text(boss.get("/admin/audit?action=outbox.retry&page=3"))
    assert last.count("email no. ") == 5
    # An unknown code is shown as it is.
    assert "outbox.retry" in last


def test_audit_log_in_french(app, client):
    with app.app_context():
        make_admin_user("chef@example.org", preferred_locale=AdminLanguage.FR)
        db.session.commit()
    log_in(client, "chef@example.org")
    log_in(app.test_client(), "chef@example.org", "pas le bon mot de passe")
    page = text(client.get("/admin/audit"))
    assert '<html lang="fr-CA"' in page
    assert "Journal d'audit" in page
    assert "Connexion réussie" in page
    assert "Échec de connexion" in page
    assert "mauvais mot de passe" in page


def test_audit_details_and_actors_are_words_in_the_admins_language(app, client):
    """No code reaches the page as text: fields, values and actors come from label tables."""
    with app.app_context():
        make_admin_user("chef@example.org", preferred_locale=AdminLanguage.FR)
        platform = make_platform("codes")
        audit.record(
            "endorsement.reject",
            actor_kind="system",
            target_type="endorsement",
            target_id=7,
            platform_id=platform.id,
            details={
                "before": {"status": "pending_review", "display_mode": "descriptor"},
                "after": {"status": "rejected", "display_mode": "full_name"},
                "notified": True,
            },
        )
        audit.record(
            "endorsement.confirm",
            actor_kind="signer",
            target_type="endorsement",
            target_id=7,
            details={"after": {"status": "pending_review", "province": "BC"}},
        )
        audit.record(
            "platform.publish",
            actor_kind="system",
            actor_label="retention",
            target_type="platform",
            target_id=platform.id,
            details={"before": {"status": "draft"}, "after": {"status": "published"}},
        )
        db.session.commit()
    log_in(client, "chef@example.org")
    page = text(client.get("/admin/audit"))
    details = page[page.index("<tbody>") : page.index("</tbody>")]
    words = re.sub(r"<[^>]+>", "", details)
    for word in (
        "Statut\u00a0: En attente d'examen → Non accepté",
        "Colombie-Britannique",
        "Signataire (par un lien reçu par courriel)",
        "Purge de conservation",
        "Brouillon → Publiée",
        "Signataire avisé par courriel\u00a0: oui",
    ):
        assert word in words, word
    readable = re.sub(r'<span class="meta audit__code" translate="no">[^<]*</span>', "", details)
    for code in ("pending_review", "display_mode", "descriptor", "signer", "system", "BC", "draft"):
        assert not re.search(rf"\b{code}\b", re.sub(r"<[^>]+>", " ", readable)), code


def test_an_endorsements_history_names_its_actors_in_words(app, client):
    from tests.factories import make_endorsement

    with app.app_context():
        make_admin_user("chef@example.org", preferred_locale=AdminLanguage.FR)
        platform = make_platform("history")
        endorsement = make_endorsement(platform)
        for kind, label in (("signer", None), ("system", "retention")):
            audit.record(
                "endorsement.confirm",
                actor_kind=kind,
                actor_label=label,
                target_type="endorsement",
                target_id=endorsement.id,
                platform_id=platform.id,
            )
        db.session.commit()
        path = f"/admin/p/history/endorsements/{endorsement.id}"
    log_in(client, "chef@example.org")
    page = text(client.get(path))
    history = page[page.index('<ol class="history">') :]
    history = history[: history.index("</ol>")]
    assert "Signataire (par un lien reçu par courriel)" in history
    assert "Purge de conservation" in history
    assert not re.search(r"\b(signer|system|retention)\b", history)
