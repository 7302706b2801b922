"""Bulk invalidation: the dry run's count is the result, public counts drop, all audited."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from petition.abuse_console import invalidation
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.endorsements.models import Endorsement, EndorsementStatus
from petition.extensions import db
from petition.outbox.models import OutboxMessage
from petition.platforms.models import Platform
from tests.abuse_console.forms_in_pages import form_with
from tests.abuse_console.test_lists import admin_client
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.pages import text

SPAM_HASH = "e" * 64
GOOD_HASH = "1" * 64


def public_total(client, lang="en") -> int:
    body = json.loads(client.get(f"/api/v1/platforms/drug-policy?lang={lang}").get_data())
    return body["endorsers"]["total"]


def seed(app):
    now = utcnow()
    with app.app_context():
        platform = db.session.query(Platform).one()
        for n in range(6):
            make_endorsement(
                platform,
                status="approved",
                email=f"real{n}@prairie-rights.example",
                ip_hash=GOOD_HASH,
                created_at=now - timedelta(days=3),
                org_name=f"Real {n}",
            )
        statuses = ["approved"] * 8 + ["pending_review"] * 3 + ["unverified"] * 2 + ["rejected"]
        for n, status in enumerate(statuses):
            make_endorsement(
                platform,
                status=status,
                kind="individual",
                email=f"s{n}@mx.spam-collective.example",
                ip_hash=SPAM_HASH,
                created_at=now - timedelta(minutes=n),
                locale="fr" if n % 2 else "en",
            )
        db.session.commit()  # fmt: skip


def test_dry_run_equals_result_and_public_counts_drop(app, platform):
    seed(app)
    public = app.test_client()
    assert public_total(public) == 14
    admin = admin_client(app)
    dry = admin.get("/admin/abuse/invalidate?platform=drug-policy&domain=spam-collective.example")
    assert dry.status_code == 200
    assert 'data-dry-run="13"' in dry.get_data(as_text=True)
    assert "8 of them are on the public list." in text(dry)
    assert public_total(public) == 14  # a dry run changes nothing
    confirm = form_with(dry, expected="13")
    fields = dict(confirm["fields"], reason="Script from one network", notify="y")
    done = admin.post(confirm["action"], data=fields)
    assert done.status_code == 303
    assert "13 endorsements invalidated. 11 signers will be emailed." in text(
        admin.get(done.headers["Location"])
    )
    for lang in ("en", "fr"):
        assert public_total(public, lang) == 6
    assert "Real 0" in text(public.get("/en/p/drug-policy/endorsers"))
    assert ">14<" not in public.get("/en/p/drug-policy/embed").get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Endorsement).where(Endorsement.ip_hash == SPAM_HASH)).all()
        assert all(r.status == EndorsementStatus.REJECTED for r in rows)
        assert sum("invalidated" in r.flag_set for r in rows) == 13
        # Confirmed signers only, each in their language; never the unconfirmed.
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert len(mails) == 11 and {m.locale for m in mails} == {"en", "fr"}
        assert {m.template for m in mails} == {"abuse_console/invalidated"}
        per_row = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "endorsement.invalidate")
        )
        assert per_row == 13
        bulk = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "endorsement.invalidate_bulk")
        )
        assert bulk.details["count"] == 13 and bulk.details["reason"] == "Script from one network"
        assert bulk.details["selection"]["domain"] == "spam-collective.example"
        assert bulk.actor_label == "admin@coalition.example"


def test_without_notify_nobody_is_emailed(app, platform):
    seed(app)
    admin = admin_client(app)
    dry = admin.get("/admin/abuse/invalidate?platform=drug-policy&fingerprint=" + SPAM_HASH[:12])
    confirm = form_with(dry, expected="13")
    admin.post(confirm["action"], data=dict(confirm["fields"], reason="Script"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_changed_selection_is_not_applied(app, platform):
    seed(app)
    admin = admin_client(app)
    dry = admin.get("/admin/abuse/invalidate?platform=drug-policy&fingerprint=" + SPAM_HASH[:12])
    confirm = form_with(dry, expected="13")
    with app.app_context():
        make_endorsement(
            db.session.query(Platform).one(),
            status="approved",
            email="late@spam-collective.example",
            ip_hash=SPAM_HASH,
        )
        db.session.commit()  # fmt: skip
    refused = admin.post(confirm["action"], data=dict(confirm["fields"], reason="Script"))
    assert refused.status_code == 409
    assert "it now matches 14" in text(refused) and 'data-dry-run="14"' in refused.get_data(True)
    assert public_total(app.test_client()) == 15


def test_refusals_change_nothing(app, platform):
    seed(app)
    admin = admin_client(app)
    nothing = admin.get("/admin/abuse/invalidate?platform=drug-policy")
    assert "Name a domain, a fingerprint or a time window." in text(nothing)
    bad = admin.get("/admin/abuse/invalidate?platform=drug-policy&since=yesterday")
    assert "Enter a date and time as YYYY-MM-DDTHH:MM." in text(bad)
    dry = admin.get("/admin/abuse/invalidate?platform=drug-policy&domain=spam-collective.example")
    confirm = form_with(dry, expected="13")
    no_reason = admin.post(confirm["action"], data=dict(confirm["fields"], reason=""))
    assert no_reason.status_code == 422 and "Give a reason." in text(no_reason)
    moderator = admin_client(app, "moderator@coalition.example")
    assert moderator.get("/admin/abuse/invalidate").status_code == 403
    assert moderator.post(
        confirm["action"], data=dict(confirm["fields"], reason="x")
    ).status_code in (400, 403)
    assert public_total(app.test_client()) == 14


def test_time_window_selects_by_signing_time(app, platform):
    seed(app)
    with app.app_context():
        selection = invalidation.Selection.build(
            db.session.query(Platform).one(), since=utcnow() - timedelta(days=1)
        )
        assert invalidation.dry_run(selection).total == 13


def test_web_requests_stop_at_the_limit_and_name_the_command(make_app, smtp_server):
    app = make_app(**smtp_server.config, INVALIDATE_WEB_LIMIT=5)
    with app.app_context():
        make_platform("drug-policy")
        make_admin_user("admin@coalition.example")
        db.session.commit()
    seed(app)
    admin = admin_client(app)
    dry = admin.get("/admin/abuse/invalidate?platform=drug-policy&domain=spam-collective.example")
    page = text(dry)
    assert "too many for one web request" in page
    assert "flask petition invalidate drug-policy --domain spam-collective.example" in page
    assert "Invalidate 13 endorsements" not in page


def test_cli_dry_run_equals_result(app, platform):
    seed(app)
    runner = app.test_cli_runner()
    args = ["petition", "invalidate", "drug-policy", "--fingerprint", SPAM_HASH[:12]]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "13 endorsements match" in dry.output and "nothing was changed" in dry.output
    assert public_total(app.test_client()) == 14
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "--reason" in refused.output
    done = runner.invoke(args=[*args, "--reason", "3 a.m. script", "--batch-size", "4"])
    assert done.exit_code == 0, done.output
    assert "Invalidated 13 endorsements" in done.output
    assert public_total(app.test_client()) == 6
    with app.app_context():
        bulk = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "endorsement.invalidate_bulk")
        ).all()
        assert sum(e.details["count"] for e in bulk) == 13 and len(bulk) == 4
        assert {e.actor_label for e in bulk} == {"cli"}
