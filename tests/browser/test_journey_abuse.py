"""Journey: a scripted burst trends on the dashboard; an admin blocks and invalidates it in
three clicks, in English and in French, and the public count is back to what it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import add_admin, load_demo
from tests.browser.wording import say, say_n
from tests.factories import ADMIN_PASSWORD

BURST_IP = "203.0.113.200"


def _burst(server, slug: str) -> str:
    """Twelve real endorsers, then 200 scripted ones from one network; return its fingerprint."""
    from sqlalchemy import select

    from petition.db_types import utcnow
    from petition.extensions import db
    from petition.platforms.models import Platform
    from petition.screening import fingerprint
    from petition.security import ip_hash
    from tests.factories import make_endorsement

    now = utcnow()
    with server.app.app_context():
        platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
        for n in range(12):
            make_endorsement(
                platform,
                status="approved",
                email=f"g{n}@harbour-peers.example",
                created_at=now - timedelta(days=n + 2),
                ip_hash=f"{n:02d}" * 32,
                org_name=f"Harbour Group {n}",
            )
        burst_hash = ip_hash(BURST_IP)
        for n in range(200):
            make_endorsement(
                platform,
                status="approved",
                kind="individual",
                email=f"v{n}@quick-throwaway.example",
                name=f"Voter {n}",
                created_at=now - timedelta(seconds=10 * n),
                ip_hash=burst_hash,
            )
        db.session.commit()
        return fingerprint(burst_hash)  # fmt: skip


def _public_total(page, slug: str) -> int:
    response = page.request.get(f"/api/v1/platforms/{slug}")
    return response.json()["endorsers"]["total"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_three_clicks_take_a_burst_back(live_server, new_page, key_page, lang):
    slug = load_demo(live_server)
    shown = _burst(live_server, slug)
    email = f"admin-{lang}@coalition.example"
    add_admin(live_server, email, lang)
    page = new_page(name="admin")
    assert _public_total(page, slug) == 212

    page.goto(f"/admin/login?lang={lang}")
    page.get_by_label(say(lang, "Email address"), exact=True).fill(email)
    page.get_by_label(say(lang, "Password"), exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=say(lang, "Log in"), exact=True).click()
    page.wait_for_url("**/admin/")
    row = page.locator("table[data-trending=fingerprint] tr", has_text=shown)
    expect(row).to_have_count(1)
    expect(page.locator("table[data-trending=domain]")).to_contain_text("quick-throwaway.example")
    key_page(page, "trending")

    # Click 1: block the fingerprint.
    row.get_by_role("button", name=say(lang, "Block"), exact=True).click()
    page.wait_for_url("**/admin/abuse**")
    expect(page.locator(".flash--success")).to_contain_text(shown)
    # Click 2: its invalidation, counted first.
    page.locator("table[data-trending=fingerprint] tr", has_text=shown).get_by_role(
        "link", name=say(lang, "Invalidate…"), exact=True
    ).click()
    expect(page.locator("[data-dry-run]")).to_have_attribute("data-dry-run", "200")
    key_page(page, "dry-run")
    # Click 3: confirm.
    page.get_by_role(
        "button",
        name=say_n(lang, "Invalidate %(num)d endorsement", "Invalidate %(num)d endorsements", 200),
    ).click()
    expect(page.locator(".flash--success")).to_contain_text(
        say_n(lang, "%(num)d endorsement invalidated.", "%(num)d endorsements invalidated.", 200)
    )
    assert _public_total(page, slug) == 12
    page.goto(f"/{lang}/p/{slug}/embed")
    expect(page.locator(".embed__count strong")).to_have_text("12")
