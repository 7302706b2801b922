"""The admin landing page and the admin shell: navigation by role, platforms, flash messages."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import func, insert, select

from petition.accounts.models import AdminLanguage
from petition.audit.models import AuditEvent
from petition.db_types import utcnow
from petition.endorsements.models import EndorsementKind, EndorsementStatus, Province
from petition.extensions import db
from petition.moderation import dashboard
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.platforms import services as platform_services
from petition.platforms.models import Platform, PlatformStatus
from tests.factories import make_admin_user, make_endorsement, make_platform
from tests.logins import log_in
from tests.pages import csrf_token, elements, text


@pytest.fixture
def accounts(app):
    with app.app_context():
        make_admin_user("boss@example.org", role="admin")
        make_admin_user("mod@example.org", role="moderator")
        make_admin_user("fr@example.org", role="moderator", preferred_locale=AdminLanguage.FR)
        make_platform("harm-reduction-now")
        make_platform(
            "next-year",
            status=PlatformStatus.DRAFT,
            texts={"en": {"title": "Draft for next year"}},
        )
        db.session.commit()


def _nav(page: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return re.findall(r'<a href="(/admin/[^"]*)"', nav)


def test_dashboard_lists_every_platform_with_its_status(client, accounts):
    log_in(client, "mod@example.org")
    page = text(client.get("/admin/"))
    assert "<h1>Dashboard</h1>" in page
    assert 'id="review-queue"' in page
    assert "Test platform" in page and "Draft for next year" in page
    assert "Published" in page and "Draft" in page
    assert 'href="/en/p/harm-reduction-now/"' in page
    assert 'href="/fr/p/harm-reduction-now/"' in page
    # Drafts are not public: no link that would 404.
    assert 'href="/en/p/next-year/"' not in page
    assert "Not public (draft)" in page


def test_navigation_shows_only_what_the_role_may_open(client, app, accounts):
    log_in(client, "mod@example.org")
    moderator_links = _nav(text(client.get("/admin/")))
    assert "/admin/" in moderator_links
    assert "/admin/audit" not in moderator_links
    assert "/admin/accounts/" not in moderator_links

    admin = app.test_client()
    log_in(admin, "boss@example.org")
    admin_links = _nav(text(admin.get("/admin/")))
    assert {"/admin/", "/admin/audit", "/admin/accounts/"} <= set(admin_links)
    # Every link leads somewhere that exists and that this admin may open.
    for url in admin_links:
        assert admin.get(url).status_code == 200, url
    page = text(admin.get("/admin/audit"))
    assert '<a href="/admin/audit" aria-current="page">' in page


def test_admin_shell_in_french(client, accounts):
    log_in(client, "fr@example.org")
    page = text(client.get("/admin/"))
    assert '<html lang="fr-CA"' in page
    assert "Tableau de bord" in page
    assert "Publiée" in page
    assert "Se déconnecter" in page
    # The language switch offers English, as a form (it changes the account's setting).
    assert 'name="lang" value="en"' in page


def test_flash_messages_use_the_flash_styles(client, accounts):
    log_in(client, "mod@example.org")
    client.post(
        "/admin/account/password",
        data={
            "current": "correct horse battery staple",
            "password": "a new and long passphrase",
            "confirm": "a new and long passphrase",
            "csrf_token": csrf_token(client.get("/admin/account/password")),
        },
    )
    page = text(client.get("/admin/"))
    assert '<div class="flash flash--success" role="status">' in page


# Figures -------------------------------------------------------------------------------------


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def endorsements(app, accounts):
    """Two platforms with endorsements in several statuses, kinds and provinces."""
    with app.app_context():
        first = db.session.scalar(select(Platform).where(Platform.slug == "harm-reduction-now"))
        second = make_platform("second-platform")
        now = utcnow()
        rows = [
            # platform, status, kind, province
            (first, "approved", "organization", "ON"),
            (first, "approved", "organization", "ON"),
            (first, "approved", "individual", "ON"),
            (first, "approved", "organization", "QC"),
            (first, "approved", "individual", "NU"),
            (first, "pending_review", "organization", "BC"),
            (first, "pending_review", "individual", "BC"),
            (first, "pending_review", "individual", "BC"),
            (first, "unverified", "organization", "ON"),
            (first, "rejected", "organization", "ON"),
            (first, "withdrawn", "individual", "QC"),
            (first, "hidden", "organization", "ON"),
            (second, "approved", "organization", "NS"),
            (second, "pending_review", "organization", "NS"),
        ]
        for platform, status, kind, province in rows:
            make_endorsement(
                platform,
                status=status,
                kind=kind,
                province=Province(province),
                # Signed and confirmed at the same instant: both fall on the same site day
                # even when the suite runs just after midnight.
                created_at=now,
                confirmed_at=None if status == "unverified" else now,
            )
        db.session.commit()


def _section(page: str, slug: str) -> str:
    return page.split(f'id="figures-{slug}"', 1)[1].split("</section>", 1)[0]


def _row(section: str, heading: str) -> list[str]:
    row = re.search(rf'<th scope="row">{re.escape(heading)}</th>(.*?)</tr>', section, re.S)
    assert row, heading
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_counts_by_status_and_kind_agree_with_the_data(app, client, endorsements):
    with app.app_context():
        platforms = platform_services.all_platforms()
        figures = {f.platform.slug: f for f in dashboard.figures(platforms)}
        first = figures["harm-reduction-now"]
        assert first.by_status[EndorsementStatus.APPROVED] == {
            EndorsementKind.ORGANIZATION: 3,
            EndorsementKind.INDIVIDUAL: 2,
        }
        assert first.by_status[EndorsementStatus.PENDING_REVIEW][EndorsementKind.INDIVIDUAL] == 2
        assert first.total == 12
        assert figures["second-platform"].total == 2
        assert figures["next-year"].total == 0

    log_in(client, "mod@example.org")
    page = text(client.get("/admin/"))
    first = _section(page, "harm-reduction-now")
    assert _row(first, "Listed publicly") == ["3", "2", "5"]
    assert _row(first, "Waiting for review") == ["1", "2", "3"]
    assert _row(first, "Email not yet confirmed") == ["1", "0", "1"]
    assert _row(first, "Withdrawn") == ["0", "1", "1"]
    assert _row(first, "Total") == ["7", "5", "12"]
    second = _section(page, "second-platform")
    assert _row(second, "Listed publicly") == ["1", "0", "1"]
    assert "No endorsements yet." in _section(page, "next-year")


def test_approved_endorsers_by_province(app, client, endorsements):
    log_in(client, "mod@example.org")
    page = text(client.get("/admin/"))
    first = _section(page, "harm-reduction-now")
    provinces = first.split("Approved endorsers by province or territory", 1)[1]
    # Only approved endorsers count, most first; BC's are all still waiting for review.
    assert re.findall(r'<th scope="row">([^<]+)</th>', provinces) == [
        "Ontario",
        "Nunavut",
        "Quebec",
    ]
    assert _row(provinces, "Ontario") == ["2", "1", "3"]
    assert _row(provinces, "Nunavut") == ["0", "1", "1"]
    assert _row(provinces, "Quebec") == ["1", "0", "1"]
    # A bar for each, as wide as its share of the largest (drawn, not styled).
    bars = re.findall(r'<rect class="hbar__fill" width="([\d.]+)"', provinces)
    assert bars == ["100.0", "33.3", "33.3"]
    assert "British Columbia" not in provinces


def test_sign_ons_per_day_follow_the_site_clock(app, accounts):
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "harm-reduction-now"))
        # Noon in Toronto on 20 January 2027 (UTC-5).
        now = _utc(2027, 1, 20, 17, 0)
        for created, confirmed in [
            (_utc(2027, 1, 20, 5, 30), _utc(2027, 1, 20, 6, 0)),  # 00:30 on the 20th, local
            (_utc(2027, 1, 20, 4, 30), _utc(2027, 1, 20, 16, 0)),  # 23:30 on the 19th, local
            (_utc(2027, 1, 19, 12, 0), None),  # never confirmed
            (_utc(2026, 12, 22, 5, 0), _utc(2027, 1, 2, 5, 0)),  # first day of the 30
            (_utc(2026, 12, 22, 4, 59), None),  # the day before: not shown
        ]:
            make_endorsement(
                platform,
                status="pending_review" if confirmed else "unverified",
                created_at=created,
                confirmed_at=confirmed,
            )
        db.session.commit()
        [figures] = [
            f
            for f in dashboard.figures(platform_services.all_platforms(), now=now)
            if f.platform == platform
        ]
        days = {d.day: (d.signed, d.confirmed) for d in figures.days}
        assert len(figures.days) == 30
        assert figures.days[0].day == date(2026, 12, 22)
        assert figures.days[-1].day == date(2027, 1, 20)
        assert days[date(2027, 1, 20)] == (1, 2)
        assert days[date(2027, 1, 19)] == (2, 0)
        assert days[date(2026, 12, 22)] == (1, 0)
        assert days[date(2027, 1, 2)] == (0, 1)
        assert figures.signed_in_period == 4
        assert figures.confirmed_in_period == 3


def test_days_keep_their_length_across_a_clock_change(app, accounts):
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "harm-reduction-now"))
        # Daylight saving time starts in Toronto on 14 March 2027.
        for created in (_utc(2027, 3, 14, 4, 30), _utc(2027, 3, 15, 3, 30)):
            make_endorsement(platform, status="unverified", created_at=created)
        db.session.commit()
        [figures] = [
            f
            for f in dashboard.figures(
                platform_services.all_platforms(), now=_utc(2027, 3, 20, 16, 0)
            )
            if f.platform == platform
        ]
        days = {d.day: d.signed for d in figures.days}
        # 23:30 EST on the 13th, and 23:30 EDT on the 14th.
        assert days[date(2027, 3, 13)] == 1
        assert days[date(2027, 3, 14)] == 1
        assert sum(days.values()) == 2


def test_the_chart_is_drawn_on_the_server_with_a_text_alternative(app, client, endorsements):
    log_in(client, "mod@example.org")
    response = client.get("/admin/")
    page = text(response)
    first = _section(page, "harm-reduction-now")
    svg = re.search(r"<svg class=\"chart__svg\"[^>]*>.*?</svg>", first, re.S).group(0)
    assert 'role="img"' in svg
    labelled_by = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    for element_id in labelled_by:
        assert f'id="{element_id}"' in svg
    assert "In all: 12 signed on, 11 confirmed by email." in svg
    # Today's bars: 12 sign-ons and 11 confirmations (the unverified one is not confirmed).
    assert "signed on: 12; confirmed: 11" in svg
    assert svg.count('class="chart__bar chart__bar--signed"') == 1
    # The same figures as a table, one row per day, behind a <details>.
    details = first.split('<details class="chart__table">', 1)[1].split("</details>", 1)[0]
    assert "<summary>The figures by day, as a table</summary>" in details
    assert details.count("<time datetime=") == 30
    assert _row(details, "Total") == ["12", "11"]
    # No inline styles anywhere (the CSP forbids them), and no scripts.
    markup = response.get_data(as_text=True)
    assert not [attrs for _tag, attrs in elements(markup) if any(k == "style" for k, _ in attrs)]
    assert "<script" not in markup


def test_queue_summary_links_to_each_platform_queue(app, client, endorsements):
    log_in(client, "mod@example.org")
    page = text(client.get("/admin/"))
    summary = page.split('id="review-queue"', 1)[1].split("</section>", 1)[0]
    assert "4 endorsements are waiting for review." in summary
    assert '<a href="/admin/queue?platform=harm-reduction-now">' in summary
    assert '<a href="/admin/queue?platform=second-platform">' in summary
    assert "3 waiting" in summary and "1 waiting" in summary
    # Platforms with nothing waiting are not listed.
    assert "next-year" not in summary


def test_queue_summary_when_nothing_waits(client, accounts):
    log_in(client, "mod@example.org")
    summary = text(client.get("/admin/")).split('id="review-queue"', 1)[1]
    assert "Nothing is waiting for review." in summary.split("</section>", 1)[0]


# The outbox ------------------------------------------------------------------------------------


def _message(status: OutboxStatus, **fields) -> OutboxMessage:
    message = OutboxMessage(
        recipient=fields.pop("recipient", "signer@harbour-peers.example"),
        locale="en",
        template="endorsements/confirm",
        subject=fields.pop("subject", "Confirm your endorsement"),
        body_text="Hello",
        body_html="<p>Hello</p>",
        message_id=f"<{uuid.uuid4().hex}@petition.test>",
        status=status,
        attempts=fields.pop("attempts", 0),
        **fields,
    )
    db.session.add(message)
    db.session.flush()
    return message


@pytest.fixture
def outbox(app, accounts):
    with app.app_context():
        failed = _message(
            OutboxStatus.FAILED,
            attempts=8,
            last_error="550 5.1.1 <signer@harbour-peers.example>: mailbox unavailable",
        )
        queued = _message(OutboxStatus.QUEUED)
        _message(OutboxStatus.SENT)
        _message(OutboxStatus.SENT)
        db.session.commit()
        return {"failed": failed.id, "queued": queued.id}


def test_outbox_counts_and_failed_messages(client, outbox):
    log_in(client, "mod@example.org")
    page = text(client.get("/admin/"))
    section = page.split('id="outbox"', 1)[1]
    assert "<dt>Waiting to be sent</dt><dd>1</dd>" in section
    assert "<dt>Sent</dt><dd>2</dd>" in section
    assert "<dt>Failed</dt><dd>1</dd>" in section
    assert "550 5.1.1" in section and "mailbox unavailable" in section
    # Moderators see the failures; only admins may send them again.
    assert "/retry" not in section


def test_admin_retries_a_failed_message(app, client, outbox):
    log_in(client, "boss@example.org")
    page = client.get("/admin/")
    assert f'action="/admin/outbox/{outbox["failed"]}/retry"' in text(page)
    response = client.post(
        f"/admin/outbox/{outbox['failed']}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/#outbox"
    assert "The email is queued again" in text(client.get("/admin/"))
    with app.app_context():
        message = db.session.get(OutboxMessage, outbox["failed"])
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retry"))
        assert event.actor_label == "boss@example.org"
        assert event.target_type == "outbox_message"
        assert event.target_id == str(outbox["failed"])
        assert event.details["before"] == {"status": "failed", "attempts": 8}
        assert event.details["after"] == {"status": "queued", "attempts": 0}
        # The audit log never holds a signer's address.
        assert "signer@" not in str({k: v for k, v in event.details.items() if k != "last_error"})
    assert "Failed email queued again" in text(client.get("/admin/audit"))


def test_retry_is_refused_for_a_message_that_has_not_failed(app, client, outbox):
    log_in(client, "boss@example.org")
    token = csrf_token(client.get("/admin/"))
    response = client.post(f"/admin/outbox/{outbox['queued']}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    page = text(client.get("/admin/"))
    assert "Only a failed email can be sent again" in page
    assert "Nothing was changed." in page
    assert client.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(OutboxMessage, outbox["queued"]).status == OutboxStatus.QUEUED
        assert not db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "outbox.retry")
        )


def test_moderators_may_not_retry(app, client, outbox):
    log_in(client, "mod@example.org")
    token = csrf_token(client.get("/admin/"))
    response = client.post(f"/admin/outbox/{outbox['failed']}/retry", data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(OutboxMessage, outbox["failed"]).status == OutboxStatus.FAILED


def test_dashboard_in_french_formats_numbers_and_dates(app, client, accounts):
    with app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == "harm-reduction-now"))
        make_endorsement(platform, status="approved", province=Province.QC)
        # Enough sent emails for a thousands separator.
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "recipient": f"p{n}@example.org",
                    "locale": "fr",
                    "template": "t",
                    "subject": "s",
                    "message_id": f"<{n}@petition.test>",
                    "status": OutboxStatus.SENT,
                }
                for n in range(1234)
            ],
        )
        db.session.commit()
        today = dashboard.local_days(1)[0]
    log_in(client, "fr@example.org")
    page = text(client.get("/admin/"))
    assert "Appuis par statut" in page
    assert f"<dt>Envoyé</dt><dd>{format_decimal(1234, locale='fr')}</dd>" in page
    assert format_date(today, "long", locale="fr") in page
    assert "Québec" in page.split("par province ou territoire", 1)[1]
    assert "Les chiffres par jour, sous forme de tableau" in page
