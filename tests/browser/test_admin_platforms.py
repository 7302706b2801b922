"""Platform management and the dashboard in a real browser: the preview works without
JavaScript, publishing without French is refused (both axe-clean), and the chart is drawn."""

from __future__ import annotations

from datetime import timedelta

import pytest

from petition.db_types import utcnow
from petition.extensions import db
from petition.outbox.models import OutboxMessage, OutboxStatus
from petition.platforms.models import PlatformStatus
from tests.browser.axe import axe
from tests.factories import ADMIN_PASSWORD, add_resource, make_admin_user, make_endorsement

LANGS = ["en", "fr"]


@pytest.fixture
def admin_data(live_server, demo_platform):
    from sqlalchemy import select

    from petition.accounts.models import AdminLanguage
    from petition.platforms.models import Platform

    with live_server.app.app_context():
        make_admin_user("boss@example.org", role="admin")
        make_admin_user("patronne@example.org", role="admin", preferred_locale=AdminLanguage.FR)
        platform = db.session.scalar(select(Platform).where(Platform.slug == demo_platform))
        now = utcnow()
        for n in range(12):
            make_endorsement(
                platform,
                status=["approved", "pending_review", "unverified"][n % 3],
                kind=["organization", "individual"][n % 2],
                created_at=now - timedelta(days=n * 2),
            )
        add_resource(platform, title_en="An extra report", position=10)
        db.session.add(
            OutboxMessage(
                recipient="someone@harbour-peers.example",
                locale="en",
                template="endorsements/confirm",
                subject="Confirm your endorsement",
                message_id="<browser-failed@petition.test>",
                status=OutboxStatus.FAILED,
                attempts=8,
                last_error="550 5.1.1 mailbox unavailable",
            )
        )
        db.session.commit()
    return demo_platform


def _log_in(page, email: str) -> None:
    page.goto("/admin/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/admin/")


def _watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return errors


# axe, CSP and language checks of the dashboard and every platform page, in both languages, are
# in test_every_page.py; here, what only a browser shows of the chart.
@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_chart_is_drawn_and_its_table_opens(page, admin_data, lang):
    csp_errors = _watch_csp(page)
    _log_in(page, "boss@example.org" if lang == "en" else "patronne@example.org")
    assert page.locator("svg.chart__svg rect.chart__bar--signed").count() >= 1
    # The table behind the chart opens without JavaScript.
    page.locator("details.chart__table summary").first.click()
    assert page.locator("details.chart__table table").first.is_visible()
    assert not csp_errors


def test_preview_and_publish_journey(page, admin_data, live_server):
    csp_errors = _watch_csp(page)
    _log_in(page, "boss@example.org")
    page.goto("/admin/platforms/new")
    page.get_by_label("Address").fill("browser-made")
    page.get_by_label("Version").fill("0.9")
    page.get_by_role("button", name="Create the platform").click()
    page.wait_for_url("**/admin/platforms/browser-made/texts")

    page.locator("#title_en").fill("Made in a browser")
    page.locator("#summary_en").fill("A short summary.")
    page.locator("#body_en").fill("## Heading\n\n1. **First** point")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.preview").first
    assert preview.locator("h2").inner_text() == "Heading"
    assert preview.locator("strong").inner_text() == "First"
    axe(page)
    page.get_by_role("button", name="Save the texts").click()
    page.wait_for_url("**/admin/platforms/browser-made/texts")

    # Publishing without French is refused, with the reason next to the status.
    page.goto("/admin/platforms/browser-made/settings")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save the settings").click()
    assert "Missing: French title, French summary, French text." in page.content()
    axe(page)
    with live_server.app.app_context():
        from sqlalchemy import select

        from petition.platforms.models import Platform

        platform = db.session.scalar(select(Platform).where(Platform.slug == "browser-made"))
        assert platform.status == PlatformStatus.DRAFT
    assert not csp_errors
