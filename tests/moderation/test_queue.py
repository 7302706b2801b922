"""The review queue: what moderators see, their decisions, edits and the rules that guard them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.accounts.models import AdminUser
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in, token_for
from tests.pages import csrf_token, text


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config)


@pytest.fixture
def setup(app):
    """Two platforms, an admin and a moderator, and endorsements in several states."""
    with app.app_context():
        platform = make_platform("drug-policy")
        other = make_platform("other-platform")
        make_admin_user("admin@coalition.example")
        make_admin_user("moderator@coalition.example", role="moderator")
        older = make_endorsement(
            platform,
            org_name="Prairie Rights Clinic",
            email="legal@prairie-rights.example",
            website="https://prairie-rights.example",
            confirmed_at=utcnow() - timedelta(hours=5),
        )
        newer = make_endorsement(
            platform,
            org_name="Harbour Light Society",
            email="hello@gmail.com",
            website="https://harbourlight.example",
            flags="too_fast",
        )
        twin = make_endorsement(
            platform,
            status="approved",
            org_name="Harbour Light",
            email="info@harbourlight.example",
            website="https://www.harbourlight.example",
            ip_hash="b" * 64,
        )
        foreign = make_endorsement(other, org_name="Elsewhere Collective")
        db.session.commit()
        return {
            "older": older.id,
            "newer": newer.id,
            "twin": twin.id,
            "foreign": foreign.id,
        }


def status_of(app, endorsement_id) -> EndorsementStatus:
    with app.app_context():
        return db.session.get(Endorsement, endorsement_id).status


def events(app, action=None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def decide(client, endorsement_id, decision, seen="pending_review", slug="drug-policy", **extra):
    return client.post(
        f"/admin/p/{slug}/endorsements/{endorsement_id}/decide",
        data={"csrf_token": token_for(client), "decision": decision, "seen": seen, **extra},
    )


@pytest.fixture
def moderator(client, setup):
    log_in(client, "moderator@coalition.example")
    return client


def test_queue_lists_pending_oldest_first_with_signals(moderator, setup):
    page = text(moderator.get("/admin/queue?platform=drug-policy"))
    assert page.index("Prairie Rights Clinic") < page.index("Harbour Light Society")
    assert "Elsewhere Collective" not in page
    assert "2 endorsements waiting" in page
    assert "Email domain matches the website" in page
    assert "Personal mailbox (gmail.com)" in page
    assert "Possible duplicate:" in page and ">Harbour Light</a>" in page
    assert "Submitted faster than a person can fill in the form" in page
    assert "other sign-ons from the same network" in page
    # Everything the signer entered is there, including what the public never sees.
    assert "legal@prairie-rights.example" in page


def test_approve_makes_it_public_and_audits(app, moderator, setup):
    response = decide(moderator, setup["older"], "approve")
    assert response.status_code == 303
    assert status_of(app, setup["older"]) == EndorsementStatus.APPROVED
    with app.app_context():
        row = db.session.get(Endorsement, setup["older"])
        assert row.approved_at is not None and row.reviewer_id is not None
    [event] = events(app, "endorsement.approve")
    assert event.actor_label == "moderator@coalition.example"
    assert event.details == {
        "before": {"status": "pending_review"},
        "after": {"status": "approved"},
    }
    assert "Approved: Prairie Rights Clinic" in text(moderator.get(response.headers["Location"]))


def test_reject_with_reason_emails_the_signer_in_their_language(app, moderator, setup, smtp_server):
    with app.app_context():
        db.session.get(Endorsement, setup["older"]).locale = "fr"
        db.session.commit()
    decide(moderator, setup["older"], "reject", reason="Doublon d'un autre appui.", notify="y")
    assert status_of(app, setup["older"]) == EndorsementStatus.REJECTED
    from petition.outbox.relay import drain

    with app.app_context():
        drain()
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Au sujet de votre appui à «\u00a0Plateforme test\u00a0»"
    assert "Doublon d'un autre appui." in mail.get_body(("plain",)).get_content()


def test_hide_an_approved_endorsement(app, moderator, setup):
    decide(moderator, setup["twin"], "hide", seen="approved")
    assert status_of(app, setup["twin"]) == EndorsementStatus.HIDDEN
    decide(moderator, setup["twin"], "approve", seen="hidden")
    assert status_of(app, setup["twin"]) == EndorsementStatus.APPROVED


def test_second_decision_on_a_stale_view_is_refused(app, moderator, setup):
    decide(moderator, setup["older"], "approve")
    late = decide(moderator, setup["older"], "reject", reason="spam")
    assert "Someone else decided first" in text(moderator.get(late.headers["Location"]))
    assert status_of(app, setup["older"]) == EndorsementStatus.APPROVED
    assert len(events(app, "endorsement.approve")) == 1
    assert events(app, "endorsement.reject") == []


def test_two_moderators_at_once_produce_one_outcome(app, setup):
    clients = []
    for email in ("admin@coalition.example", "moderator@coalition.example"):
        client = app.test_client()
        log_in(client, email)
        clients.append((client, token_for(client)))
    barrier = threading.Barrier(2)

    def act(client, token, decision):
        barrier.wait()
        client.post(
            f"/admin/p/drug-policy/endorsements/{setup['older']}/decide",
            data={"csrf_token": token, "decision": decision, "seen": "pending_review"},
        )

    threads = [
        threading.Thread(target=act, args=(*clients[0], "approve")),
        threading.Thread(target=act, args=(*clients[1], "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decisions = [
        e for e in events(app) if e.action in ("endorsement.approve", "endorsement.reject")
    ]
    assert len(decisions) == 1
    expected = "approved" if decisions[0].action.endswith("approve") else "rejected"
    assert status_of(app, setup["older"]) == expected


def test_bulk_approve_skips_other_platforms(app, moderator, setup):
    page = moderator.get("/admin/queue?platform=drug-policy")
    response = moderator.post(
        "/admin/p/drug-policy/endorsements/bulk",
        data={
            "csrf_token": csrf_token(page),
            "decision": "approve",
            "ids": [setup["older"], setup["newer"], setup["foreign"]],
        },
    )
    assert "Done: 2. Skipped (already decided or not found): 1." in text(
        moderator.get(response.headers["Location"])
    )
    assert status_of(app, setup["older"]) == EndorsementStatus.APPROVED
    assert status_of(app, setup["newer"]) == EndorsementStatus.APPROVED
    assert status_of(app, setup["foreign"]) == EndorsementStatus.PENDING_REVIEW


def test_bulk_without_selection_changes_nothing(app, moderator, setup):
    response = moderator.post(
        "/admin/p/drug-policy/endorsements/bulk",
        data={"csrf_token": token_for(moderator), "decision": "approve"},
    )
    assert "Tick at least one endorsement." in text(moderator.get(response.headers["Location"]))
    assert status_of(app, setup["older"]) == EndorsementStatus.PENDING_REVIEW


def test_crafted_urls_for_another_platform_are_refused(app, moderator, setup):
    assert moderator.get(f"/admin/p/drug-policy/endorsements/{setup['foreign']}").status_code == 404
    assert decide(moderator, setup["foreign"], "approve").status_code == 404
    assert status_of(app, setup["foreign"]) == EndorsementStatus.PENDING_REVIEW
    assert decide(moderator, setup["older"], "approve", slug="nope").status_code == 404


def test_forged_decision_values_are_refused(app, moderator, setup):
    decide(moderator, setup["older"], "delete")
    decide(moderator, setup["older"], "approve", seen="withdrawn")
    assert status_of(app, setup["older"]) == EndorsementStatus.PENDING_REVIEW
    assert events(app, "endorsement.approve") == []


def test_edit_public_fields_is_audited(app, moderator, setup):
    url = f"/admin/p/drug-policy/endorsements/{setup['older']}"
    page = moderator.get(url)
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page),
        "org_name": "Prairie Rights Clinic",
        "org_name_fr": "Clinique des droits des Prairies",
        "org_type": "legal_human_rights",
        "website": "prairie-rights.example",
        "about_en": "",
        "about_fr": "Information juridique gratuite.",
        "city": "Regina",
        "province": "SK",
        "display_name": "",
    }
    response = moderator.post(url + "/edit", data=form)
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Endorsement, setup["older"])
        assert row.org_name_fr == "Clinique des droits des Prairies"
        assert row.province == "SK" and row.city == "Regina"
        assert "clinique des droits des prairies" in row.search_key
    [event] = events(app, "endorsement.edit")
    assert event.details["before"]["city"] == "Halifax"
    assert event.details["after"]["org_name_fr"] == "Clinique des droits des Prairies"
    assert "Endorsement edited" in text(moderator.get(url))


def test_bad_edit_shows_errors_and_changes_nothing(app, moderator, setup):
    url = f"/admin/p/drug-policy/endorsements/{setup['older']}"
    page = moderator.get(url)
    response = moderator.post(
        url + "/edit",
        data={
            "csrf_token": csrf_token(page),
            "org_name": "<script>x</script>",
            "org_type": "legal_human_rights",
            "city": "",
            "province": "SK",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "Remove the < and > characters" in page and "Enter a city or town." in page
    with app.app_context():
        assert db.session.get(Endorsement, setup["older"]).org_name == "Prairie Rights Clinic"
    assert events(app, "endorsement.edit") == []


def test_browse_finds_approved_and_private_fields(moderator, setup):
    page = text(moderator.get("/admin/endorsements?platform=drug-policy&status=approved"))
    assert "Harbour Light" in page and "Prairie Rights Clinic" not in page
    found = text(moderator.get("/admin/endorsements?q=legal@prairie"))
    assert "Prairie Rights Clinic" in found


def test_queue_in_french(client, app, setup):
    with app.app_context():
        from petition.accounts.models import AdminUser

        user = db.session.scalar(select(AdminUser).where(AdminUser.role == "moderator"))
        user.preferred_locale = "fr"
        db.session.commit()
    log_in(client, "moderator@coalition.example")
    page = text(client.get("/admin/queue"))
    assert "File d'examen" in page
    assert "Approuver" in page


def test_anonymous_is_sent_to_login(client, setup):
    response = client.get("/admin/queue")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    response = client.post(
        f"/admin/p/drug-policy/endorsements/{setup['older']}/decide",
        data={"decision": "approve", "seen": "pending_review"},
    )
    assert response.status_code in (302, 400)


def test_endorsement_without_listing_consent_cannot_be_approved(app, moderator, setup):
    with app.app_context():
        row = db.session.get(Endorsement, setup["older"])
        for consent in row.consents:
            if consent.purpose == "public_listing":
                consent.withdrawn_at = utcnow()
        db.session.commit()
    response = decide(moderator, setup["older"], "approve")
    assert "It cannot be approved: Its signer did not agree to be listed publicly." in text(
        moderator.get(response.headers["Location"])
    )
    page = moderator.get("/admin/queue?platform=drug-policy")
    moderator.post(
        "/admin/p/drug-policy/endorsements/bulk",
        data={"csrf_token": csrf_token(page), "decision": "approve", "ids": [setup["older"]]},
    )
    assert status_of(app, setup["older"]) == EndorsementStatus.PENDING_REVIEW
    assert events(app, "endorsement.approve") == []


@pytest.mark.parametrize(
    ("lang", "listed", "counted"),
    [
        ("en", "now appears on the public list", "is counted on the public list, without a name"),
        ("fr", "figure maintenant dans la liste publique", "est compté dans la liste publique"),
    ],
)
def test_approval_message_says_whether_the_name_is_shown(app, client, setup, lang, listed, counted):
    """Approving someone who asked to be counted only never says their name is now public."""
    with app.app_context():
        platform = db.session.get(Endorsement, setup["older"]).platform
        quiet = make_endorsement(
            platform, kind="individual", name="Sam Quiet", display_mode="counted_only"
        )
        db.session.execute(
            AdminUser.__table__.update()
            .where(AdminUser.email == "moderator@coalition.example")
            .values(preferred_locale=lang)
        )
        db.session.commit()
        quiet_id = quiet.id
    log_in(client, "moderator@coalition.example")
    named = text(client.get(decide(client, setup["older"], "approve").headers["Location"]))
    assert listed in named and counted not in named
    unnamed = text(client.get(decide(client, quiet_id, "approve").headers["Location"]))
    assert counted in unnamed and listed not in unnamed
