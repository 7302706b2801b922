"""Moderators are emailed about endorsements awaiting review, at the pace each chose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.accounts.models import AdminUser
from petition.db_types import utcnow
from petition.extensions import db
from petition.moderation.digest import send_digests
from petition.outbox.models import OutboxMessage
from petition.outbox.services import rendered
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in
from tests.pages import csrf_token, text


@pytest.fixture
def platform_id(app):
    with app.app_context():
        platform = make_platform("drug-policy")
        make_admin_user("daily@coalition.example", role="moderator", digest="daily")
        make_admin_user(
            "now@coalition.example", role="moderator", digest="immediately", preferred_locale="fr"
        )
        make_admin_user("never@coalition.example", role="moderator", digest="off")
        make_admin_user("gone@coalition.example", role="moderator", active=False)
        db.session.commit()
        return platform.id


def digests(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "moderation/digest")
        )
        return {row.recipient: rendered(row).subject for row in rows}


def add_pending(app, platform_id, count=1):
    from petition.platforms.models import Platform

    with app.app_context():
        platform = db.session.get(Platform, platform_id)
        for _ in range(count):
            make_endorsement(platform)
        db.session.commit()


def run(app, now=None):
    with app.app_context():
        sent = send_digests(now)
        db.session.commit()
        return sent


def test_nothing_waiting_sends_nothing(app, platform_id):
    assert run(app) == 0


def test_digest_goes_to_active_moderators_who_want_it(app, platform_id):
    add_pending(app, platform_id, 2)
    assert run(app) == 2
    sent = digests(app)
    assert set(sent) == {"daily@coalition.example", "now@coalition.example"}
    assert sent["daily@coalition.example"] == "2 new endorsements await review"
    assert sent["now@coalition.example"] == "2 nouveaux appuis attendent un examen"


def test_each_moderator_is_written_to_once_per_interval(app, platform_id):
    add_pending(app, platform_id)
    run(app)
    add_pending(app, platform_id)
    # Minutes later: only the "immediately" moderator hears about the new one.
    assert run(app, utcnow() + timedelta(minutes=5)) == 1
    assert run(app, utcnow() + timedelta(minutes=6)) == 0
    # A day later the daily moderator gets the news too.
    assert run(app, utcnow() + timedelta(days=1, minutes=1)) == 1


def test_moderator_chooses_the_pace_in_their_account(app, client, platform_id):
    log_in(client, "daily@coalition.example")
    page = client.get("/admin/account/password")
    assert "Email me about endorsements awaiting review" in text(page)
    response = client.post(
        "/admin/account/notifications", data={"csrf_token": csrf_token(page), "digest": "off"}
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(
            select(AdminUser).where(AdminUser.email == "daily@coalition.example")
        )
        assert user.digest == "off"
    add_pending(app, platform_id)
    run(app)
    assert "daily@coalition.example" not in digests(app)


def test_cli_command(app, runner, platform_id):
    add_pending(app, platform_id)
    result = runner.invoke(args=["petition", "notify-moderators"])
    assert result.exit_code == 0 and "Digests queued: 2" in result.output
